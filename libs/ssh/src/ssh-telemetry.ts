import { basename } from 'node:path';
import { errorKindOf, inSpan, markFailed, METRICS, secondsSince, SPAN_ATTR } from '@su/telemetry';
import type { CommandResult } from './ssh-options.ts';

/**
 * Spans and latency metrics of SSH connections and commands. A span names the program a command runs (argv[0]'s base
 * name), whether it ran under sudo, and its exit code; never its arguments, input or output, which may hold package
 * names a person typed, a script, or a sudo password on stdin. The job's kind and machine come from the active
 * context (the job's span), since a kept connection serves one job after another.
 */
export async function tracedConnect<T>(connect: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const session = await inSpan('ssh connect', { withJob: true }, connect);
    METRICS.sshConnectSeconds.observe({ outcome: 'ok' }, secondsSince(started));
    return session;
  } catch (e) {
    METRICS.sshConnectSeconds.observe({ outcome: 'error' }, secondsSince(started));
    METRICS.errors.inc({ source: 'ssh', kind: errorKindOf(e) });
    throw e;
  }
}

export async function tracedCommand(
  what: { program: string; sudo: boolean },
  run: () => Promise<CommandResult>,
): Promise<CommandResult> {
  const started = performance.now();
  const attributes = { [SPAN_ATTR.program]: programName(what.program), [SPAN_ATTR.sudo]: what.sudo };
  try {
    const result = await inSpan('ssh command', { withJob: true, attributes }, async (span) => {
      const r = await run();
      // A non-zero exit is a result the caller reads (`test -f`, apt's codes), not a failed span.
      if (r.exitCode !== null) span.setAttribute(SPAN_ATTR.exitCode, r.exitCode);
      else markFailed(span, 'killed_by_signal');
      return r;
    });
    METRICS.sshCommandSeconds.observe({ outcome: result.exitCode === 0 ? 'ok' : 'nonzero' }, secondsSince(started));
    return result;
  } catch (e) {
    METRICS.sshCommandSeconds.observe({ outcome: 'error' }, secondsSince(started));
    METRICS.errors.inc({ source: 'ssh', kind: errorKindOf(e) });
    throw e;
  }
}

/** A program's base name, only when it looks like one (a path or a name, no spaces or shell syntax). */
function programName(argv0: string): string {
  const name = basename(argv0);
  return /^[A-Za-z0-9._+-]{1,64}$/.test(name) ? name : 'other';
}
