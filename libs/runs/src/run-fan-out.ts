import { isRiskyAction, type Actor, type MachineAction } from '@su/contracts';
import { ScheduleRunsRepository, type RunScope, type Tx } from '@su/db';
import { jobOfAction, type ActionOptions } from './action-job.ts';

/** The actions a run of this policy runs: `analyse_only` never changes a machine, so its risky steps are left out. */
export function actionsOfRun(actions: readonly MachineAction[], approvalPolicy: string): MachineAction[] {
  return actions.filter((a) => approvalPolicy !== 'analyse_only' || !isRiskyAction(a));
}

/**
 * A slot becomes jobs: the run's machines and every step of every machine as a `waiting` job, in one statement
 * (10,000 machines are not 40,000 round trips, nor their ids sent back and forth; ADR 0046). Nothing is released here;
 * the run advancer starts the first machines. Returns how many machines the run has.
 */
export async function insertRunSteps(
  tx: Tx,
  run: {
    runId: string;
    scheduleId: string;
    scope: RunScope;
    actions: readonly MachineAction[];
    actor: Actor;
    /** The schedule's action options (its maintenance step's). */
    options?: ActionOptions;
  },
): Promise<number> {
  return new ScheduleRunsRepository(tx).insertMachinesWithSteps({
    runId: run.runId,
    scheduleId: run.scheduleId,
    scope: run.scope,
    steps: run.actions.map((action) => jobOfAction(action, run.options)),
    requestedBy: run.actor,
  });
}
