import type { Actor } from '@su/contracts';
import { MachineEventsRepository, type Tx } from '@su/db';

/** An account change, recorded as a fleet-level event (no machine) naming the user it concerns. */
export function recordUserEvent(
  tx: Tx,
  type: string,
  userId: string,
  actor: Actor,
  message: string,
  extra: Record<string, string | number>,
): Promise<void> {
  return new MachineEventsRepository(tx).insert({
    machineId: null,
    eventType: type,
    actor,
    message,
    payload: { userId, ...extra },
  });
}
