import type { MaintenancePartState, MaintenanceRunStatus, ResolvedMaintenanceOptions } from '@su/contracts';
import { markdownTable } from '@su/platform';
import type { MaintenancePlan } from './maintenance-plan.ts';

/** What the combined report is made of: the run, its plan, its parts, and each part job's own report. */
export interface MaintenanceReportInput {
  machineName: string;
  status: MaintenanceRunStatus;
  options: ResolvedMaintenanceOptions;
  plan: MaintenancePlan | null;
  approvedHash: string | null;
  parts: MaintenancePartState[];
  /** The Markdown report of each part job that wrote one, by job id. */
  jobReports: ReadonlyMap<string, string>;
  startedAt: string;
  finishedAt: string;
}

const seconds = (a: string | null, b: string | null) =>
  a && b ? ((Date.parse(b) - Date.parse(a)) / 1000).toFixed(1) : null;

/** A part job's report inside the combined one: its headings two levels down. */
const nested = (md: string) => md.replace(/^(#{1,4}) /gm, (_m, h: string) => `${h}## `);

function planSection(r: MaintenanceReportInput): string[] {
  const p = r.plan;
  if (!p) return ['## Plan', '', 'No plan: the run stopped before its analysis and registry check ended.', ''];
  const list = (xs: string[]) => (xs.length ? xs.map((x) => `- ${x}`) : ['- none']);
  return [
    '## Plan',
    '',
    `Plan hash \`${p.hash}\`${r.approvedHash ? ` (approved: \`${r.approvedHash}\`)` : ''}.`,
    '',
    `Package changes (${p.aptLines.length}):`,
    ...list(p.aptLines),
    '',
    `Image changes (${p.dockerLines.length}):`,
    ...list(p.dockerLines),
    '',
    `Reboot predicted: ${p.rebootPredicted ? 'yes' : 'no'}.`,
    ...(p.problems.length ? ['', 'Problems:', ...p.problems.map((x) => `- ${x}`)] : []),
    '',
  ];
}

function partSection(part: MaintenancePartState, jobReports: ReadonlyMap<string, string>): string[] {
  const head = `## Part ${part.part}: ${part.status}${part.skipReason ? ` (${part.skipReason})` : ''}`;
  const jobs = part.jobs.length
    ? markdownTable(
        ['job', 'kind', 'status', 'execution', 'seconds', 'error'],
        part.jobs.map((j) => [
          j.jobId,
          j.kind,
          j.status,
          j.executionId,
          seconds(j.startedAt, j.finishedAt),
          j.errorKind ? `${j.errorKind}: ${j.errorMessage ?? ''}` : null,
        ]),
      )
    : '';
  return [
    head,
    '',
    `Started ${part.startedAt ?? '—'}, finished ${part.finishedAt ?? '—'} (${seconds(part.startedAt, part.finishedAt) ?? '—'} s).`,
    '',
    ...part.messages.map((m) => `- ${m}`),
    ...(part.messages.length ? [''] : []),
    ...(jobs ? [jobs, ''] : []),
    ...part.jobs.flatMap((j) => {
      const md = jobReports.get(j.jobId);
      return md ? [nested(md), ''] : [];
    }),
  ];
}

/** The one Markdown report of a maintenance run: plan vs result, per part (diffs, timings, messages). */
export function renderMaintenanceReport(r: MaintenanceReportInput): string {
  const o = r.options;
  return [
    `# Maintenance of ${r.machineName}: ${r.status}`,
    '',
    markdownTable(
      ['part', 'status', 'reason', 'seconds'],
      r.parts.map((p) => [p.part, p.status, p.skipReason, seconds(p.startedAt, p.finishedAt)]),
    ),
    '',
    `Options: APT ${o.apt}, reboot ${o.reboot}, Docker ${o.docker ? 'apply' : 'no'}, prune ${o.prune}, autoremove ${o.autoremove ? 'yes' : 'no'}, clean ${o.clean ? 'yes' : 'no'}, on failure ${o.failurePolicy}.`,
    `Started ${r.startedAt}, finished ${r.finishedAt} (${seconds(r.startedAt, r.finishedAt)} s).`,
    '',
    ...planSection(r),
    ...r.parts.flatMap((p) => partSection(p, r.jobReports)),
  ].join('\n');
}
