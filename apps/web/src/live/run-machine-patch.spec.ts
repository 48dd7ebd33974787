import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { RunMachineView, RunView } from '../api/admin-types.ts';
import { patchRunMachine } from './run-machine-patch.ts';

const machine = (machineId: string): RunMachineView => ({
  machineId,
  position: 0,
  status: 'pending',
  currentStep: 0,
  startedAt: null,
  finishedAt: null,
  errorKind: null,
  errorMessage: null,
});
const run = (id: string): RunView => ({
  id,
  scheduleId: 's1',
  slotAt: '2026-11-30T10:00:00Z',
  status: 'running',
  reason: null,
  firedAt: '2026-11-30T10:00:00Z',
  finishedAt: null,
  actions: ['apt_update_analyze'],
  machineCount: 2,
  machines: [machine('m1'), machine('m2')],
});
const event = (payload: object) => JSON.stringify({ id: '7', type: 'schedule_run.machine', payload });

describe('patchRunMachine', () => {
  it("writes the event's status, step and start into that run's machine only", () => {
    const client = new QueryClient();
    client.setQueryData(['schedule-runs', 's1'], [run('r1'), run('r2')]);
    patchRunMachine(
      client,
      event({ runId: 'r1', machineId: 'm2', status: 'running', currentStep: 0, startedAt: '2026-11-30T10:00:01Z' }),
    );
    const [r1, r2] = client.getQueryData<RunView[]>(['schedule-runs', 's1'])!;
    expect(r1!.machines[1]).toMatchObject({ status: 'running', startedAt: '2026-11-30T10:00:01Z' });
    expect(r1!.machines[0]).toEqual(machine('m1'));
    expect(r2).toEqual(run('r2'));
  });

  it('leaves the cache alone for an event it cannot read', () => {
    const client = new QueryClient();
    client.setQueryData(['schedule-runs', 's1'], [run('r1')]);
    patchRunMachine(client, 'not json');
    patchRunMachine(client, event({ runId: 'r1', machineId: 'm1' }));
    expect(client.getQueryData(['schedule-runs', 's1'])).toEqual([run('r1')]);
  });
});
