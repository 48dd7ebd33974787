// Issue 17, acceptance 1 and 2, against a real dockerd: the project's image built with its own Dockerfile inside a lab
// machine (local bases and an offline npm cache through build arguments: no public registry is reachable; ADR 0036),
// then docker-compose.yml run there with three apt-workers and two gateways behind a reverse proxy, the lab's other
// machines registered through the API.
// Needs root; skipped otherwise. Run alone: SU_LAB_ID=N … vitest run --config vitest.lab.config.ts <this file>.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildLabBases,
  ensureHostTools,
  ensureOfflineNpmCache,
  isRoot,
  Lab,
  labPaths,
  run,
  shellQuote,
  sseFrames,
  type LabMachine,
} from '@su/testing';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`containers lab tests skipped: ${skipReason}`);

const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
const HOST = 'lab1'; // runs the stack; the other machines are the fleet it manages
const DIR = '/root/su'; // the build context and compose project directory in HOST
const COMPOSE = `cd ${DIR} && docker compose -p su -f docker-compose.yml -f compose.lab.yml`;
const ADMIN_PW = 'lab-admin-pw';
// Undoes the slow APT source of the worker_lost test (the bracket keeps pkill from matching its own shell).
const UNSLOW =
  "pkill -f 'su-lab-blackhol[e]'; pkill -x apt-get; rm -f /etc/apt/sources.list.d/slow.list /etc/apt/apt.conf.d/99zz-slow; true";
const CONTEXT_EXCLUDES = [
  './.git',
  './node_modules',
  '*/node_modules',
  './dist',
  './data',
  './coverage',
  './.nx',
  './tmp',
  './docs',
]
  .concat(['./libs/db/src/generated', './tools/docker/npm-cache'])
  .map((e) => `--exclude=${shellQuote(e)}`)
  .join(' ');

// The lab's additions to docker-compose.yml: the gateway replicas behind a proxy (the only published port), one job at
// a time per worker (so concurrent analyses spread), and a short machine-lock lease (a dead worker's job is closed
// worker_lost within seconds, not a minute).
const COMPOSE_LAB = `services:
  gateway:
    ports: !reset []
  apt-worker:
    environment:
      SU_WORKER_CONCURRENCY: "1"
      SU_LOCK_TTL_SECONDS: "8"
  proxy:
    image: system-update:latest
    restart: unless-stopped
    depends_on: [gateway]
    command: ["node", "/proxy/round-robin-proxy.mjs"]
    environment:
      UPSTREAM: gateway:8080
    volumes:
      - ./tools/lab/round-robin-proxy.mjs:/proxy/round-robin-proxy.mjs:ro
    ports:
      - "0.0.0.0:8080:8080"
    healthcheck:
      test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:8080/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
      interval: 5s
      timeout: 5s
      retries: 6
`;

interface Reply {
  status: number;
  body: any;
  text: string;
  upstream: string | null;
}

interface SseEvent {
  id: string;
  type: string;
  jobId: string | null;
}

/** An SSE client that reconnects with Last-Event-ID whenever its stream ends (as a browser's EventSource does). */
class SseClient {
  readonly events: SseEvent[] = [];
  readonly upstreams: string[] = [];
  private stopped = false;
  private abort = new AbortController();
  constructor(
    private readonly base: string,
    private readonly token: () => string,
  ) {}

  async connect(): Promise<string> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token()}`, accept: 'text/event-stream' };
    const last = this.events.at(-1)?.id;
    if (last) headers['last-event-id'] = last;
    this.abort = new AbortController();
    const res = await fetch(`${this.base}/api/v1/events/stream`, { headers, signal: this.abort.signal });
    if (res.status !== 200 || !res.body) throw new Error(`event stream: ${res.status}`);
    const upstream = res.headers.get('x-upstream') ?? '?';
    this.upstreams.push(upstream);
    void this.read(res.body);
    return upstream;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const f of sseFrames(body)) {
        if (!f.id || !f.data) continue; // a keep-alive comment
        const e = JSON.parse(f.data) as { type: string; jobId: string | null };
        this.events.push({ id: f.id, type: e.type, jobId: e.jobId });
      }
    } catch {
      /* the gateway went away: reconnect below */
    }
    while (!this.stopped) {
      try {
        await this.connect();
        return;
      } catch {
        await sleep(500);
      }
    }
  }

  close(): void {
    this.stopped = true;
    this.abort.abort();
  }
}

/** The build's longest steps, from its log with a timestamp per line: `<seconds> Step N/M : <instruction>`. */
function slowestSteps(log: string): string {
  const lines = log.split('\n').map((l) => /^(\d+) (.*)$/.exec(l)).filter((m) => m !== null);
  const steps: { step: string; s: number }[] = [];
  lines.forEach((m, i) => {
    if (!m[2]!.startsWith('Step ')) return;
    const next = lines.slice(i + 1).find((n) => n[2]!.startsWith('Step ')) ?? lines.at(-1)!;
    steps.push({ step: m[2]!.slice(0, 60), s: Number(next[1]) - Number(m[1]) });
  });
  return steps
    .sort((x, y) => y.s - x.s)
    .slice(0, 5)
    .map((x) => `${x.s} ${x.step}`)
    .join('; ');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

describe.skipIf(!!skipReason)('containers: image and compose stack (lab)', () => {
  const t0 = Date.now();
  const figures: Record<string, string | number> = {};
  let lab: Lab;
  let host: LabMachine;
  let base: string;
  let token = '';
  const fleet: { name: string; id: string }[] = [];
  const sh = async (cmd: string, timeoutMs = 300_000) => (await lab.exec(HOST, cmd, { timeoutMs })).stdout.trim();
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const v = await fn();
    figures[`${name} (s)`] = Math.round((Date.now() - t) / 100) / 10;
    return v;
  };

  const api = async (method: string, path: string, body?: unknown): Promise<Reply> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : null;
    return { status: res.status, body: json, text, upstream: res.headers.get('x-upstream') };
  };
  /** Ids of the running containers of a compose service, in the order of their replica number. */
  const containers = async (service: string) =>
    (await sh(`${COMPOSE} ps -q ${service} | xargs -r docker inspect --format '{{.Config.Hostname}}'`))
      .split('\n')
      .filter(Boolean);
  /** A query on the stack's database, run by node in a gateway container (the image has `pg`, and the URL). */
  const sql = async (query: string, params: unknown[] = []) => {
    const js = `const {Client}=require('pg');const c=new Client({connectionString:process.env.DATABASE_URL});c.connect().then(()=>c.query(process.argv[1],JSON.parse(process.argv[2]))).then(r=>{console.log(JSON.stringify(r.rows));return c.end()})`;
    const gw = (await containers('gateway'))[0];
    return JSON.parse(
      await sh(
        `docker exec ${gw} node -e ${shellQuote(js)} ${shellQuote(query)} ${shellQuote(JSON.stringify(params))}`,
      ),
    ) as any[];
  };
  const analyse = async (machineId: string): Promise<string> => {
    const res = await api('POST', `/api/v1/machines/${machineId}/actions`, { action: 'apt_update_analyze' });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  const finished = (ids: string[], timeoutMs = 180_000) =>
    until(
      'jobs finished',
      async () => {
        const views = await Promise.all(ids.map(async (id) => (await api('GET', `/api/v1/jobs/${id}`)).body));
        return views.every((v) => v && v.status !== 'queued' && v.status !== 'running') && views;
      },
      timeoutMs,
    );

  beforeAll(async () => {
    const attached = Lab.exists() ? Lab.attach() : null;
    lab =
      attached && attached.machines().length >= 4 && attached.machines().every((m) => m.docker)
        ? attached
        : await timed('lab up', () =>
            Lab.up({ machines: 4, docker: true, diskSize: '8g', log: (m) => console.log(`[lab] ${m}`) }),
          );
    host = lab.machine(HOST);
    base = `http://${host.address}:8080`;
    // Leftovers of an earlier run on an attached lab (its images and build cache stay: a rerun measures a rebuild).
    await sh(
      `[ -f ${DIR}/compose.lab.yml ] && ${COMPOSE} down -v --remove-orphans >/dev/null 2>&1; rm -rf ${DIR}; true`,
    );

    const bases = await timed('local bases', () => buildLabBases(lab, HOST, REPO));
    const npmCache = (await run('npm', ['config', 'get', 'cache'])).stdout.trim();
    const offline = await timed('offline npm cache', async () =>
      ensureOfflineNpmCache(resolve(REPO, 'package-lock.json'), npmCache, labPaths().cache),
    );
    figures['offline npm cache (MB)'] = Math.round(offline.bytes / 1e6);
    await timed('context copy', async () => {
      await lab.pipeInto(HOST, `tar -C ${REPO} ${CONTEXT_EXCLUDES} -c .`, `mkdir -p ${DIR} && tar -C ${DIR} -x`);
      await lab.pipeInto(
        HOST,
        `tar -C ${offline.dir} -c .`,
        `mkdir -p ${DIR}/tools/docker/npm-cache && tar -C ${DIR}/tools/docker/npm-cache -x`,
      );
    });
    await timed('image build', () =>
      sh(
        `cd ${DIR} && { docker build --build-arg NODE_IMAGE=${bases.node} --build-arg NPM_OFFLINE_CACHE=tools/docker/npm-cache -t system-update:latest . 2>&1; echo $? > /root/su-build.rc; } | while IFS= read -r l; do echo "$(date +%s) $l"; done > /root/su-build.log; rm -rf ${DIR}/tools/docker/npm-cache; exit $(cat /root/su-build.rc)`,
        1_800_000,
      ).catch(async (e: Error) => {
        console.log(await sh('tail -n 40 /root/su-build.log'));
        throw e;
      }),
    );
    const buildLog = await sh('cat /root/su-build.log');
    figures['slowest build steps (s)'] = slowestSteps(buildLog);
    figures['build steps from cache'] =
      `${buildLog.split('\n').filter((l) => l.endsWith(' ---> Using cache')).length}/${/Step \d+\/(\d+)/.exec(buildLog)?.[1]}`;
    figures['image size (MB)'] = Math.round(
      Number(await sh(`docker image inspect -f '{{.Size}}' system-update:latest`)) / 1e6,
    );
    figures['largest layers'] = (
      await sh(`docker history --format '{{.Size}} {{.CreatedBy}}' system-update:latest | sort -hr | head -n 4`)
    )
      .split('\n')
      .map((l) => l.slice(0, 70))
      .join('; ');

    // The secrets go to the project's .env file in the machine (never on a command line).
    await lab.exec(HOST, `umask 077; cat > ${DIR}/.env`, {
      input: `POSTGRES_PASSWORD=${randomBytes(12).toString('hex')}\nSU_MASTER_KEY=${randomBytes(32).toString('hex')}\nPOSTGRES_IMAGE=${bases.postgres}\n`,
    });
    await lab.exec(HOST, `cat > ${DIR}/compose.lab.yml`, { input: COMPOSE_LAB });
    await timed('compose up', async () => {
      await sh(`${COMPOSE} up -d --no-build --scale apt-worker=3 --scale gateway=2 2>&1`, 300_000);
      // Nine services start at once and each migrates (one at a time) before it serves: minutes on a loaded host.
      await until('the API through the proxy', async () => (await api('GET', '/ready')).status === 200, 420_000).catch(
        async (e: Error) => {
          console.log(await sh(`${COMPOSE} ps -a; ${COMPOSE} logs --tail 20 gateway proxy 2>&1 | cut -c1-300`));
          throw e;
        },
      );
    });

    // The first admin password is printed once, by the gateway that created the user.
    const logs = await sh(`${COMPOSE} logs --no-log-prefix gateway`);
    const password = /password: (\S+)/.exec(logs)?.[1];
    expect(password, 'bootstrap password in the gateway log').toBeTruthy();
    const login = await api('POST', '/api/v1/auth/login', { username: 'admin', password });
    expect(login.status, login.text).toBe(200);
    token = login.body.token;
    const changed = await api('POST', '/api/v1/auth/password', {
      currentPassword: password,
      newPassword: `${randomBytes(9).toString('hex')}-Lab`,
    });
    expect(changed.status, changed.text).toBe(200);

    for (const m of lab.machines().filter((x) => x.name !== HOST)) {
      const res = await api('POST', '/api/v1/machines', {
        name: m.name,
        hostname: m.address,
        port: m.sshPort,
        username: 'admin',
        credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
      });
      expect(res.status, res.text).toBe(201);
      fleet.push({ name: m.name, id: res.body.id });
    }
  }, 2_700_000);

  afterAll(async () => {
    figures['total (s)'] = Math.round((Date.now() - t0) / 1000);
    console.log(`[containers] figures: ${JSON.stringify(figures)}`);
    // Containers and volumes go; the images stay for a rerun on the same lab.
    if (lab) await sh(`[ -f ${DIR}/compose.lab.yml ] && ${COMPOSE} down -v --remove-orphans >/dev/null 2>&1; true`);
    for (const m of fleet) await lab.exec(m.name, UNSLOW);
  }, 300_000);

  it('the image runs as a non-root user and every service has a health check that passes', async () => {
    expect(await sh(`docker image inspect -f '{{.Config.User}}' system-update:latest`)).toBe('node');
    const services = ['postgres', 'gateway', 'apt-worker', 'docker-worker', 'scheduler', 'proxy'];
    const states = await until(
      'every container healthy',
      async () => {
        const lines = (
          await sh(
            `${COMPOSE} ps -q | xargs docker inspect --format '{{index .Config.Labels "com.docker.compose.service"}} {{.Config.User}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}'`,
          )
        ).split('\n');
        return lines.every((l) => l.endsWith(' healthy')) && lines;
      },
      120_000,
    );
    expect(new Set(states.map((l) => l.split(' ')[0]))).toEqual(new Set(services));
    for (const l of states) {
      const [service, user] = l.split(' ');
      expect(user, `${service} runs as`).not.toMatch(/^(|root|0)$/);
    }
    expect(states.filter((l) => l.startsWith('apt-worker ')).length).toBe(3);
    expect(states.filter((l) => l.startsWith('gateway ')).length).toBe(2);
  });

  it('analyses of the fleet are spread over the three apt-worker containers, each job naming its container', async () => {
    const workers = await containers('apt-worker');
    expect(workers.length).toBe(3);
    const seen = new Map<string, number>();
    for (let round = 0; round < 5 && seen.size < 3; round++) {
      const ids = await Promise.all(fleet.map((m) => analyse(m.id)));
      const views = await finished(ids);
      for (const v of views) expect(v, JSON.stringify(v)).toMatchObject({ status: 'ok' });
      const rows = await sql('SELECT worker_id FROM jobs WHERE id = ANY($1::uuid[])', [ids]);
      for (const r of rows) {
        // apt-worker:<container's host name, its short id>:<pid>
        const container = /^apt-worker:([0-9a-f]{12}):\d+$/.exec(r.worker_id)?.[1];
        expect(workers, r.worker_id).toContain(container);
        seen.set(container!, (seen.get(container!) ?? 0) + 1);
      }
    }
    figures['jobs per worker'] = [...seen.values()].join('/');
    expect(seen.size).toBe(3);
  });

  it('docker kill of a worker container mid-job: that job ends worker_lost, the others finish', async () => {
    // One machine answers slowly: its APT source accepts connections and never replies, so its analysis runs until
    // apt's timeout — long enough to kill the worker running it.
    const slow = fleet[fleet.length - 1]!;
    await lab.exec(
      slow.name,
      `cat > /etc/apt/sources.list.d/slow.list && echo 'Acquire::http::Timeout "120";' > /etc/apt/apt.conf.d/99zz-slow && (setsid python3 -c "import socket,time,sys; sys.argv[0]='su-lab-blackhole'; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 8099)); s.listen(64); c=[s.accept() for _ in iter(int, 1)]" su-lab-blackhole </dev/null >/dev/null 2>&1 &)`,
      { input: 'deb [trusted=yes] http://127.0.0.1:8099/ slow main\n' },
    );
    const ids = await Promise.all(fleet.map((m) => analyse(m.id)));
    const slowJob = ids[ids.length - 1]!;
    const [{ worker_id: victim }] = await until(
      'the slow job running',
      async () => {
        const rows = await sql(`SELECT worker_id FROM jobs WHERE id = $1 AND status = 'running'`, [slowJob]);
        return rows.length > 0 && rows;
      },
      60_000,
    );
    const container = /^apt-worker:([0-9a-f]{12}):/.exec(victim)![1]!;
    await sh(`docker kill ${container}`);
    const views = await finished(ids, 180_000);
    const byId = new Map(views.map((v: any) => [v.id, v]));
    expect(byId.get(slowJob), JSON.stringify(byId.get(slowJob))).toMatchObject({
      status: 'error',
      errorKind: 'worker_lost',
    });
    for (const id of ids.slice(0, -1))
      expect(byId.get(id), JSON.stringify(byId.get(id))).toMatchObject({ status: 'ok' });
    const [row] = await sql('SELECT error_message FROM jobs WHERE id = $1', [slowJob]);
    expect(row.error_message).toContain(container);
    await lab.exec(slow.name, UNSLOW);
  });

  it('two gateways behind the proxy: worker events reach SSE clients of either; stopping one loses no job or event', async () => {
    const gateways = await containers('gateway');
    expect(gateways.length).toBe(2);
    // One client per gateway (the proxy alternates; it says which answered).
    const clients: SseClient[] = [];
    const byUpstream = new Map<string, SseClient>();
    for (let i = 0; i < 8 && byUpstream.size < 2; i++) {
      const c = new SseClient(base, () => token);
      const upstream = await c.connect();
      if (byUpstream.has(upstream)) c.close();
      else byUpstream.set(upstream, c);
      clients.push(c);
    }
    expect(byUpstream.size).toBe(2);
    const [a, b] = [...byUpstream.values()] as [SseClient, SseClient];
    try {
      const first = await analyse(fleet[0]!.id);
      await finished([first]);
      const hasJob = (c: SseClient, id: string) => c.events.some((e) => e.jobId === id && e.type.startsWith('job'));
      await until('the job events on both gateways', async () => hasJob(a, first) && hasJob(b, first), 30_000);

      // Jobs requested, then the gateway b is connected to stopped while they run: b reconnects through the proxy
      // to the other one with Last-Event-ID, and must get what was raised meanwhile.
      const later = await Promise.all(fleet.map((m) => analyse(m.id)));
      const stoppedAddress = b.upstreams[0]!;
      const victim = await sh(
        `${COMPOSE} ps -q gateway | xargs docker inspect --format '{{.Config.Hostname}} {{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' | grep ' ${stoppedAddress}$' | cut -d' ' -f1`,
      );
      expect(victim).toMatch(/^[0-9a-f]{12}$/);
      await sh(`docker stop -t 10 ${victim}`);
      const views = await finished(later);
      for (const v of views) expect(v, JSON.stringify(v)).toMatchObject({ status: 'ok' });
      await until(
        'the later jobs on both clients',
        async () => later.every((id) => hasJob(a, id) && hasJob(b, id)),
        60_000,
      );
      expect(b.upstreams.length, 'b reconnected').toBeGreaterThan(1);
      expect(b.upstreams.at(-1)).not.toBe(stoppedAddress);
      // Against the table, from the first event both clients were connected for to the last one raised by then:
      // each client has every id, in increasing order, once — across b's reconnection with Last-Event-ID too.
      const newest = (await sql(`SELECT max(id)::text AS id FROM live_events`))[0].id as string;
      const has = (c: SseClient, id: string) => c.events.some((e) => BigInt(e.id) >= BigInt(id));
      await until('every event up to the newest on both clients', async () => has(a, newest) && has(b, newest), 30_000);
      const from = [a, b].map((c) => BigInt(c.events[0]!.id)).reduce((x, y) => (x > y ? x : y));
      const table = (
        await sql(`SELECT id::text FROM live_events WHERE id >= $1 AND id <= $2 ORDER BY id`, [
          from.toString(),
          newest,
        ])
      ).map((r) => r.id as string);
      for (const [name, c] of [
        ['a', a],
        ['b', b],
      ] as const) {
        const got = c.events.map((e) => e.id).filter((id) => BigInt(id) >= from && BigInt(id) <= BigInt(newest));
        const missed = table.filter((id) => !got.includes(id));
        figures[`client ${name}: events / missed`] = `${got.length}/${missed.length}`;
        expect(missed, `${name} (${c.upstreams.join(' → ')}): events missed`).toEqual([]);
        expect(got, `${name}: in id order, each once`).toEqual(table);
      }
      // Every job requested is in the list, none stuck.
      const jobs = await sql(`SELECT status, count(*)::int AS n FROM jobs GROUP BY status`);
      expect(jobs.filter((j) => j.status === 'queued' || j.status === 'running')).toEqual([]);
    } finally {
      for (const c of clients) c.close();
    }
  });
});
