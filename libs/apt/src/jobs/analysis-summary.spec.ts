import { describe, expect, it } from 'vitest';
import type { AptSnapshotDetail } from '@su/contracts';
import { analysisSummary } from './analysis-summary.ts';

const base: AptSnapshotDetail = { enabled: true, count: 3, rebootRequired: false, packages: [] };

describe('the analysis event summary', () => {
  it('actionable first, then the reboot to come, then what is counted apart', () => {
    expect(
      analysisSummary(
        {
          ...base,
          heldCount: 1,
          heldSecurityCount: 1,
          phasedCount: 2,
          rebootAfterApply: true,
          rebootAfterApplyPkgs: ['raspberrypi-kernel'],
        },
        1,
      ),
    ).toBe(
      '3 update(s), 1 security, applying will require a reboot (raspberrypi-kernel); 1 held, 1 of them security; 2 phased (kept back for now)',
    );
  });

  it('the plain case, and a reboot already required with problems', () => {
    expect(analysisSummary(base, 0)).toBe('3 update(s), 0 security');
    expect(
      analysisSummary(
        { ...base, rebootRequired: true, errors: [{ source: 'apt', kind: 'x', severity: 'error', message: 'm' }] },
        0,
      ),
    ).toBe('3 update(s), 0 security, reboot required; 1 problem(s)');
  });
});
