import type { QueryClient } from '@tanstack/react-query';
import type { RunView } from '../api/admin-types.ts';

interface RunMachineEvent {
  runId?: unknown;
  machineId?: unknown;
  status?: unknown;
  currentStep?: unknown;
  startedAt?: unknown;
}

/**
 * A `schedule_run.machine` event carries the machine's new status, step and start: write them into every loaded list
 * of runs at once (as a followed job's status is), so a step that lasts a second is not lost to the burst's refetch.
 */
export function patchRunMachine(queryClient: QueryClient, data: string): void {
  let event: { payload?: RunMachineEvent };
  try {
    event = JSON.parse(data) as typeof event;
  } catch {
    return;
  }
  const e = event.payload;
  if (typeof e?.runId !== 'string' || typeof e.machineId !== 'string' || typeof e.status !== 'string') return;
  const patch = {
    status: e.status,
    ...(typeof e.currentStep === 'number' ? { currentStep: e.currentStep } : {}),
    ...(typeof e.startedAt === 'string' ? { startedAt: e.startedAt } : {}),
  };
  queryClient.setQueriesData<RunView[]>({ queryKey: ['schedule-runs'] }, (runs) =>
    Array.isArray(runs)
      ? runs.map((r) =>
          r.id !== e.runId
            ? r
            : { ...r, machines: r.machines.map((m) => (m.machineId === e.machineId ? { ...m, ...patch } : m)) },
        )
      : runs,
  );
}
