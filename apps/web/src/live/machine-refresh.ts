import type { QueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { MachineView, Page } from '../api/types.ts';

// Beyond this many machines in one burst (a fleet-wide run), one read of the whole list costs less than one read each.
const MAX_SINGLE_READS = 20;

/** `fresh` written over the cached fleet by id; null when one of them is not in it (a machine added elsewhere). */
export function mergeMachines(page: Page<MachineView>, fresh: MachineView[]): Page<MachineView> | null {
  const at = new Map(page.items.map((m, i) => [m.id, i]));
  const items = [...page.items];
  for (const m of fresh) {
    const i = at.get(m.id);
    if (i === undefined) return null;
    items[i] = m;
  }
  return { ...page, items };
}

/**
 * After a burst of live events: re-reads only the machines they named and writes them into the cached fleet, instead
 * of re-reading the whole fleet for each burst (at 1,000 machines that read, repeated, was what delayed the tiles).
 * Falls back to re-reading the fleet when many changed, when one is new or gone, or on any error.
 */
export async function refreshMachines(queryClient: QueryClient, ids: string[]): Promise<void> {
  if (ids.length === 0 || !queryClient.getQueryData<Page<MachineView>>(['machines'])) return;
  const whole = () => queryClient.invalidateQueries({ queryKey: ['machines'] });
  if (ids.length > MAX_SINGLE_READS) return whole();
  let fresh: MachineView[];
  try {
    fresh = await Promise.all(
      ids.map((id) => unwrap<MachineView>(api.GET('/api/v1/machines/{id}', { params: { path: { id } } }))),
    );
  } catch {
    return whole();
  }
  const current = queryClient.getQueryData<Page<MachineView>>(['machines']);
  const merged = current && mergeMachines(current, fresh);
  if (!merged) return whole();
  queryClient.setQueryData(['machines'], merged);
}
