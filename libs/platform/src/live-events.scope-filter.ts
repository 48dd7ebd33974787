import { concatMap, filter, identity, type OperatorFunction } from 'rxjs';
import type { MachineScope } from '@su/contracts';
import { MachineScopeRepository, type Database, type LiveEventView } from '@su/db';

/** How long a machine's verdict is reused for the events that follow it (a burst of one job's events: one query). */
const VERDICT_TTL_MS = 1000;

/**
 * Keeps, in order, only the live events of machines `scope` admits (ADR 0014). Events bound to no machine (a selftest
 * job) are not for a scoped client. Tags can change while the stream is open, so a verdict is kept only briefly.
 */
export function liveEventsInScope(
  db: Database,
  scope: MachineScope | null,
): OperatorFunction<LiveEventView, LiveEventView> {
  if (!scope) return identity;
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
      concatMap(async (e) => (e.machineId !== null && (await admits(e.machineId)) ? e : null)),
      filter((e): e is LiveEventView => e !== null),
    );
}
