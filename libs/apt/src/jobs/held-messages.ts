import type { AptSnapshotDetail } from '@su/contracts';
import { messageDedupKey, type AptMessage } from '../apt-messages.extractor.ts';

/** Categories of notices about the machine's state now, resolved when a later analysis no longer sees them. */
export const STATE_CATEGORIES = ['kept_back', 'held', 'phased'] as const;

/**
 * The analysis' notices with held packages told as held: one "held" notice per held package that has an update
 * (security named), in place of the "kept back" lines both simulations print for it; one notice per condition.
 */
export function heldMessages(messages: AptMessage[], detail: AptSnapshotDetail): AptMessage[] {
  const held = new Set([...(detail.held ?? []), ...(detail.heldPackages ?? []).map((p) => p.name)]);
  const out: AptMessage[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    if (m.category === 'kept_back' && m.packageName && held.has(m.packageName)) continue;
    if (seen.has(m.dedupKey)) continue;
    seen.add(m.dedupKey);
    out.push(m);
  }
  for (const p of detail.heldPackages ?? []) {
    const suites = [...new Set((p.sources ?? []).map((s) => s.codename ?? s.suite).filter(Boolean))].join(', ');
    const message = `${p.name} ${p.currentVersion ?? '?'} → ${p.targetVersion ?? '?'} is held (apt-mark hold) and will not be upgraded${p.security ? `: it is a security update${suites ? ` (${suites})` : ''}` : ''}; 'apt-mark unhold ${p.name}' to let it upgrade`;
    out.push({
      category: 'held',
      severity: p.security ? 'warning' : 'info',
      packageName: p.name,
      message,
      lineNo: 0,
      dedupKey: messageDedupKey('held', p.name, 'held'),
    });
  }
  return out;
}
