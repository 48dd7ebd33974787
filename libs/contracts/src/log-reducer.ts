// Seed 004 §7: the deterministic line reducer. What the assistant (and a report) receives of a job's log is the lines
// it keeps, never the raw log. Pure and table-driven, so the same log always reduces to the same lines.

/** APT and dpkg lines that matter. apt >= 1.1 prints fetch errors as "Err:N url"; the older "Err url" form too. */
export const APT_KEEP_PREFIXES = ['Inst ', 'Conf ', 'Remv ', 'Err ', 'Err:', 'E:', 'W:', 'dpkg:'] as const;

/**
 * Docker and Compose lines that matter (seed 004 §7), plus `Recreate`/`Pulled`, the words Compose v2 prints where the
 * seed's older Compose printed `Recreating`. Docker and Compose put the word elsewhere than at the start
 * (`1.1: Pulling from library/web`, ` Container web-1  Recreated`), so a Docker prefix is matched on the trimmed
 * line, on what follows its first `: `, and on its last word.
 */
export const DOCKER_KEEP_PREFIXES = [
  'Pulling',
  'Pulled',
  'Digest',
  'Status',
  'Downloaded newer image',
  'Recreate',
  'Recreating',
  'Started',
  'Error',
  'deleted',
  'Total reclaimed space',
] as const;

const REBOOT = /reboot-required|REBOOT_REQUIRED/;

export type LogFamily = 'apt' | 'docker';

function keepsApt(line: string): boolean {
  return APT_KEEP_PREFIXES.some((p) => line.startsWith(p)) || REBOOT.test(line);
}

function keepsDocker(line: string): boolean {
  const trimmed = line.trimStart();
  const colon = trimmed.indexOf(': ');
  const places = [trimmed, colon < 0 ? '' : trimmed.slice(colon + 2), trimmed.split(/\s+/).at(-1) ?? ''];
  return places.some((text) => DOCKER_KEEP_PREFIXES.some((p) => text.startsWith(p)));
}

const KEEPS: Record<LogFamily, (line: string) => boolean> = { apt: keepsApt, docker: keepsDocker };

/** The lines of `log` that one of `families` keeps, in order, trailing blanks trimmed. */
export function reduceLogLines(log: string, families: readonly LogFamily[] = ['apt', 'docker']): string[] {
  const keeps = families.map((f) => KEEPS[f]);
  const out: string[] = [];
  for (const raw of log.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line !== '' && keeps.some((k) => k(line))) out.push(line);
  }
  return out;
}
