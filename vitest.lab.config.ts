import { defineConfig } from 'vitest/config';

// Lab tests: real Debian machines (needs root; see tools/lab/ and docs/adr/0100-lab-real-debian-machines.md).
export default defineConfig({
  test: {
    include: ['**/*.lab-spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 10 * 60_000,
    hookTimeout: 10 * 60_000,
    fileParallelism: false,
    reporters: ['default', './tools/test/summary.reporter.ts'],
    // Lab tests that also need the database get the same per-run PostgreSQL as integration tests.
    globalSetup: ['libs/testing/src/test-postgres.global-setup.ts'],
  },
});
