import { describe, expect, it } from 'vitest';
import { executionResultSchema, rebootResultSchema, updateSnapshotSchema } from './apt.ts';

describe('apt contracts (ARCHITECTURE §C)', () => {
  it('a milestone-1 snapshot (no additive fields) stays valid', () => {
    const s = {
      machineId: 'm1',
      hostname: 'nas',
      os: { family: 'debian', version: '12' },
      checkedAt: '2026-01-01T00:00:00Z',
      status: 'ok',
      apt: { enabled: true, count: 0, rebootRequired: false, packages: [] },
    };
    expect(updateSnapshotSchema.parse(s)).toEqual(s);
  });

  it('keeps opaque blocks owned by other libs', () => {
    const e = {
      executionId: 'e',
      machineId: 'm',
      startedAt: 'a',
      finishedAt: 'b',
      mode: 'manual',
      action: 'reboot_verified',
      status: 'ok',
      rebootRequiredAfterRun: false,
      importantLogLines: [],
      rawLogRef: 'r',
      reportRef: 'p',
      schemaVersion: 1,
      docker: { pull: { changes: [] } },
      reboot: rebootResultSchema.parse({
        beforeBootId: 'x',
        afterBootId: 'y',
        requestedAt: 'a',
        sshWentDownAt: 'b',
        sshCameBackAt: 'c',
        waitedSeconds: 12,
        status: 'ok',
      }),
    };
    expect(executionResultSchema.parse(e)).toEqual(e);
  });
});
