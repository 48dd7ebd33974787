import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WAIT_SECONDS,
  MAX_WAIT_SECONDS,
  MIN_WAIT_SECONDS,
  recommendedWaitSeconds,
} from './recommended-wait.ts';

describe('recommendedWaitSeconds', () => {
  it('no usable history gives the default', () => {
    expect(recommendedWaitSeconds([])).toBe(DEFAULT_WAIT_SECONDS);
    expect(recommendedWaitSeconds([0, -3, Number.NaN, Number.POSITIVE_INFINITY])).toBe(DEFAULT_WAIT_SECONDS);
  });

  it('fewer than 10 samples: the maximum × 1.5 + 30, rounded up', () => {
    expect(recommendedWaitSeconds([40, 55, 48])).toBe(Math.ceil(55 * 1.5 + 30)); // 113
    expect(recommendedWaitSeconds([100.2])).toBe(181); // 150.3 + 30 → 180.3 → 181
  });

  it('p90 by nearest rank ignores one freak reboot among 10 or more', () => {
    const usual = [30, 31, 32, 33, 34, 35, 36, 37, 38, 39];
    expect(recommendedWaitSeconds(usual)).toBe(Math.ceil(38 * 1.5 + 30)); // p90 of 10 = 9th value
    expect(recommendedWaitSeconds([...usual, 600].slice(-10))).toBe(Math.ceil(39 * 1.5 + 30));
    const twenty = [...Array.from({ length: 19 }, () => 40), 900];
    expect(recommendedWaitSeconds(twenty)).toBe(90); // 40 × 1.5 + 30
  });

  it('floor and ceiling', () => {
    expect(recommendedWaitSeconds([3, 4, 3.5])).toBe(MIN_WAIT_SECONDS);
    expect(recommendedWaitSeconds([5000])).toBe(MAX_WAIT_SECONDS);
  });

  it('only the last 20 reboots count (oldest first)', () => {
    const old = Array.from({ length: 5 }, () => 500);
    const recent = Array.from({ length: 20 }, () => 50);
    expect(recommendedWaitSeconds([...old, ...recent])).toBe(105);
    expect(recommendedWaitSeconds([...recent, ...old])).toBe(Math.ceil(500 * 1.5 + 30));
  });
});
