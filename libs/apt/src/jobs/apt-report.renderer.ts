import type { AptExecutionResult, SnapshotError } from '@su/contracts';
import { markdownTable } from '@su/platform';
import type { AptMessage } from '../apt-messages.extractor.ts';

/** A readable account of an APT execution: what was planned, what changed, what went wrong, what to do next. */
export function renderAptReport(r: {
  machineName: string;
  action: string;
  status: string;
  startedAt: string;
  finishedAt: string;
  result: AptExecutionResult;
  messages: AptMessage[];
  errors: SnapshotError[];
  /** Who asked for it and, for an action request, who approved it, when, with what note. */
  origin?: {
    requestedBy: string;
    requestId: string | null;
    approvedBy: string | null;
    approvedAt: string | null;
    note: string | null;
  } | null;
}): string {
  const x = r.result;
  const o = r.origin;
  const lines = [
    `# ${r.action} on ${r.machineName}: ${r.status}`,
    '',
    `Started ${r.startedAt}, finished ${r.finishedAt}.`,
    '',
    ...(o
      ? [
          `Requested by ${o.requestedBy}${o.requestId ? ` (action request ${o.requestId})` : ''}.` +
            (o.approvedBy
              ? ` Approved by ${o.approvedBy}${o.approvedAt ? ` at ${o.approvedAt}` : ''}${o.note ? `, note: "${o.note}"` : ', no note'}.`
              : o.requestId
                ? ' Not approved by anyone on record.'
                : ''),
          '',
        ]
      : []),
    '## Planned',
    '',
    x.planned.length
      ? markdownTable(
          ['package', 'from', 'to', 'operation', 'origin', 'security'],
          x.planned.map((p) => [
            p.name,
            p.currentVersion,
            p.targetVersion,
            p.operation,
            p.origin,
            p.security ? 'yes' : '',
          ]),
        )
      : 'Nothing was planned.',
    '',
    '## What changed (dpkg, before → after)',
    '',
    x.applied.length
      ? markdownTable(
          ['package', 'from', 'to', 'operation'],
          x.applied.map((c) => [c.name, c.fromVersion, c.toVersion, c.operation]),
        )
      : 'No package changed.',
    '',
  ];
  if (x.planComparison) {
    lines.push(
      x.planComparison.matches
        ? 'The changes are exactly the plan.'
        : `The changes differ from the plan: ${x.planComparison.unexpected.length} unexpected, ${x.planComparison.missing.length} planned but not applied (${x.planComparison.missing.map((m) => m.name).join(', ') || '—'}).`,
      '',
    );
  }
  if (x.spaceFreedBytes !== undefined) lines.push(`Space freed: ${x.spaceFreedBytes} bytes.`, '');
  lines.push(
    `Reboot required after this run: ${x.rebootRequiredAfterRun ? `yes (${(x.rebootPkgs ?? []).join(', ') || 'no package named'})` : 'no'}.`,
    '',
  );
  if (r.errors.length)
    lines.push(
      '## Errors',
      '',
      ...r.errors.map(
        (e) =>
          `- **${e.kind}** (${e.severity}): ${e.message}${e.remediation ? `\n  - What to do: ${e.remediation}` : ''}`,
      ),
      '',
    );
  if (r.messages.length)
    lines.push(
      '## Important messages',
      '',
      ...r.messages.map((m) => `- [${m.category}] ${m.packageName ? `**${m.packageName}**: ` : ''}${m.message}`),
      '',
    );
  return lines.join('\n');
}
