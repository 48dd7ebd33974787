import { describe, expect, it } from 'vitest';
import { loadConfig } from '@su/config';
import { checkHandlers, concurrencyOf, HandlerRegistrationError, workerConcurrency } from './job-runner.ts';
import { SelftestHandler } from './selftest.handler.ts';
import type { JobHandler } from './job-handler.ts';

describe('checkHandlers (fail fast at start)', () => {
  // Handlers that are never run: only their kinds matter here.
  const dockerKinds = ['docker.scan', 'docker.check', 'docker.apply', 'docker.prune'] as const;
  const fake = (kind: string) => ({ kind, handle: async () => ({}) }) as unknown as JobHandler;

  it('accepts exactly one handler per owned kind', () => {
    const map = checkHandlers('docker-worker', [
      new SelftestHandler('docker.selftest', 'docker-worker'),
      ...dockerKinds.map(fake),
    ]);
    expect([...map.keys()].sort()).toEqual([
      'docker.apply',
      'docker.check',
      'docker.prune',
      'docker.scan',
      'docker.selftest',
    ]);
  });

  it('refuses a service with an owned kind left without a handler', () => {
    expect(() => checkHandlers('docker-worker', dockerKinds.map(fake))).toThrow(
      new HandlerRegistrationError('docker-worker: no handler for "docker.selftest"'),
    );
  });

  it('refuses two handlers for one kind', () => {
    const h = new SelftestHandler('system.selftest', 'apt-worker');
    expect(() => checkHandlers('apt-worker', [h, h])).toThrow(/two handlers for "system.selftest"/);
  });

  it("refuses a handler for another service's kind or an unknown kind", () => {
    expect(() =>
      checkHandlers('apt-worker', [
        new SelftestHandler('system.selftest', 'apt-worker'),
        new SelftestHandler('docker.selftest', 'apt-worker'),
      ]),
    ).toThrow(/belongs to docker-worker, not apt-worker/);
    const bogus = { kind: 'apt.nope', handle: async () => ({}) } as unknown as JobHandler;
    expect(() => checkHandlers('apt-worker', [new SelftestHandler('system.selftest', 'apt-worker'), bogus])).toThrow(
      /unknown job kind "apt.nope"/,
    );
  });
});

describe('concurrency per kind (ADR 0047)', () => {
  const settings = { other: 4, readOnly: 64 };

  it('runs the read-only SSH kinds at the read concurrency and every other kind at the plain one', () => {
    expect(concurrencyOf('machine.probe', settings)).toBe(64);
    expect(concurrencyOf('apt.update_analyze', settings)).toBe(64);
    expect(concurrencyOf('machine.metrics_sample', settings)).toBe(64);
    expect(concurrencyOf('apt.upgrade', settings)).toBe(4);
    expect(concurrencyOf('machine.reboot_verified', settings)).toBe(4);
    expect(concurrencyOf('docker.scan', settings)).toBe(4);
  });

  it('reads both from the configuration', () => {
    const config = loadConfig({ SU_WORKER_CONCURRENCY: '3', SU_WORKER_READ_CONCURRENCY: '80' });
    expect(workerConcurrency(config)).toEqual({ other: 3, readOnly: 80 });
  });
});
