import { randomUUID } from 'node:crypto';
import { isRiskyAction, type Actor, type MachineAction } from '@su/contracts';
import { JobsRepository, ScheduleRunsRepository, type Tx } from '@su/db';
import { jobOfAction, type ActionOptions } from './action-job.ts';

/** The actions a run of this policy runs: `analyse_only` never changes a machine, so its risky steps are left out. */
export function actionsOfRun(actions: readonly MachineAction[], approvalPolicy: string): MachineAction[] {
  return actions.filter((a) => approvalPolicy !== 'analyse_only' || !isRiskyAction(a));
}

/**
 * A slot becomes jobs: the run's machines and every step of every machine as a `waiting` job, in one statement each
 * (1,000 machines are not 4,000 round trips). Nothing is released here; the run advancer starts the first machines.
 * Returns how many machines the run has.
 */
export async function insertRunSteps(
  tx: Tx,
  run: {
    runId: string;
    scheduleId: string;
    scope: object;
    actions: readonly MachineAction[];
    actor: Actor;
    /** The schedule's action options (its maintenance step's). */
    options?: ActionOptions;
  },
): Promise<number> {
  const runs = new ScheduleRunsRepository(tx);
  const machineIds = await runs.machinesInScope(run.scope);
  const runMachines = await runs.insertMachines(run.runId, machineIds);
  const steps = run.actions.map((action) => jobOfAction(action, run.options));
  await new JobsRepository(tx).insertMany(
    machineIds.flatMap((machineId) => {
      const runMachineId = runMachines.get(machineId);
      if (!runMachineId) throw new Error(`machine ${machineId} of run ${run.runId} has no run row`);
      return steps.map((job, step) => ({
        id: randomUUID(),
        kind: job.kind,
        machineId,
        scheduleId: run.scheduleId,
        requestedBy: run.actor,
        payload: job.payload,
        status: 'waiting' as const,
        runMachineId,
        step,
      }));
    }),
  );
  return machineIds.length;
}
