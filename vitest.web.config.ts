import { defineConfig } from 'vitest/config';

// Browser tests of the web UI (ADR 0019): Debian's Chromium driven by playwright-core against a gateway started in
// the test with the built UI (`npm run test:web` builds it first). Not part of `npm test`: they need the browser.
export default defineConfig({
  test: {
    include: ['apps/**/*.web-spec.ts'],
    globalSetup: ['libs/testing/src/test-postgres.global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two files at once: each has its own gateway, database and browser; the schedules spec mostly waits for its
    // cron minute, and the others run beside it.
    maxWorkers: 2,
    reporters: ['default', './tools/test/summary.reporter.ts'],
  },
});
