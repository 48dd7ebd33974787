import { describe, expect, it, vi } from 'vitest';
import type { SshSession } from '@su/ssh';
import { SessionPool } from './session-pool.ts';

/** A stand-in for a connection: only what the pool looks at (pure pool logic; the real thing is in the lab tests). */
function fakeSession(alive = true) {
  const s = { alive, closed: 0, close: vi.fn(async () => void s.closed++) };
  return s as typeof s & SshSession;
}

describe('SessionPool', () => {
  it('hands a kept connection back once, for the same key only', () => {
    const pool = new SessionPool(30_000);
    const s = fakeSession();
    pool.put('m1', 'k', s);
    expect(pool.take('m1', 'k')).toBe(s);
    expect(pool.take('m1', 'k')).toBeNull();
    pool.put('m1', 'k', s);
    // Other credentials: the kept connection is closed, never used.
    expect(pool.take('m1', 'other')).toBeNull();
    expect(s.close).toHaveBeenCalledTimes(1);
  });

  it('never keeps or hands out a dead connection, and keeps nothing when keeping is off', () => {
    const dead = fakeSession(false);
    const pool = new SessionPool(30_000);
    pool.put('m1', 'k', dead);
    expect(pool.size).toBe(0);
    expect(dead.close).toHaveBeenCalled();
    const s = fakeSession();
    pool.put('m2', 'k', s);
    (s as { alive: boolean }).alive = false;
    expect(pool.take('m2', 'k')).toBeNull();
    const off = new SessionPool(0);
    const t = fakeSession();
    off.put('m3', 'k', t);
    expect(off.size).toBe(0);
    expect(t.close).toHaveBeenCalled();
  });

  it('keeps at most maxKept connections, closing the oldest first', () => {
    const pool = new SessionPool(30_000, 2);
    const [a, b, c] = [fakeSession(), fakeSession(), fakeSession()];
    pool.put('m1', 'k', a);
    pool.put('m2', 'k', b);
    pool.put('m3', 'k', c);
    expect(pool.size).toBe(2);
    expect(a.close).toHaveBeenCalledTimes(1);
    expect(pool.take('m1', 'k')).toBeNull();
    // Kept again, a machine's connection is the newest: the oldest now is m3's.
    pool.put('m2', 'k', b);
    pool.put('m4', 'k', fakeSession());
    expect(c.close).toHaveBeenCalledTimes(1);
    expect(b.close).not.toHaveBeenCalled();
    expect(pool.take('m2', 'k')).toBe(b);
  });

  it('closes a connection unused for the keep time, and all of them on shutdown', async () => {
    vi.useFakeTimers();
    try {
      const pool = new SessionPool(1000);
      const a = fakeSession();
      const b = fakeSession();
      pool.put('m1', 'k', a);
      pool.put('m2', 'k', b);
      vi.advanceTimersByTime(1001);
      expect(a.close).toHaveBeenCalled();
      expect(pool.size).toBe(0);
      const c = fakeSession();
      pool.put('m3', 'k', c);
      await pool.closeAll();
      expect(c.close).toHaveBeenCalled();
      expect(b.close).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a second connection kept for a machine replaces (and closes) the first; drop closes it', () => {
    const pool = new SessionPool(30_000);
    const a = fakeSession();
    const b = fakeSession();
    pool.put('m1', 'k', a);
    pool.put('m1', 'k', b);
    expect(a.close).toHaveBeenCalled();
    pool.drop('m1');
    expect(b.close).toHaveBeenCalled();
    expect(pool.take('m1', 'k')).toBeNull();
  });
});
