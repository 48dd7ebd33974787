export interface BackoffOptions {
  /** Delay after the first failed attempt. */
  initialMs: number;
  /** Growth per attempt (>= 1). */
  factor: number;
  /** Ceiling: bounds how late a machine that is back is noticed. */
  maxMs: number;
}

/**
 * Short first delays catch a fast VM reboot within a second of its return; the growth keeps a machine that takes
 * minutes (POST, fsck) from being hammered with SSH handshakes; the ceiling bounds the detection delay. No jitter:
 * each wait concerns one machine, so there is no thundering herd to spread.
 */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, factor: 1.5, maxMs: 5_000 };

/** Delay before retry number `attempt` (0 = after the first failure): `min(maxMs, initialMs × factor^attempt)`. */
export function backoffDelayMs(attempt: number, o: BackoffOptions = DEFAULT_BACKOFF): number {
  const initial = Math.max(0, o.initialMs);
  const factor = Math.max(1, o.factor);
  const max = Math.max(initial, o.maxMs);
  return Math.round(Math.min(max, initial * factor ** Math.max(0, attempt)));
}

/** The first `count` delays, for logs and docs. */
export function backoffSchedule(count: number, o: BackoffOptions = DEFAULT_BACKOFF): number[] {
  return Array.from({ length: Math.max(0, count) }, (_, i) => backoffDelayMs(i, o));
}
