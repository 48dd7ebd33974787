import type { DockerExecutionResult } from '@su/contracts';
import { markdownTable } from '@su/platform';

const short = (id: string | null | undefined) => (id ? id.replace(/^sha256:/, '').slice(0, 12) : null);

/** A readable account of a Docker execution: what changed per service, what failed, what was rolled back. */
export function renderDockerReport(r: {
  machineName: string;
  action: string;
  status: string;
  startedAt: string;
  finishedAt: string;
  result: DockerExecutionResult;
  failure: { errorKind: string; message: string; remediation: string } | null;
}): string {
  const x = r.result;
  const changes = x.pull?.changes ?? [];
  return [
    `# ${r.action} on ${r.machineName}: ${r.status}`,
    '',
    `Started ${r.startedAt}, finished ${r.finishedAt}.`,
    '',
    ...(changes.length
      ? [
          '## Images',
          '',
          markdownTable(
            ['stack', 'service', 'operation', 'image', 'from id', 'to id', 'from digest', 'to digest'],
            changes.map((c) => [
              c.stack,
              c.serviceName,
              c.operation,
              c.fromRef && c.fromRef !== c.imageRef ? `${c.fromRef} → ${c.imageRef}` : c.imageRef,
              short(c.fromImageId),
              short(c.toImageId),
              c.fromDigest,
              c.toDigest,
            ]),
          ),
          '',
        ]
      : []),
    ...(x.up
      ? [
          '## Containers',
          '',
          `Recreated: ${x.up.recreated.join(', ') || 'none'}. Running: ${x.up.running.join(', ') || 'none'}.` +
            (x.up.exited.length ? ` Exited: ${x.up.exited.join(', ')}.` : '') +
            (x.up.unhealthy.length ? ` Unhealthy: ${x.up.unhealthy.join(', ')}.` : ''),
          '',
        ]
      : []),
    ...(x.rollback?.asked
      ? [
          '## Rollback',
          '',
          x.rollback.done
            ? `Rolled back to the previous image: ${x.rollback.services.join(', ')}.`
            : 'Rollback was asked but nothing needed it.',
          '',
        ]
      : []),
    ...(x.failingLogs ?? []).flatMap((l) => [`## Last log lines of ${l.service}`, '', '```', ...l.lines, '```', '']),
    ...(x.prune
      ? [
          '## Prune',
          '',
          `Mode ${x.prune.mode}: ${x.prune.imagesDeleted.length} image(s)/layer(s) deleted, ${x.prune.bytesReclaimed} bytes reclaimed (as Docker reports).`,
          '',
        ]
      : []),
    ...(x.importantLines?.length ? ['## Important messages', '', ...x.importantLines.map((l) => `- ${l}`), ''] : []),
    ...(r.failure
      ? [
          '## Error',
          '',
          `**${r.failure.errorKind}**: ${r.failure.message}`,
          '',
          `What to do: ${r.failure.remediation}`,
          '',
        ]
      : []),
  ].join('\n');
}

/** compose's lines worth reading (seed 004 §7): pulls, recreations, starts, errors and warnings. */
export function importantComposeLines(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) =>
      /Pull|Digest|Status|Downloaded newer image|Recreat|Start|Error|error|warn|deleted|Total reclaimed/i.test(l),
    )
    .slice(0, 100);
}
