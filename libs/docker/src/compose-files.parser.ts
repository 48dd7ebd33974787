import { COMPOSE_FILE_NAMES, OVERRIDE_FILE_NAMES } from './docker-commands.ts';

/** A directory holding a compose file: one project, found under a declared root. */
export interface FoundProject {
  workingDir: string;
  /** The main file first, then its overrides (compose reads them in this order). */
  composeFiles: string[];
  envFile: string | null;
}

const dirOf = (p: string) => p.slice(0, p.lastIndexOf('/')) || '/';
const baseOf = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/**
 * Groups `find`'s output into projects: a directory with a main compose file (compose.yaml first, as compose picks
 * it), its override files and its `.env`. Overrides or env files alone make no project.
 */
export function parseFoundComposeFiles(output: string): FoundProject[] {
  const byDir = new Map<string, string[]>();
  for (const line of output.split('\n')) {
    const path = line.trim();
    if (!path.startsWith('/')) continue;
    const files = byDir.get(dirOf(path)) ?? [];
    files.push(baseOf(path));
    byDir.set(dirOf(path), files);
  }
  const projects: FoundProject[] = [];
  for (const [dir, names] of [...byDir.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const main = COMPOSE_FILE_NAMES.find((n) => names.includes(n));
    if (!main) continue;
    const overrides = OVERRIDE_FILE_NAMES.filter((n) => names.includes(n));
    projects.push({
      workingDir: dir,
      composeFiles: [main, ...overrides].map((n) => `${dir}/${n}`),
      envFile: names.includes('.env') ? `${dir}/.env` : null,
    });
  }
  return projects;
}
