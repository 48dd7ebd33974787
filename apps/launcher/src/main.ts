import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminBootstrapService } from '@su/auth';
import { childProcessEnv, ConfigError, loadConfig } from '@su/config';
import { Database, migrateDatabase, startEmbeddedServer, type EmbeddedServer } from '@su/db';
import { ServiceSupervisor } from './service-supervisor.ts';

/**
 * `npm start`: the whole product in one process tree. Starts the embedded PostgreSQL (unless DATABASE_URL is set),
 * applies migrations, creates the first admin, runs gateway, apt-worker, docker-worker and scheduler as child
 * processes, prints the URL, and on Ctrl-C / SIGTERM stops the services, then PostgreSQL.
 */
const out = (line: string) => process.stdout.write(`${line}\n`);
const say = (line: string) => out(`launcher     | ${line}`);

let config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  throw e;
}
for (const w of config.warnings) say(`warning: ${w}`);

const distApps = join(dirname(fileURLToPath(import.meta.url)), '..');
const services = ['gateway', 'apt-worker', 'docker-worker', 'scheduler'].map((name) => ({
  name,
  script: join(distApps, name, 'main.js'),
}));
for (const s of services) {
  if (!existsSync(s.script)) {
    process.stderr.write(`missing ${s.script}: run \`npm run build\` first (npm start does it)\n`);
    process.exit(1);
  }
}

let embedded: EmbeddedServer | undefined;
let supervisor: ServiceSupervisor | undefined;
let shuttingDown = false;

async function shutdown(reason: string, code: number): Promise<never> {
  if (shuttingDown) return new Promise<never>(() => undefined);
  shuttingDown = true;
  say(`stopping (${reason})`);
  await supervisor?.stop();
  if (embedded) {
    say('stopping PostgreSQL');
    await embedded.stop().catch((e: Error) => say(`PostgreSQL stop: ${e.message}`));
  }
  say('stopped');
  process.exit(code);
}
// The launcher owns the shutdown order: services first, then PostgreSQL.
process.on('SIGINT', () => void shutdown('SIGINT', 0));
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
process.on('SIGHUP', () => void shutdown('SIGHUP', 0));

try {
  let url = config.databaseUrl;
  if (!url) {
    const t0 = Date.now();
    embedded = await startEmbeddedServer({ dataDir: config.dataDir, port: config.embeddedPgPort });
    url = embedded.url('system_update');
    say(
      `embedded PostgreSQL on 127.0.0.1:${config.embeddedPgPort} (data ${join(config.dataDir, 'pg')}), up in ${Date.now() - t0} ms`,
    );
  } else {
    say('using DATABASE_URL; no embedded PostgreSQL');
  }
  const applied = await migrateDatabase(url, { log: say });
  say(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date');

  const db = Database.connect({ url, applicationName: 'su-launcher', maxConnections: 2 });
  const admin = await new AdminBootstrapService(db).ensureAdmin(config.adminUsername);
  await db.close();

  supervisor = new ServiceSupervisor(childProcessEnv({ DATABASE_URL: url }), out);
  supervisor.start(services, (reason) => void shutdown(reason, 1));

  const base = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${config.http.port}`;
  const deadline = Date.now() + 60_000;
  let up = false;
  while (!up && Date.now() < deadline && !shuttingDown) {
    up = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (!up) await new Promise((r) => setTimeout(r, 250));
  }
  if (!up) await shutdown('gateway did not answer /health within 60 s', 1);
  out('');
  out(`  system-update is running: ${base}   (API docs: ${base}/api/docs)`);
  if (admin) {
    out(`  First start — admin login (shown once, stored hashed):`);
    out(`    username: ${admin.username}`);
    out(`    password: ${admin.password}`);
    out(`    (it must be changed at the first login: POST /api/v1/auth/password)`);
  }
  out(`  Data: ${config.dataDir}.  Stop with Ctrl-C.`);
  out('');
} catch (e) {
  say(`failed: ${(e as Error).message}`);
  await shutdown('start failed', 1);
}
