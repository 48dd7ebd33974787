import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { MachineView, Page } from '../api/types.ts';

// The API's largest page: a fleet of up to 1,000 machines is one request; a larger one, its further pages at once.
const PAGE = 1000;

async function allMachines(): Promise<Page<MachineView>> {
  const first = await unwrap<Page<MachineView>>(
    api.GET('/api/v1/machines', { params: { query: { limit: PAGE, offset: 0 } } }),
  );
  const offsets: number[] = [];
  for (let offset = PAGE; offset < first.total; offset += PAGE) offsets.push(offset);
  const rest = await Promise.all(
    offsets.map((offset) =>
      unwrap<Page<MachineView>>(api.GET('/api/v1/machines', { params: { query: { limit: PAGE, offset } } })),
    ),
  );
  return { items: [first, ...rest].flatMap((p) => p.items), total: first.total };
}

/** The fleet's query: also started by main.tsx before the first render, so the tiles do not wait for the session check. */
export const machinesQuery = queryOptions({ queryKey: ['machines'], queryFn: allMachines });

/** Every machine the caller may see, kept live by the event stream ('machines'). */
export function useMachines() {
  return useQuery(machinesQuery);
}
