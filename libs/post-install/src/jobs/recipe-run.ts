import type { CommandResult, SshSession } from '@su/ssh';
import { scriptWithSecrets } from '@su/templates';
import type { RecipeRender } from '../recipe-render.service.ts';

/** How long the check command may take: it only looks. */
const CHECK_TIMEOUT_MS = 2 * 60_000;
/** The output kept in the execution and the report (the raw log has all of it). */
const TAIL_LINES = 60;

export type RecipeRunStatus = 'ok' | 'already_applied' | 'error';

export interface RecipeRunOutcome {
  status: RecipeRunStatus;
  /** The check's exit status (null: no check, or it could not run). */
  checkExitCode: number | null;
  /** The script's exit status (null: not run, because the check said "already applied"). */
  exitCode: number | null;
  /** The last lines of the script's output (or the check's), already redacted. */
  outputTail: string[];
  durationMs: number;
}

/** The last lines of stdout and stderr, interleaved as well as two captured streams allow (stderr last). */
export function outputTail(r: Pick<CommandResult, 'stdout' | 'stderr'>, lines = TAIL_LINES): string[] {
  const all = [...r.stdout.split('\n'), ...r.stderr.split('\n')].filter((l) => l.trim() !== '');
  return all.slice(-lines);
}

/**
 * Runs a rendered recipe on an open session: its check first (exit 0 → "already applied", nothing else runs), then
 * the script, both as `sh -s` scripts on stdin with the secret values prepended there (never in argv, never in the
 * stored text), and with those values redacted from what comes back and from the raw log.
 */
export async function runRecipe(session: SshSession, r: RecipeRender, signal: AbortSignal): Promise<RecipeRunOutcome> {
  const secrets = Object.values(r.secrets);
  const opts = { sudo: r.sudo, secrets, signal };
  let checkExitCode: number | null = null;
  if (r.check) {
    const check = await session.runScript(scriptWithSecrets(r.check, r.secrets), {
      ...opts,
      timeoutMs: CHECK_TIMEOUT_MS,
      idleTimeoutMs: CHECK_TIMEOUT_MS,
    });
    checkExitCode = check.exitCode;
    if (check.exitCode === 0)
      return {
        status: 'already_applied',
        checkExitCode,
        exitCode: null,
        outputTail: outputTail(check),
        durationMs: check.durationMs,
      };
  }
  const timeoutMs = r.timeoutSeconds * 1000;
  const run = await session.runScript(scriptWithSecrets(r.script, r.secrets), {
    ...opts,
    timeoutMs,
    idleTimeoutMs: timeoutMs,
  });
  return {
    status: run.exitCode === 0 ? 'ok' : 'error',
    checkExitCode,
    exitCode: run.exitCode,
    outputTail: outputTail(run),
    durationMs: run.durationMs,
  };
}

/** Lines of the output a person should see: warnings and errors the script (or the tools it ran) printed. */
export function importantLines(tail: readonly string[]): { severity: 'warning' | 'error'; line: string }[] {
  const out: { severity: 'warning' | 'error'; line: string }[] = [];
  for (const line of tail) {
    if (/^(E:|error\b|fatal\b)/i.test(line.trim())) out.push({ severity: 'error', line: line.trim() });
    else if (/^(W:|warning\b)/i.test(line.trim())) out.push({ severity: 'warning', line: line.trim() });
  }
  return out.slice(0, 20);
}
