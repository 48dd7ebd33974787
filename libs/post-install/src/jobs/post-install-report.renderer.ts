import { markdownTable } from '@su/platform';
import type { ResolvedVariable } from '@su/templates';
import type { RecipeRunOutcome } from './recipe-run.ts';

export interface PostInstallReportInput {
  machineName: string;
  profileLabel: string;
  recipeLabel: string;
  version: number;
  sha256: string;
  script: string;
  check: string | null;
  variables: ResolvedVariable[];
  outcome: RecipeRunOutcome | null;
  failure: { errorKind: string; message: string } | null;
  startedAt: string;
  finishedAt: string;
}

/** A fence longer than any run of backticks in `text`, so a script cannot close its own block. */
function fenced(text: string, lang = ''): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\n$/, '')}\n${fence}`;
}

const STATUS_WORDS: Record<string, string> = {
  ok: 'applied',
  already_applied: 'already applied (its check passed; the script was not run)',
  error: 'failed',
};

/** The run's Markdown report: what ran (version, sha256, the exact script with secrets as references), how it ended. */
export function renderPostInstallReport(x: PostInstallReportInput): string {
  const status = x.failure ? 'failed' : (STATUS_WORDS[x.outcome?.status ?? 'error'] ?? 'failed');
  const lines = [
    `# Post-install: ${x.profileLabel} / ${x.recipeLabel} on ${x.machineName}`,
    '',
    `- Status: **${status}**`,
    `- Recipe version: ${x.version} (sha256 of the script \`${x.sha256}\`)`,
    `- Started: ${x.startedAt}; finished: ${x.finishedAt}`,
  ];
  if (x.outcome?.checkExitCode !== null && x.outcome?.checkExitCode !== undefined)
    lines.push(`- Check exit status: ${x.outcome.checkExitCode}`);
  if (x.outcome?.exitCode !== null && x.outcome?.exitCode !== undefined)
    lines.push(`- Script exit status: ${x.outcome.exitCode}`);
  if (x.failure) lines.push(`- Error: ${x.failure.errorKind}: ${x.failure.message}`);
  lines.push('', '## Variables', '');
  lines.push(
    markdownTable(
      ['name', 'value', 'source'],
      x.variables.map((v) => [v.name, v.secret ? '(secret, not shown)' : JSON.stringify(v.value ?? null), v.source]),
    ),
  );
  if (x.check) lines.push('', '## Check', '', fenced(x.check, 'sh'));
  lines.push('', '## Script', '', fenced(x.script, 'sh'));
  if (x.outcome?.outputTail.length)
    lines.push('', '## Output (last lines)', '', fenced(x.outcome.outputTail.join('\n')));
  return `${lines.join('\n')}\n`;
}
