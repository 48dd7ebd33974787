import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { earlyOr } from '../api/early-answers.ts';
import type { MachineView, Page } from '../api/types.ts';

// The API's largest page: a fleet of up to 1,000 machines is one request; a larger one, its further pages at once.
export const PAGE = 1000;
// Enough tiles to fill a first screen at any width (a multiple of 1 to 4 columns), read far faster than the fleet.
export const FIRST_SCREEN = 60;

// public/boot.js asks the first of these (offset 0) before this code runs.
const machinesPage = (limit: number, offset: number) =>
  unwrap<Page<MachineView>>(
    earlyOr(`/api/v1/machines?limit=${limit}&offset=${offset}`, () =>
      api.GET('/api/v1/machines', { params: { query: { limit, offset } } }),
    ),
  );

async function allMachines(): Promise<Page<MachineView>> {
  const first = await machinesPage(PAGE, 0);
  const offsets: number[] = [];
  for (let offset = PAGE; offset < first.total; offset += PAGE) offsets.push(offset);
  const rest = await Promise.all(offsets.map((offset) => machinesPage(PAGE, offset)));
  return { items: [first, ...rest].flatMap((p) => p.items), total: first.total };
}

/** The fleet's query: also started by main.tsx before the first render, so the tiles do not wait for the session check. */
export const machinesQuery = queryOptions({ queryKey: ['machines'], queryFn: allMachines });

/**
 * The fleet's first page (its first machines by name, and the fleet's total), asked beside the whole fleet: when the
 * dashboard shows the fleet in that order, unfiltered, the page is its first screen, shown while the whole fleet is
 * still on its way. Its own key, outside 'machines': live refreshes and invalidations concern the whole fleet only.
 */
export const firstScreenQuery = queryOptions({
  queryKey: ['machines-first-screen'],
  queryFn: () => machinesPage(FIRST_SCREEN, 0),
});

/** Every machine the caller may see, kept live by the event stream ('machines'). */
export function useMachines() {
  return useQuery(machinesQuery);
}

/**
 * Whether the fleet's first page is the dashboard's first screen: the API's order (by name) and no filter. Any other
 * view (the default, worst first, among them) could put a machine beyond that page at the top, so it waits for the
 * whole fleet rather than show tiles that are not its first ones.
 */
export function firstPageFits(search: URLSearchParams): boolean {
  return search.get('sort') === 'name' && !search.get('q') && !search.get('tag') && !search.get('only');
}

/** What the dashboard shows: the whole fleet once it is here (`complete`); until then the first page, if it fits. */
export function useFleetForDashboard(fits: boolean) {
  const whole = useMachines();
  const first = useQuery({ ...firstScreenQuery, enabled: fits && !whole.data });
  const page = whole.data ?? (fits ? first.data : undefined);
  return {
    items: page?.items,
    total: page?.total,
    complete: !!whole.data,
    isPending: whole.isPending && !page,
    error: whole.error,
  };
}
