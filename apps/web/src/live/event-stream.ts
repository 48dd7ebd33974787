import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { patchJobStatus } from './job-status-patch.ts';
import { refreshMachines } from './machine-refresh.ts';
import { patchMachineState } from './machine-state-patch.ts';
import { patchRunMachine } from './run-machine-patch.ts';

/** The live event types the gateway sends (ADR 0009). */
const TYPES = [
  'machine.state',
  'job.status',
  'action_request.status',
  'schedule_run.machine',
  'discovery.progress',
] as const;

// Many events can arrive at once (a fleet-wide run): one refetch per burst is enough.
const BURST_MS = 150;

/**
 * The UI's one SSE connection (cookie-authenticated, same origin): every live element refreshes from it, never by
 * polling. EventSource reconnects by itself and resumes with Last-Event-ID.
 */
export function useLiveEvents(enabled: boolean): boolean {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    if (!enabled) return undefined;
    const source = new EventSource('/api/v1/events/stream');
    const pending = new Set<string>();
    const machines = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      for (const key of [...pending]) {
        // A refetch still in flight is left to finish: a new one would cancel it, and under a steady stream of events
        // on a slow server no answer would ever arrive (a run's progress would jump to its end). Refreshed right after.
        if (queryClient.isFetching({ queryKey: [key] }) > 0) continue;
        pending.delete(key);
        void queryClient.invalidateQueries({ queryKey: [key] });
      }
      void refreshMachines(queryClient, [...machines]);
      machines.clear();
      if (pending.size > 0) timer = setTimeout(flush, BURST_MS);
    };
    const onEvent = (e: MessageEvent<string>) => {
      if (e.type === 'machine.state') patchMachineState(queryClient, e.data);
      if (e.type === 'job.status') patchJobStatus(queryClient, e.data);
      if (e.type === 'schedule_run.machine') patchRunMachine(queryClient, e.data);
      for (const key of keysFor(e.type)) pending.add(key);
      const id = machineOf(e.type, e.data);
      if (id) machines.add(id);
      timer ??= setTimeout(flush, BURST_MS);
    };
    for (const type of TYPES) source.addEventListener(type, onEvent);
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
      setConnected(false);
    };
  }, [enabled, queryClient]);
  return connected;
}

/** The machine whose tile an event changes (machine state and job events), read again after the burst. */
function machineOf(type: string, data: string): string | null {
  if (type !== 'machine.state' && type !== 'job.status') return null;
  try {
    const id = (JSON.parse(data) as { machineId?: unknown }).machineId;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

// The fleet's tiles ('machines') are not here: machineOf names the machines to read again, not the whole fleet.
function keysFor(type: string): string[] {
  if (type === 'machine.state') return ['machine'];
  // A schedule's jobs move its runs too; a run machine's step changes its run and the schedule's last run.
  if (type === 'job.status') return ['machine', 'jobs', 'schedule-runs', 'stats'];
  if (type === 'action_request.status') return ['action-requests'];
  if (type === 'discovery.progress') return ['discovery'];
  return ['schedule-runs', 'schedules'];
}
