import type { QueryClient } from '@tanstack/react-query';
import type { MachineView, Page } from '../api/types.ts';

type StateFields = Pick<
  NonNullable<MachineView['state']>,
  'status' | 'aptUpdatesCount' | 'aptSecurityCount' | 'aptRebootRequired' | 'blocked' | 'runningJobId' | 'lastErrorKind'
>;
const FIELDS: (keyof StateFields)[] = [
  'status',
  'aptUpdatesCount',
  'aptSecurityCount',
  'aptRebootRequired',
  'blocked',
  'runningJobId',
  'lastErrorKind',
];

/**
 * A `machine.state` event carries the tile's main fields (ADR 0009's trigger payload): write them into the cached
 * fleet at once, so the tile changes without waiting for the refetch (which still follows, for the other fields).
 */
export function patchMachineState(queryClient: QueryClient, data: string): void {
  let payload: Partial<StateFields> & { machineId?: string };
  try {
    payload = (JSON.parse(data) as { payload?: typeof payload }).payload ?? {};
  } catch {
    return;
  }
  const id = payload.machineId;
  if (!id) return;
  queryClient.setQueryData<Page<MachineView>>(['machines'], (old) => {
    if (!old) return old;
    const at = old.items.findIndex((m) => m.id === id);
    const machine = old.items[at];
    if (!machine?.state) return old;
    const state = { ...machine.state };
    for (const f of FIELDS) if (f in payload) Object.assign(state, { [f]: payload[f] });
    const items = [...old.items];
    items[at] = { ...machine, state };
    return { ...old, items };
  });
}
