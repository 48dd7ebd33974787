import type { Scope } from './scopes.ts';

/** Live event type of a discovery scan's progress (machine-less: counts only, never an address; ADR 0042). */
export const DISCOVERY_PROGRESS_EVENT = 'discovery.progress';

/**
 * Live event types that not every stream client may see, with the scope a client needs for them (any other type
 * needs only the stream's own `read`). A discovery scan is admin business (its routes are admin only), so its
 * progress is too, even as bare counts.
 */
export const LIVE_EVENT_SCOPES: Readonly<Record<string, Scope>> = {
  [DISCOVERY_PROGRESS_EVENT]: 'admin',
};
