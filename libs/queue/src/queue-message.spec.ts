import { describe, expect, it } from 'vitest';
import { InvalidJobPayloadError } from '@su/contracts';
import { decodeQueueMessage } from './queue-message.ts';

const jobId = '00000000-0000-4000-8000-000000000001';

describe('decodeQueueMessage', () => {
  it('gives back the message with its validated payload', () => {
    const m = decodeQueueMessage('system.selftest', 'boss-1', {
      jobId,
      kind: 'system.selftest',
      machineId: null,
      payload: { echo: 'hi' },
    });
    expect(m).toEqual({ jobId, kind: 'system.selftest', machineId: null, payload: { echo: 'hi' } });
  });

  it('keeps the jobs row id even when pg-boss delivers it under another id (a re-queue)', () => {
    const m = decodeQueueMessage('machine.probe', 'another-boss-id', {
      jobId,
      kind: 'machine.probe',
      machineId: 'm-1',
      payload: {},
    });
    expect(m.jobId).toBe(jobId);
    expect(m.machineId).toBe('m-1');
  });

  it('refuses a message of another kind, or without a job id, naming the pg-boss id only', () => {
    expect(() => decodeQueueMessage('system.selftest', 'boss-2', { jobId, kind: 'machine.probe' })).toThrow(
      'malformed message on queue system.selftest (pg-boss id boss-2)',
    );
    expect(() => decodeQueueMessage('system.selftest', 'boss-3', { kind: 'system.selftest' })).toThrow(/boss-3/);
    expect(() => decodeQueueMessage('system.selftest', 'boss-4', null)).toThrow(/boss-4/);
    expect(() => decodeQueueMessage('system.selftest', 'boss-5', 'text')).toThrow(/boss-5/);
  });

  it('refuses a payload its kind does not accept, without echoing it', () => {
    const secret = 'x'.repeat(300);
    try {
      decodeQueueMessage('system.selftest', 'boss-6', { jobId, kind: 'system.selftest', payload: { echo: secret } });
      expect.unreachable('a too-long echo must be refused');
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidJobPayloadError);
      expect((e as Error).message).not.toContain(secret);
    }
  });
});
