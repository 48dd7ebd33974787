import { api, unwrap } from '../api/client.ts';
import type { PendingGroup, PendingMachine } from './fleet-selection.ts';

/** Machines per request: a change needed by the whole of a 10,000-machine fleet is ten requests, made on demand. */
const PAGE = 1000;

/** The query key of one change's machines (under `machines`, so a fleet change refreshes it with the groups). */
export const pendingMachinesKey = (g: PendingGroup) => ['machines', 'pending-updates', g.dedupKey, g.held] as const;

/** Every machine that needs one change, page by page (`GET /updates/pending/machines`). */
export async function fetchPendingMachines(g: PendingGroup): Promise<PendingMachine[]> {
  const all: PendingMachine[] = [];
  for (;;) {
    const page = await unwrap<{ items: PendingMachine[]; total: number }>(
      api.GET('/api/v1/updates/pending/machines', {
        params: { query: { dedupKey: g.dedupKey, held: String(g.held), limit: PAGE, offset: all.length } },
      }),
    );
    all.push(...page.items);
    if (page.items.length < PAGE || all.length >= page.total) return all;
  }
}
