import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The lab finds its shell helpers relative to its own source file, which the bench bundle moves; so the benches drive
 * the lab through its CLI (run from the repository root, where `npm run bench` runs) and only attach in process.
 */
export function labCli(args: string[]): void {
  const cli = join(process.cwd(), 'tools/lab/lab.ts');
  if (!existsSync(cli)) throw new Error(`run the bench from the repository root (no ${cli})`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`lab ${args.join(' ')} failed (${r.status})`);
}
