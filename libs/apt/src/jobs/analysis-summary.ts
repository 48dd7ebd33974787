import type { AptSnapshotDetail } from '@su/contracts';

/** The one-line summary of an analysis for its machine event: what is actionable, then what is counted apart. */
export function analysisSummary(detail: AptSnapshotDetail, securityCount: number): string {
  const parts = [`${detail.count} update(s), ${securityCount} security`];
  if (detail.heldCount)
    parts.push(
      `${detail.heldCount} held${detail.heldSecurityCount ? `, ${detail.heldSecurityCount} of them security` : ''}`,
    );
  if (detail.phasedCount) parts.push(`${detail.phasedCount} phased (kept back for now)`);
  const reboot = [
    ...(detail.rebootRequired ? ['reboot required'] : []),
    ...(detail.rebootAfterApply
      ? [`applying will require a reboot (${(detail.rebootAfterApplyPkgs ?? []).join(', ')})`]
      : []),
  ];
  if (detail.errors?.length) parts.push(`${detail.errors.length} problem(s)`);
  return [parts[0] + (reboot.length ? `, ${reboot.join(', ')}` : ''), ...parts.slice(1)].join('; ');
}
