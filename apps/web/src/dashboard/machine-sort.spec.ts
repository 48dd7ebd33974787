import { describe, expect, it } from 'vitest';
import type { MachineView } from '../api/types.ts';
import { sortMachines } from './machine-sort.ts';

const m = (name: string, state: Partial<NonNullable<MachineView['state']>> | null): MachineView =>
  ({
    id: name,
    name,
    tags: [],
    state: state && {
      status: 'online',
      blocked: false,
      runningJobId: null,
      lastErrorKind: null,
      aptUpdatesCount: 0,
      aptSecurityCount: 0,
      ...state,
    },
  }) as unknown as MachineView;

const fleet = [
  m('c-ok', {}),
  m('a-security', { aptUpdatesCount: 3, aptSecurityCount: 2 }),
  m('b-blocked', { blocked: true }),
  m('d-updates', { aptUpdatesCount: 9 }),
  m('e-unknown', null),
];
const names = (ms: MachineView[]) => ms.map((x) => x.name);

describe('sortMachines', () => {
  it('by status: what needs a person first, ties by name', () => {
    expect(names(sortMachines(fleet, 'status'))).toEqual(['b-blocked', 'a-security', 'd-updates', 'e-unknown', 'c-ok']);
  });
  it('by name, by pending updates and by security updates (most first)', () => {
    expect(names(sortMachines(fleet, 'name'))).toEqual(['a-security', 'b-blocked', 'c-ok', 'd-updates', 'e-unknown']);
    expect(names(sortMachines(fleet, 'updates')).slice(0, 2)).toEqual(['d-updates', 'a-security']);
    expect(names(sortMachines(fleet, 'security'))[0]).toBe('a-security');
  });
  it('leaves the input as it was', () => {
    const copy = [...fleet];
    sortMachines(fleet, 'name');
    expect(fleet).toEqual(copy);
  });
});
