import { describe, expect, it } from 'vitest';
import { withRetries } from './transient-retry.ts';

describe('withRetries', () => {
  it('tries again after a failure and returns the first success', async () => {
    let calls = 0;
    const seen: number[] = [];
    const r = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw new Error(`blip ${calls}`);
        return 'sent';
      },
      { attempts: 5, delayMs: 1, onRetry: (_e, n) => seen.push(n) },
    );
    expect(r).toBe('sent');
    expect(calls).toBe(3);
    expect(seen).toEqual([1, 2]);
  });

  it('throws the last failure once the attempts are spent', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error(`down ${calls}`);
        },
        { attempts: 3, delayMs: 1 },
      ),
    ).rejects.toThrow('down 3');
    expect(calls).toBe(3);
  });
});
