import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The URL of the embedded PostgreSQL of a data directory when its server is running (the product is up), so a
 * command can work beside the running services instead of starting a second server; null when it is not running.
 */
export function runningEmbeddedUrl(dataDir: string, port: number, database = 'system_update'): string | null {
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  const pwFile = join(dataDir, 'pg-password');
  if (!existsSync(pidFile) || !existsSync(pwFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  const password = readFileSync(pwFile, 'utf8').trim();
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}
