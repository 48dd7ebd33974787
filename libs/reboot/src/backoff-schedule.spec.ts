import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelayMs, backoffSchedule } from './backoff-schedule.ts';

describe('backoff schedule', () => {
  it('default: 0.5 s growing ×1.5 up to 5 s', () => {
    expect(DEFAULT_BACKOFF).toEqual({ initialMs: 500, factor: 1.5, maxMs: 5_000 });
    expect(backoffSchedule(9)).toEqual([500, 750, 1125, 1688, 2531, 3797, 5000, 5000, 5000]);
  });

  it('custom options, and nonsense values are made safe', () => {
    expect(backoffSchedule(4, { initialMs: 100, factor: 2, maxMs: 500 })).toEqual([100, 200, 400, 500]);
    expect(backoffSchedule(3, { initialMs: 100, factor: 0.5, maxMs: 50 })).toEqual([100, 100, 100]);
    expect(backoffDelayMs(-1, { initialMs: 100, factor: 2, maxMs: 1000 })).toBe(100);
    expect(backoffDelayMs(1000, DEFAULT_BACKOFF)).toBe(5000);
    expect(backoffSchedule(0)).toEqual([]);
  });
});
