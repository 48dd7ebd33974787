import { concatMap, filter, type OperatorFunction } from 'rxjs';
import { LIVE_EVENT_SCOPES, scopeSatisfies, type MachineScope, type Scope } from '@su/contracts';
import { MachineScopeRepository, type Database, type LiveEventView } from '@su/db';

/** How long a machine's verdict is reused for the events that follow it (a burst of one job's events: one query). */
const VERDICT_TTL_MS = 1000;

/** Who reads a stream: the scopes they hold, and the machines they may see (null: all). */
export interface LiveEventsViewer {
  scopes: readonly Scope[];
  machineScope: MachineScope | null;
}

/**
 * Keeps, in order, only the live events `viewer` may see (ADR 0014): event types that need more than `read`
 * (`LIVE_EVENT_SCOPES`: discovery progress, admin only) only for a viewer holding that scope; and, for a scoped
 * client, only the events of machines its scope admits. Events bound to no machine (a selftest job) are not for a
 * scoped client. Tags can change while the stream is open, so a verdict is kept only briefly.
 */
export function liveEventsInScope(db: Database, viewer: LiveEventsViewer): OperatorFunction<LiveEventView, LiveEventView> {
  const allowedType = (e: LiveEventView) => {
    const needs = LIVE_EVENT_SCOPES[e.type];
    return needs === undefined || scopeSatisfies(viewer.scopes, needs);
  };
  const scope = viewer.machineScope;
  if (!scope) return (source) => source.pipe(filter(allowedType));
  const verdicts = new Map<string, { ok: boolean; at: number }>();
  const admits = async (machineId: string): Promise<boolean> => {
    const cached = verdicts.get(machineId);
    if (cached && Date.now() - cached.at < VERDICT_TTL_MS) return cached.ok;
    const ok = (await new MachineScopeRepository(db.prisma).admitted(scope, [machineId])).has(machineId);
    verdicts.set(machineId, { ok, at: Date.now() });
    return ok;
  };
  return (source) =>
    source.pipe(
      filter(allowedType),
      concatMap(async (e) => (e.machineId !== null && (await admits(e.machineId)) ? e : null)),
      filter((e): e is LiveEventView => e !== null),
    );
}
