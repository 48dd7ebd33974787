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

/** The orders the API can page in, as the dashboard's sorts: its default (`status`, worst first) and by name. */
export type FirstPageSort = 'status' | 'name';

// The first screen in the dashboard's order; boot.js asks it too (same path and query string).
const firstPage = (sort: FirstPageSort) =>
  unwrap<Page<MachineView>>(
    earlyOr(`/api/v1/machines?limit=${FIRST_SCREEN}&offset=0&sort=${sort}`, () =>
      api.GET('/api/v1/machines', { params: { query: { limit: FIRST_SCREEN, offset: 0, sort } } }),
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
 * The fleet's first page in the dashboard's order (worst first, or by name; and the fleet's total), asked beside the
 * whole fleet: when the dashboard shows the fleet unfiltered, the page is its first screen, shown while the whole fleet
 * is still on its way. Its own key, outside 'machines': live refreshes and invalidations concern the whole fleet only.
 */
export const firstScreenQuery = (sort: FirstPageSort) =>
  queryOptions({ queryKey: ['machines-first-screen', sort], queryFn: () => firstPage(sort) });

/** Every machine the caller may see, kept live by the event stream ('machines'). */
export function useMachines() {
  return useQuery(machinesQuery);
}

/**
 * The order whose first page is the dashboard's first screen, or null: an order the API pages in (the default, worst
 * first, or by name) and no filter. Any other view (by updates, filtered) could put a machine beyond that page at the
 * top, so it waits for the whole fleet rather than show tiles that are not its first ones.
 */
export function firstPageFits(search: URLSearchParams): FirstPageSort | null {
  const sort = search.get('sort') ?? 'status';
  if (search.get('q') || search.get('tag') || search.get('only')) return null;
  return sort === 'status' || sort === 'name' ? sort : null;
}

/** What the dashboard shows: the whole fleet once it is here (`complete`); until then the first page, if it fits. */
export function useFleetForDashboard(fits: FirstPageSort | null) {
  const whole = useMachines();
  const first = useQuery({ ...firstScreenQuery(fits ?? 'status'), enabled: !!fits && !whole.data });
  const page = whole.data ?? (fits ? first.data : undefined);
  return {
    items: page?.items,
    total: page?.total,
    complete: !!whole.data,
    isPending: whole.isPending && !page,
    error: whole.error,
  };
}
