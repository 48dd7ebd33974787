import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Lab specs that mostly wait (the scheduler's spans five cron minutes) start first, so the other files run on the
// second worker beside them instead of after them. Vitest's own order is by past durations, which a clean clone
// does not have.
const LONG_RUNNING = ['apps/gateway/src/scheduler.lab-spec.ts'];

export default class LabSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isLong = (f: TestSpecification) => LONG_RUNNING.some((p) => f.moduleId.endsWith(p));
    return [...sorted.filter(isLong), ...sorted.filter((f) => !isLong(f))];
  }
}
