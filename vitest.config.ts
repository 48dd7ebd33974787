import { defineConfig } from 'vitest/config';

// Unit (*.spec.ts) and integration (*.int-spec.ts) tests. Integration tests get a real PostgreSQL from the global
// setup and a database of their own per file. Lab tests (*.lab-spec.ts) have their own config.
export default defineConfig({
  test: {
    include: ['{apps,libs,tools}/**/*.{spec,int-spec}.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['libs/testing/src/test-postgres.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './tools/test/summary.reporter.ts'],
  },
});
