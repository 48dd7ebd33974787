import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { MachineView, Page } from '../api/types.ts';

// The API pages by 500 at most: a fleet of 1,000 machines is read in pages, all at once.
const PAGE = 500;

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

/** Every machine the caller may see, kept live by the event stream ('machines'). */
export function useMachines() {
  return useQuery({ queryKey: ['machines'], queryFn: allMachines });
}
