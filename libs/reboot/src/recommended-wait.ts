/** Used when a machine has no reboot history yet: long enough for a slow BIOS/RAID POST, short enough to notice. */
export const DEFAULT_WAIT_SECONDS = 300;
/** Never wait less: a fast VM still needs its services (sshd) and a healthy margin for a slow day. */
export const MIN_WAIT_SECONDS = 60;
/** Never wait more: a machine gone for 30 minutes needs a person, not a longer poll. */
export const MAX_WAIT_SECONDS = 1800;
/** Only recent reboots count: hardware, kernel and services change, and so does the boot time. */
export const HISTORY_SIZE = 20;
const FACTOR = 1.5;
const MARGIN_SECONDS = 30;

/**
 * How long to wait for this machine to come back next time, from its previous reboot durations (seconds, oldest
 * first): `clamp(ceil(p90(last 20) × 1.5 + 30), 60, 1800)`, p90 by nearest rank (so with fewer than 10 samples it is
 * the maximum). Non-finite and non-positive values are ignored; no usable history gives 300.
 * p90 rather than the maximum so one freak reboot (fsck, firmware update) does not inflate every later wait forever;
 * ×1.5 + 30 s covers the usual spread plus a fixed cost (services, sshd start) that does not scale with boot time.
 */
export function recommendedWaitSeconds(previous: readonly number[]): number {
  const samples = previous.filter((d) => Number.isFinite(d) && d > 0).slice(-HISTORY_SIZE);
  if (samples.length === 0) return DEFAULT_WAIT_SECONDS;
  const sorted = [...samples].sort((a, b) => a - b);
  const p90 = sorted[Math.ceil(0.9 * sorted.length) - 1] ?? sorted[sorted.length - 1] ?? 0;
  const wait = Math.ceil(p90 * FACTOR + MARGIN_SECONDS);
  return Math.min(MAX_WAIT_SECONDS, Math.max(MIN_WAIT_SECONDS, wait));
}
