import { describe, expect, it } from 'vitest';
import type { MachineView } from '../api/types.ts';
import { mergeMachines } from './machine-refresh.ts';

const m = (id: string, name = id): MachineView => ({ id, name }) as unknown as MachineView;

describe('mergeMachines', () => {
  it('writes the re-read machines over the cached fleet in place, the others untouched', () => {
    const page = { items: [m('a'), m('b'), m('c')], total: 3 };
    const merged = mergeMachines(page, [m('c', 'c2'), m('a', 'a2')]);
    expect(merged?.items.map((x) => x.name)).toEqual(['a2', 'b', 'c2']);
    expect(merged?.items[1]).toBe(page.items[1]);
    expect(page.items[0]!.name).toBe('a'); // the cached page itself is not changed
  });

  it('gives null for a machine the fleet does not hold (added elsewhere): the fleet is read again', () => {
    expect(mergeMachines({ items: [m('a')], total: 1 }, [m('z')])).toBeNull();
  });
});
