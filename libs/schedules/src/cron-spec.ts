import { Cron } from 'croner';

/**
 * Schedules use 5-field cron (minute hour day-of-month month day-of-week) in an IANA time zone, evaluated by croner
 * (maintained, time-zone and DST aware: a slot that does not exist on a spring-forward day runs at the first instant
 * that does, a repeated hour on a fall-back day fires once).
 */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return `cron must have 5 fields (minute hour day month weekday); got ${fields.length}`;
  try {
    new Cron(expr, { paused: true });
    return null;
  } catch (e) {
    return `invalid cron: ${(e as Error).message}`;
  }
}

export function timezoneProblem(tz: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return null;
  } catch {
    return `unknown time zone "${tz}" (use an IANA name such as Europe/Paris or UTC)`;
  }
}

/** The next instants of a valid schedule strictly after `from`. */
export function nextRuns(expr: string, timezone: string, from: Date, count = 1): Date[] {
  const cron = new Cron(expr, { timezone, paused: true });
  const out: Date[] = [];
  let cursor = from;
  for (let i = 0; i < count; i++) {
    const next = cron.nextRun(cursor);
    if (!next) break;
    out.push(next);
    cursor = next;
  }
  return out;
}
