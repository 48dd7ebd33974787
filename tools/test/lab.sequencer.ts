import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The longest lab specs start first, longest first (the scheduler's mostly waits through five cron minutes; the web
// end-to-end and the maintenance runs take minutes of real work): the short files then fill the two workers around
// them, instead of one long file starting last and running alone at the end. Vitest's own order is by past
// durations, which a clean clone does not have.
const LONG_RUNNING = [
  'apps/gateway/src/scheduler.lab-spec.ts',
  'apps/gateway/src/web-e2e.lab-spec.ts',
  'apps/gateway/src/maintenance.lab-spec.ts',
];

export default class LabSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => LONG_RUNNING.findIndex((p) => f.moduleId.endsWith(p));
    const long = LONG_RUNNING.flatMap((_, i) => sorted.filter((f) => rank(f) === i));
    return [...long, ...sorted.filter((f) => rank(f) < 0)];
  }
}
