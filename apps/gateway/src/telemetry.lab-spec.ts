// Issue 16 (traces and metrics) against a real machine: one POST /machines/:id/actions is one trace, from the
// gateway's request through the queue and the apt-worker's job to each SSH command, with ids, kinds and exit codes
// and no secret; /metrics, read by a Prometheus text-format parser, moves by exactly that analysis. One lab machine,
// one lab start. Needs root; skipped otherwise.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPAN_ATTR } from '@su/telemetry';
import { InMemorySpanExporter, startTracingWith, type ReadableSpan, type TracingHandle } from '@su/telemetry-sdk';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import { ScrapedMetrics } from './test/prometheus-text.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`telemetry lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';
const KIND = 'apt.update_analyze';

// OpenTelemetry's SpanKind values (the API's enum): the test reads them off exported spans.
const SERVER = 1;
const PRODUCER = 3;
const CONSUMER = 4;

describe.skipIf(!!skipReason)('traces and metrics (lab)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let m: LabMachine;
  let tracing: TracingHandle;
  let scraper = '';
  let id = '';
  const exporter = new InMemorySpanExporter();

  const scrape = async () => {
    const res = await fetch(`${gw.base}/metrics`, { headers: { authorization: `Bearer ${scraper}` } });
    expect(res.status).toBe(200);
    return new ScrapedMetrics(await res.text());
  };
  /** No job queued or running (the probe after adding the machine, an analysis's follow-ups). */
  const settle = async () => {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const busy = await db.query(`SELECT id FROM jobs WHERE status IN ('queued', 'running')`);
      if (busy.length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('jobs still running after 120 s');
  };

  beforeAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 1, log: (x) => console.log(`[lab] ${x}`) });
    m = lab.machines()[0]!;
    // The SDK as the apps start it, with the SDK's in-memory exporter and no batching; gateway and apt-worker run in
    // this process, so their spans all land here.
    tracing = await startTracingWith('system-update-lab', exporter, { batch: false });
    db = await createTestDatabase();
    // No kept connection: the analysis opens its own, so its trace shows the connect too.
    gw = await startGateway(db, { SU_SSH_CONNECT_TIMEOUT_SECONDS: '6', SU_SSH_KEEP_SECONDS: '0' });
    const res = await gw.api('POST', '/api/v1/machines', {
      body: {
        name: 'otel1',
        hostname: m.address,
        port: m.sshPort,
        username: 'admin',
        credentials: { authMethod: 'password', password: ADMIN_PW, sudoMode: 'same_as_ssh' },
      },
    });
    expect(res.status, res.text).toBe(201);
    id = res.body.id;
    const client = await gw.api('POST', '/api/v1/api-clients', { body: { label: 'prometheus', scopes: ['metrics:read'] } });
    expect(client.status).toBe(201);
    scraper = client.body.token;
    await settle();
  }, 300_000);

  afterAll(async () => {
    await gw?.close();
    await tracing?.shutdown();
    await db?.drop();
    await lab?.down();
  });

  it('one analysis is one trace: gateway → queue → apt-worker → each SSH command, with ids and codes, no secret; /metrics moves by it', async () => {
    const before = await scrape();
    exporter.reset();
    const res = await gw.api('POST', `/api/v1/machines/${id}/actions`, { body: { action: 'apt_update_analyze' } });
    expect(res.status, res.text).toBe(201);
    const jobId: string = res.body.id;
    expect(await gw.waitJob(jobId, 120_000)).toMatchObject({ status: 'ok' });
    await settle();
    const spans = exporter.getFinishedSpans();

    // The request's server span is the root; every span of this job is in its trace.
    const server = spans.filter((s) => s.kind === SERVER && s.attributes['http.route'] === '/api/v1/machines/:id/actions');
    expect(server).toHaveLength(1);
    const root = server[0]!;
    expect(root.name).toBe('POST /api/v1/machines/:id/actions');
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.attributes['http.response.status_code']).toBe(201);
    const traceId = root.spanContext().traceId;
    const ofJob = spans.filter((s) => s.attributes[SPAN_ATTR.jobId] === jobId);
    expect(ofJob.length).toBeGreaterThan(3);
    expect(new Set(ofJob.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
    const trace = spans.filter((s) => s.spanContext().traceId === traceId);
    const childOf = (parent: ReadableSpan) =>
      trace.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);
    const only = (list: ReadableSpan[], what: string) => {
      expect(list, what).toHaveLength(1);
      return list[0]!;
    };

    const send = only(childOf(root).filter((s) => s.kind === PRODUCER), 'queue send');
    expect(send.name).toBe(`queue send ${KIND}`);
    const processed = only(childOf(send).filter((s) => s.kind === CONSUMER), 'queue process');
    expect(processed.name).toBe(`queue process ${KIND}`);
    const job = only(childOf(processed), 'job');
    expect(job.name).toBe(`job ${KIND}`);
    const jobAttrs = { [SPAN_ATTR.service]: 'apt-worker', [SPAN_ATTR.jobKind]: KIND, [SPAN_ATTR.machineId]: id };
    expect(job.attributes).toMatchObject({ ...jobAttrs, [SPAN_ATTR.jobId]: jobId });

    // Each SSH step of the job is a child of its span, with the job's kind and machine and its exit code.
    const ssh = childOf(job).filter((s) => s.name.startsWith('ssh '));
    const connects = ssh.filter((s) => s.name === 'ssh connect');
    const commands = ssh.filter((s) => s.name === 'ssh command');
    expect(connects).toHaveLength(1);
    expect(commands.length).toBeGreaterThan(0);
    for (const s of ssh) expect(s.attributes).toMatchObject({ [SPAN_ATTR.jobKind]: KIND, [SPAN_ATTR.machineId]: id });
    for (const c of commands) {
      expect(typeof c.attributes[SPAN_ATTR.exitCode]).toBe('number');
      expect(c.attributes[SPAN_ATTR.program]).toMatch(/^[A-Za-z0-9._+-]+$/);
    }
    console.log(
      `[telemetry] trace ${traceId}: ${trace.length} spans, ${commands.length} SSH commands (${commands
        .map((c) => `${c.attributes[SPAN_ATTR.program]}→${c.attributes[SPAN_ATTR.exitCode]}`)
        .join(', ')})`,
    );

    // No secret anywhere in what was exported: names, attributes, events, resource.
    const exported = JSON.stringify(
      spans.map((s) => ({ n: s.name, a: s.attributes, e: s.events, r: s.resource.attributes, st: s.status })),
    );
    const key = readFileSync(m.users.admin.privateKeyPath, 'utf8');
    const keyBody = key.split('\n').filter((l) => l && !l.startsWith('-----'));
    const secrets = [
      ADMIN_PW,
      m.users.admin.password,
      m.users.admin.sudoPassword,
      m.users.deploy.password,
      m.users.deploy.sudoPassword,
      gw.adminPassword,
      gw.adminToken,
      scraper,
      ...keyBody,
    ].filter((s): s is string => typeof s === 'string' && s.length >= 8);
    expect(secrets.length).toBeGreaterThan(3);
    for (const secret of secrets) expect(exported.includes(secret), 'a secret in the exported spans').toBe(false);

    // /metrics moved by exactly this analysis (nothing else ran meanwhile).
    const after = await scrape();
    const ok = { kind: KIND, status: 'ok' };
    expect(after.value('su_jobs', ok)).toBe(before.value('su_jobs', ok) + 1);
    expect(after.count('su_job_duration_seconds', ok)).toBe(before.count('su_job_duration_seconds', ok) + 1);
    expect(after.count('su_ssh_connect_seconds', { outcome: 'ok' })).toBe(
      before.count('su_ssh_connect_seconds', { outcome: 'ok' }) + 1,
    );
    const zero = commands.filter((c) => c.attributes[SPAN_ATTR.exitCode] === 0).length;
    const nonzero = commands.length - zero;
    expect(after.count('su_ssh_command_seconds', { outcome: 'ok' })).toBe(
      before.count('su_ssh_command_seconds', { outcome: 'ok' }) + zero,
    );
    expect(after.count('su_ssh_command_seconds', { outcome: 'nonzero' })).toBe(
      before.count('su_ssh_command_seconds', { outcome: 'nonzero' }) + nonzero,
    );
    expect(after.value('su_machine_lock_acquire_seconds_count', { outcome: 'acquired' })).toBe(
      before.value('su_machine_lock_acquire_seconds_count', { outcome: 'acquired' }) + 1,
    );
    expect(after.value('su_queue_depth', { kind: KIND })).toBe(0);
    expect(after.value('su_db_pool_connections', { service: 'apt-worker', state: 'total' })).toBeGreaterThan(0);
  }, 240_000);
});
