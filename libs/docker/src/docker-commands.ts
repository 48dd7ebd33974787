// The commands a Docker job runs on a machine, as argv (never a shell line built from input). They run with the
// job's sudo rule (the socket is root's), as APT's do.

export const DOCKER_VERSION_ARGV = ['docker', 'version', '--format', '{{json .}}'];
export const COMPOSE_VERSION_ARGV = ['docker', 'compose', 'version', '--short'];
/** Every container, running or not: ids only; `docker inspect` gives the rest as JSON. */
export const CONTAINER_IDS_ARGV = ['docker', 'ps', '-aq', '--no-trunc'];

export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
export const OVERRIDE_FILE_NAMES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yaml',
  'docker-compose.override.yml',
];

/** Compose files (and env files) under a root, to a depth; a missing root prints nothing and fails. */
export function findComposeFilesArgv(root: string, depth: number): string[] {
  const names = [...COMPOSE_FILE_NAMES, ...OVERRIDE_FILE_NAMES, '.env'].flatMap((n, i) =>
    i === 0 ? ['-name', n] : ['-o', '-name', n],
  );
  return ['find', root, '-maxdepth', String(depth + 1), '-type', 'f', '(', ...names, ')', '-print'];
}

export function inspectArgv(ids: readonly string[]): string[] {
  return ['docker', 'inspect', '--type', 'container', ...ids];
}

export function imageInspectArgv(refs: readonly string[]): string[] {
  return ['docker', 'image', 'inspect', ...refs];
}

/** A project's compose invocation: its files and name when known (found by labels), else compose's own lookup. */
export interface ComposeProject {
  workingDir: string;
  composeFiles: string[];
  projectName: string | null;
}

export function composeArgv(p: ComposeProject, args: readonly string[]): string[] {
  return [
    'docker',
    'compose',
    '--project-directory',
    p.workingDir,
    ...p.composeFiles.flatMap((f) => ['-f', f]),
    ...(p.projectName ? ['-p', p.projectName] : []),
    ...args,
  ];
}

export const composeConfigArgs = ['config', '--format', 'json'];

export function tagArgv(source: string, target: string): string[] {
  return ['docker', 'tag', source, target];
}

export function pruneArgv(mode: 'safe' | 'aggressive'): string[] {
  return ['docker', 'image', 'prune', '-f', ...(mode === 'aggressive' ? ['-a'] : [])];
}

export function logsArgv(containerId: string, lines: number): string[] {
  return ['docker', 'logs', '--tail', String(lines), '--timestamps', containerId];
}

export function followLogsArgv(containerId: string, lines: number): string[] {
  return ['docker', 'logs', '--follow', '--tail', String(lines), '--timestamps', containerId];
}
