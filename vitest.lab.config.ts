import { defineConfig } from 'vitest/config';
import { labWorkers } from './libs/testing/src/lab/lab-pool.ts';
import LabSequencer from './tools/test/lab.sequencer.ts';

// Lab tests: real Debian machines (needs root; see tools/lab/ and docs/adr/0100-lab-real-debian-machines.md).
// The lab's self-test runs alone, in a group of its own (vitest runs that group after the other): it compares host-wide process and link lists before and after, which another
// lab running beside it would change. The other lab specs then run two at a time, each worker on a lab of its own
// (lab-pool.ts; ADR 0024).
const LAB_SELF_TEST = 'libs/testing/src/lab/lab.lab-spec.ts';
// The container image's proof builds the whole image inside a lab machine (many minutes; ADR 0036): its own command,
// `npm run test:containers`, not part of `npm run test:lab`.
const CONTAINERS = 'apps/gateway/src/containers.lab-spec.ts';
const labProject = {
  setupFiles: ['libs/testing/src/lab/lab-pool.setup.ts'],
  // Lab tests that also need the database get the same per-run PostgreSQL as integration tests.
  globalSetup: ['libs/testing/src/lab/lab-cache.global-setup.ts', 'libs/testing/src/test-postgres.global-setup.ts'],
};
const shared = {
  exclude: ['**/node_modules/**', '**/dist/**'],
  testTimeout: 10 * 60_000,
  hookTimeout: 10 * 60_000,
};

export default defineConfig({
  test: {
    reporters: ['default', './tools/test/summary.reporter.ts'],
    sequence: { sequencer: LabSequencer },
    projects: [
      {
        test: {
          ...shared,
          name: 'lab-self-test',
          include: [LAB_SELF_TEST],
          fileParallelism: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'lab',
          include: ['**/*.lab-spec.ts'],
          exclude: [...shared.exclude, LAB_SELF_TEST, CONTAINERS],
          maxWorkers: labWorkers(process.env),
          sequence: { groupOrder: 1 },
          ...labProject,
        },
      },
      ...(process.env.SU_LAB_CONTAINERS
        ? [
            {
              test: {
                ...shared,
                name: 'containers',
                include: [CONTAINERS],
                maxWorkers: 1,
                sequence: { groupOrder: 2 },
                ...labProject,
              },
            },
          ]
        : []),
    ],
  },
});
