import { describe, expect, it } from 'vitest';
import { cronProblem, nextRuns, timezoneProblem } from './cron-spec.ts';

describe('cron specs', () => {
  it('refuses bad cron and time zones with the reason', () => {
    expect(cronProblem('61 * * * *')).toMatch(/invalid cron/);
    expect(cronProblem('* * * *')).toMatch(/5 fields/);
    expect(cronProblem('0 0 * * * *')).toMatch(/5 fields/);
    expect(cronProblem('*/15 3 * * 1-5')).toBeNull();
    expect(timezoneProblem('Mars/Olympus')).toMatch(/unknown time zone/);
    // The faulty field is named; neither the expression nor the zone is quoted back.
    expect(cronProblem('0 25 * * *')).toMatch(/^invalid cron: the hour field must be/);
    expect(cronProblem('0 3 * * SECRET')).toMatch(/day-of-week/);
    expect(cronProblem('0 3 * * SECRET')).not.toContain('SECRET');
    expect(timezoneProblem('Mars/Olympus')).not.toContain('Olympus');
    expect(timezoneProblem('Europe/Paris')).toBeNull();
  });

  it('follows the time zone across DST changes', () => {
    // Europe/Paris springs forward on 2026-03-29 at 02:00 → 03:00: 02:30 does not exist that day, so the nightly run
    // happens at the first instant that does (03:00 local), like Vixie cron, rather than being lost.
    const spring = nextRuns('30 2 * * *', 'Europe/Paris', new Date('2026-03-28T12:00:00Z'), 2).map((d) =>
      d.toISOString(),
    );
    expect(spring).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    // Falls back on 2026-10-25 at 03:00 → 02:00: 02:30 happens twice but fires once.
    const fall = nextRuns('30 2 * * *', 'Europe/Paris', new Date('2026-10-24T12:00:00Z'), 2).map((d) =>
      d.toISOString(),
    );
    expect(fall).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    // Every minute, in UTC.
    expect(nextRuns('* * * * *', 'UTC', new Date('2026-01-01T00:00:30Z'), 2).map((d) => d.toISOString())).toEqual([
      '2026-01-01T00:01:00.000Z',
      '2026-01-01T00:02:00.000Z',
    ]);
  });
});
