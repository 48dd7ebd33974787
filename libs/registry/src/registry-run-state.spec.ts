import { describe, expect, it } from 'vitest';
import { RegistryError } from './registry-error.ts';
import { RegistryRunState } from './registry-run-state.ts';

describe('RegistryRunState', () => {
  it('a 429 pause holds back every later request to that registry, not only the one that was told', async () => {
    const state = new RegistryRunState();
    await state.beforeRequest('r', 10);
    const pausedAt = Date.now();
    state.pause('r', 10, 300);
    const released = await Promise.all([1, 2, 3].map(() => state.beforeRequest('r', 10).then(() => Date.now())));
    for (const t of released) expect(t - pausedAt).toBeGreaterThanOrEqual(295);
    // Another registry is not held back.
    await state.beforeRequest('other', 10);
    expect(state.stats().find((s) => s.registry === 'r')).toMatchObject({ requests: 4, rateLimited: 1, waitedMs: 300 });
  });

  it('overlapping pauses count once in waitedMs', () => {
    const state = new RegistryRunState();
    state.pause('r', 10, 1000);
    state.pause('r', 10, 400);
    expect(state.stats()[0]!.waitedMs).toBe(1000);
    expect(state.stats()[0]!.rateLimited).toBe(2);
  });

  it('refuses the request past the budget with registry_budget_exhausted', async () => {
    const state = new RegistryRunState();
    await state.beforeRequest('r', 2);
    await state.beforeRequest('r', 2);
    const err = await state.beforeRequest('r', 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({ kind: 'registry_budget_exhausted' });
    expect(state.stats()[0]).toMatchObject({ requests: 2, budget: 2 });
  });

  it('after giving up on a registry, every later request fails at once with the time left', async () => {
    const state = new RegistryRunState();
    expect(() => state.giveUp('r', 10, 3_600_000)).toThrow(RegistryError);
    const err = await state.beforeRequest('r', 10).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'registry_rate_limited' });
    expect((err as RegistryError).retryAfterSeconds).toBeGreaterThan(3500);
    expect(state.stats()[0]).toMatchObject({ requests: 0, rateLimited: 1 });
  });
});
