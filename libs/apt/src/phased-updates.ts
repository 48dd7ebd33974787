// Phased updates (Ubuntu's staged rollouts): a version with Phased-Update-Percentage is offered to that share of
// machines first. apt 2.6 (bookworm, the lab's) keeps it back on the others in both `upgrade` and `dist-upgrade`
// without saying why; only `apt-cache policy PKG` marks the candidate "(phased N%)". So a phased package is never in
// the plan: the analysis lists it apart, with its sources and percentage, and says why in one notice.
import type { AptPackage, AptSnapshotDetail } from '@su/contracts';
import { messageDedupKey, type AptMessage } from './apt-messages.extractor.ts';

/** `apt-cache policy PKG...`: package → the phasing percentage of its candidate, for the phased ones only. */
export function parsePhasedPercentages(output: string): Map<string, number> {
  const out = new Map<string, number>();
  let current: string | null = null;
  let candidate: string | null = null;
  for (const line of output.split(/\r?\n/)) {
    const header = /^(\S+):$/.exec(line);
    if (header) {
      current = (header[1] ?? '').split(':')[0] ?? null;
      candidate = null;
      continue;
    }
    const cand = /^\s+Candidate: (\S+)/.exec(line);
    if (cand) candidate = cand[1] ?? null;
    const ver = /^\s+(?:\*\*\*)?\s*(\S+) -?\d+ \(phased (\d+)%\)/.exec(line);
    if (current && ver && ver[1] === candidate) out.set(current, Number(ver[2]));
  }
  return out;
}

/** The analysis with its phased packages listed (kept back, with sources and percentage) and counted apart. */
export function withPhased(detail: AptSnapshotDetail, percentages: ReadonlyMap<string, number>): AptSnapshotDetail {
  const phased = new Set(detail.phased ?? []);
  const held = new Set(detail.held ?? []);
  const phasedPackages: AptPackage[] = (detail.keptBack ?? [])
    .filter((p) => phased.has(p.name) && !held.has(p.name))
    .map((p) => {
      const pct = percentages.get(p.name);
      return { ...p, phased: true, ...(pct === undefined ? {} : { phasedPercentage: pct }) };
    });
  return { ...detail, phasedPackages, phasedCount: phasedPackages.length };
}

/**
 * The notices with phased packages told as phased: one "phased" notice per package (what, from where, why it waits,
 * what to do), in place of the "kept back" lines both simulations print for it.
 */
export function phasedMessages(messages: AptMessage[], detail: AptSnapshotDetail): AptMessage[] {
  const phased = new Set((detail.phasedPackages ?? []).map((p) => p.name));
  const out = messages.filter((m) => !(m.category === 'kept_back' && m.packageName && phased.has(m.packageName)));
  for (const p of detail.phasedPackages ?? []) {
    const from = [...new Set((p.sources ?? []).map((s) => [s.origin, s.suite].filter(Boolean).join(' ')))].join(', ');
    const share = p.phasedPercentage === undefined ? 'a share of machines' : `${p.phasedPercentage}% of machines`;
    out.push({
      category: 'phased',
      severity: 'info',
      packageName: p.name,
      message: `${p.name} ${p.currentVersion ?? '?'} → ${p.targetVersion ?? '?'}${from ? ` (${from})` : ''} is a phased update: it is offered to ${share} for now and apt keeps it back on this one, so it is not in the plan; apt takes it once this machine's phase comes (APT::Get::Always-Include-Phased-Updates takes it now)`,
      lineNo: 0,
      dedupKey: messageDedupKey('phased', p.name, 'phased'),
    });
  }
  return out;
}
