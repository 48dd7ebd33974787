import { z } from 'zod';

// What an approval of an APT apply covers, in its own file: job payloads (jobs.ts) carry it and action requests
// (approvals.ts) make it, and neither needs the other for it.

/** One package change of an APT plan, in the terms that decide what an approval covers. */
export const plannedChangeSchema = z.strictObject({
  name: z.string().min(1).max(200),
  arch: z.string().max(40).nullable(),
  targetVersion: z.string().max(200).nullable(),
  operation: z.string().min(1).max(40),
});
export type PlannedChange = z.infer<typeof plannedChangeSchema>;

/** What a person approved for an APT apply: the plan they saw, and whether a larger plan is still acceptable. */
export const approvedPlanSchema = z.strictObject({
  requestId: z.string().uuid(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  changes: z.array(plannedChangeSchema).max(5000),
  allowSuperset: z.boolean(),
});
export type ApprovedPlan = z.infer<typeof approvedPlanSchema>;
