import { describe, expect, it } from 'vitest';
import type { MachineView } from '../api/types.ts';
import { filterMachines, summaryOf, tileStatus } from './machine-status.ts';

function machine(
  name: string,
  state: Partial<NonNullable<MachineView['state']>> | null,
  tags: string[] = [],
): MachineView {
  return {
    id: name,
    name,
    hostname: `${name}.lan`,
    port: 22,
    username: 'root',
    osFamily: 'debian',
    osVersion: '12',
    osCodename: 'bookworm',
    arch: null,
    machineKind: 'vm',
    virtualization: null,
    status: 'online',
    notes: null,
    aptProxy: { mode: 'direct', url: null },
    tags,
    credentials: null,
    hardware: null,
    metrics: null,
    bootstrapStatus: null,
    createdAt: '',
    updatedAt: '',
    lastSeenAt: null,
    state: state && {
      status: 'online',
      aptStatus: null,
      aptUpdatesCount: 0,
      aptSecurityCount: 0,
      aptHeldCount: 0,
      aptHeldSecurityCount: 0,
      aptPhasedCount: 0,
      aptRebootRequired: false,
      aptRebootAfterApply: false,
      aptLastAnalyzeAt: null,
      dockerStatus: null,
      dockerUpdatesCount: 0,
      dockerInstalled: false,
      dockerStacksCount: 0,
      dockerAlertsOpen: 0,
      dockerLastScanAt: null,
      dockerLastCheckAt: null,
      aptUsable: null,
      lastProbeAt: null,
      blocked: false,
      blockedReason: null,
      runningJobId: null,
      lastErrorKind: null,
      lastErrorMessage: null,
      updatedAt: '',
      ...state,
    },
  };
}

const fleet = [
  machine('web-1', { aptUpdatesCount: 3, aptSecurityCount: 1, aptRebootRequired: true }, ['web']),
  machine('db-1', { aptUpdatesCount: 2 }, ['db']),
  machine('old', { blocked: true, blockedReason: 'host key changed' }),
  machine('dead', { status: 'offline', lastErrorKind: 'unreachable' }),
  machine('new', null),
];

describe('dashboard status and filters', () => {
  it('derives one status per tile, worst first', () => {
    expect(fleet.map(tileStatus)).toEqual(['security', 'updates', 'blocked', 'error', 'unknown']);
  });

  it('counts the summary bar', () => {
    expect(summaryOf(fleet)).toEqual({ machines: 5, updates: 2, security: 1, reboot: 1, errors: 1, blocked: 1 });
  });

  it('filters by text, tag and summary count together', () => {
    const names = (f: Parameters<typeof filterMachines>[1]) => filterMachines(fleet, f).map((m) => m.name);
    expect(names({ text: 'BOOKWORM', tag: null, only: null })).toHaveLength(5);
    expect(names({ text: '', tag: 'db', only: null })).toEqual(['db-1']);
    expect(names({ text: '', tag: null, only: 'updates' })).toEqual(['web-1', 'db-1']);
    expect(names({ text: 'web', tag: null, only: 'security' })).toEqual(['web-1']);
  });
});
