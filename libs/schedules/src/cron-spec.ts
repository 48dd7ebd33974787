import { Cron } from 'croner';

/**
 * Schedules use 5-field cron (minute hour day-of-month month day-of-week) in an IANA time zone, evaluated by croner
 * (maintained, time-zone and DST aware: a slot that does not exist on a spring-forward day runs at the first instant
 * that does, a repeated hour on a fall-back day fires once).
 */
const CRON_FIELDS = [
  ['minute', '0-59'],
  ['hour', '0-23'],
  ['day-of-month', '1-31'],
  ['month', '1-12'],
  ['day-of-week', '0-7'],
] as const;

const parses = (expr: string) => {
  try {
    new Cron(expr, { paused: true });
    return true;
  } catch {
    return false;
  }
};

/**
 * Why a cron expression is refused, naming the faulty field. Never croner's own message: it quotes the expression,
 * and an error must not echo a client's input.
 */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return `cron must have 5 fields (minute hour day month weekday); got ${fields.length}`;
  if (parses(expr)) return null;
  // Each field alone among wildcards: the first one that fails on its own is the one to fix.
  const bad = CRON_FIELDS.find((_, i) => !parses(fields.map((f, j) => (j === i ? f : '*')).join(' ')));
  return bad
    ? `invalid cron: the ${bad[0]} field must be *, a number in ${bad[1]}, a range a-b, a list a,b or a step */n`
    : 'invalid cron: these fields cannot be combined';
}

export function timezoneProblem(tz: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return null;
  } catch {
    return 'unknown time zone (use an IANA name such as Europe/Paris or UTC)';
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
