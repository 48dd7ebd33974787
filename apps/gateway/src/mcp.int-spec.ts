// The MCP server (issue 18) over real Streamable HTTP with the official SDK's client, on a real database: tools are
// listed, state read, a dist-upgrade proposed (pending, requested by hermes, never executed), the same token refused
// approval on REST, a machine outside its scope invisible and refused, bad input a tool error, an audit row per call,
// and no answer carrying the machine's credentials.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { bridgeStdioToHttp } from '@su/assistant';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

// A built web UI stands in, so `GET /mcp` proves the SPA fallback leaves the MCP endpoint alone.
const webDir = mkdtempSync(join(tmpdir(), 'su-mcp-web-'));
writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>web ui</title>');
const t = gatewayPerFile({ SU_WEB_DIR: webDir });
const api = (...a: Parameters<typeof t.gw.api>) => t.gw.api(...a);
const PASSWORD = 'mcp-fixture-secret-pw-7731';
const SUDO = 'mcp-fixture-sudo-pw-4410';

async function machine(name: string, tags: string[]): Promise<string> {
  const res = await api('POST', '/api/v1/machines', {
    body: {
      name,
      hostname: `${name}.invalid`,
      username: 'admin',
      tags,
      credentials: { authMethod: 'password', password: PASSWORD, sudoMode: 'separate', sudoPassword: SUDO },
    },
  });
  expect(res.status, res.text).toBe(201);
  return res.body.id;
}

/** An analysis as the apt-worker records it, so a dist-upgrade can be bound to its plan. */
async function analyse(machineId: string): Promise<void> {
  const pkg = {
    name: 'openssl',
    arch: 'amd64',
    currentVersion: '3.0.1',
    targetVersion: '3.0.2',
    origin: 'Debian:12.10/stable',
    originName: 'Debian',
    suite: 'stable',
    operation: 'upgrade',
    security: true,
    keptBack: false,
    held: false,
    phased: false,
    dedupKey: 'debian|openssl|3.0.1|3.0.2|Debian:12.10/stable',
  };
  const payload = {
    schemaVersion: 1,
    kind: 'apt_update_analyze',
    machineId,
    hostname: 'x.invalid',
    os: { family: 'debian', version: '12' },
    checkedAt: new Date().toISOString(),
    status: 'updates_available',
    apt: {
      enabled: true,
      count: 1,
      rebootRequired: false,
      status: 'updates_available',
      packages: [pkg],
      installed: [],
      removed: [],
    },
    errors: [],
  };
  await t.db.query(
    `INSERT INTO snapshots (machine_id, kind, status, payload) VALUES ($1, 'apt_update_analyze', 'updates_available', $2)`,
    [machineId, JSON.stringify(payload)],
  );
}

const clients: Client[] = [];
afterAll(async () => {
  for (const c of clients) await c.close();
});

async function connect(token: string): Promise<Client> {
  const client = new Client({ name: 'mcp-int-spec', version: '1' });
  const transport = new StreamableHTTPClientTransport(new URL(`${t.gw.base}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const answers: string[] = [];
async function call(
  c: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ isError: boolean; text: string }> {
  const r = (await c.callTool({ name, arguments: args })) as CallToolResult;
  const text = r.content.map((x) => (x.type === 'text' ? x.text : '')).join('');
  answers.push(text);
  return { isError: r.isError === true, text };
}

describe('MCP server for the assistant (issue 18)', () => {
  it('lists tools, reads state, proposes a dist-upgrade that waits for a person, and never leaks credentials', async () => {
    const inside = await machine('mcp-in', ['lab']);
    const outside = await machine('mcp-out', ['prod']);
    await analyse(inside);
    const created = await api('POST', '/api/v1/api-clients', {
      body: { label: 'assistant', clientKind: 'mcp', scopes: ['operate'], machineScope: { tags: ['lab'] } },
    });
    expect(created.status, created.text).toBe(201);
    const token: string = created.body.token;
    const c = await connect(token);

    const tools = (await c.listTools()).tools;
    expect(tools.map((x) => x.name).sort()).toEqual([
      'docker_updates',
      'execution_summary',
      'important_messages',
      'latest_report',
      'list_machines',
      'machine_state',
      'pending_updates',
      'propose_action',
      'report_usage',
      'request_status',
      'schedules_overview',
    ]);
    for (const tool of tools) {
      expect(tool.description?.length ?? 0).toBeGreaterThan(20);
      expect(tool.inputSchema.type).toBe('object');
    }

    const listed = JSON.parse((await call(c, 'list_machines', {})).text);
    expect(listed.total).toBe(1);
    expect(listed.items.map((m: { id: string }) => m.id)).toEqual([inside]);
    expect(listed.items[0].credentials).toBe('set');

    const state = JSON.parse((await call(c, 'machine_state', { machineId: inside })).text);
    expect(state).toMatchObject({ id: inside, name: 'mcp-in', tags: ['lab'] });

    // Outside the scope: as if it did not exist, on read and on proposal.
    const hidden = await call(c, 'machine_state', { machineId: outside });
    expect(hidden).toEqual({ isError: true, text: `machine ${outside} not found` });
    const refused = await call(c, 'propose_action', { machineId: outside, action: 'apt_dist_upgrade' });
    expect(refused).toEqual({ isError: true, text: `machine ${outside} not found` });

    const jobCount = async () =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE machine_id = $1`, [inside]))[0]!.n;
    const jobsBefore = await jobCount();
    const proposal = await call(c, 'propose_action', {
      machineId: inside,
      action: 'apt_dist_upgrade',
      summary: 'security update for openssl',
    });
    expect(proposal.isError, proposal.text).toBe(false);
    const request = JSON.parse(proposal.text);
    expect(request.status).toBe('pending');

    const pending = await api('GET', '/api/v1/action-requests?status=pending');
    const row = pending.body.find((r: { id: string }) => r.id === request.id);
    expect(row).toMatchObject({
      machineId: inside,
      action: 'apt_dist_upgrade',
      status: 'pending',
      requestedBy: { type: 'hermes' },
    });
    expect(JSON.parse((await call(c, 'request_status', { requestId: request.id })).text)).toMatchObject({
      status: 'pending',
      jobId: null,
    });

    // The same token decides nothing on REST; nothing ran.
    for (const verb of ['approve', 'reject']) {
      const res = await api('POST', `/api/v1/action-requests/${request.id}/${verb}`, { token, body: {} });
      expect(res.status, res.text).toBe(403);
    }
    expect(await jobCount()).toBe(jobsBefore);

    // Bad input: a tool error that names the problem; the server keeps answering.
    const wrongType = await call(c, 'list_machines', { limit: 'many' });
    expect(wrongType.isError).toBe(true);
    expect(wrongType.text).toContain('limit');
    const notUuid = await call(c, 'machine_state', { machineId: 'nope' });
    expect(notUuid.isError).toBe(true);
    expect(notUuid.text).toContain('machineId');
    const oversized = await call(c, 'propose_action', {
      machineId: inside,
      action: 'apt_clean',
      summary: 'x'.repeat(10_000),
    });
    expect(oversized.isError).toBe(true);
    expect(oversized.text).toContain('summary');
    const unknown = await call(c, 'machine_state', { machineId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown).toEqual({ isError: true, text: 'machine 00000000-0000-4000-8000-000000000000 not found' });
    expect((await call(c, 'list_machines', { limit: 1 })).isError).toBe(false);

    // One audit row per tool call, with its status; the long argument is cut.
    const audit = await t.db.query<{ tool: string; status: string; args_summary: string; api_client_id: string }>(
      `SELECT tool, status, args_summary, api_client_id FROM mcp_audit_log ORDER BY created_at`,
    );
    expect(audit.length).toBe(answers.length);
    expect(audit.every((a) => a.api_client_id === created.body.id)).toBe(true);
    expect(audit.filter((a) => a.status === 'ok').map((a) => a.tool)).toContain('propose_action');
    expect(audit.every((a) => a.args_summary.length <= 301)).toBe(true);

    for (const text of answers) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(SUDO);
      expect(text).not.toContain(token);
    }
  });

  it('takes only assistant tokens: a person or a script client gets 403, no token 401', async () => {
    const script = await api('POST', '/api/v1/api-clients', { body: { label: 'script', scopes: ['read'] } });
    const init = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
    expect((await api('POST', '/mcp', { token: script.body.token, body: init })).status).toBe(403);
    expect((await api('POST', '/mcp', { body: init })).status).toBe(403);
    expect((await api('POST', '/mcp', { token: null, body: init })).status).toBe(401);
  });
});

// ── the fleet tools (issue 18, second part): each reads through the token's machine scope, pages, and caps ──

const RAW_ONLY = 'Unpacking openssl (3.0.2) over (3.0.1) raw-only-line-6621';
const RAW_LOG = [
  'Reading package lists...',
  'Inst openssl [3.0.1] (3.0.2 Debian:12/stable [amd64])',
  RAW_ONLY,
  'Conf openssl (3.0.2 Debian:12/stable [amd64])',
  'Setting up openssl (3.0.2) ... raw-only-line-7730',
  '',
].join('\n');

async function snapshotId(machineId: string): Promise<string> {
  await analyse(machineId);
  const rows = await t.db.query<{ id: string }>(`SELECT id FROM snapshots WHERE machine_id = $1`, [machineId]);
  return rows[0]!.id;
}

async function planned(machineId: string, name: string, from: string, to: string, security: boolean): Promise<void> {
  const snap = await snapshotId(machineId);
  await t.db.query(
    `INSERT INTO apt_planned_packages (snapshot_id, machine_id, mode, name, current_version, target_version, origin,
       operation, security, dedup_key)
     VALUES ($1, $2, 'dist-upgrade', $3, $4, $5, 'Debian:12/stable', 'upgrade', $6, $7)`,
    [snap, machineId, name, from, to, security, `debian|${name}|${from}|${to}|Debian:12/stable`],
  );
}

async function message(machineId: string, category: string, severity: string, text: string, ack = false) {
  await t.db.query(
    `INSERT INTO important_messages (machine_id, source, category, severity, message, dedup_key, acknowledged)
     VALUES ($1, 'apt', $2, $3, $4, gen_random_uuid()::text, $5)`,
    [machineId, category, severity, text, ack],
  );
}

async function dockerService(machineId: string, image: string, from: string, to: string): Promise<void> {
  const [stack] = await t.db.query<{ id: string }>(
    `INSERT INTO docker_compose_stacks (machine_id, name, working_dir, compose_files_json, status)
     VALUES ($1, 'web', '/srv/web', '[]', 'enabled') RETURNING id`,
    [machineId],
  );
  await t.db.query(
    `INSERT INTO docker_stack_services (stack_id, service_name, image_ref, current_digest, candidate_digest, status)
     VALUES ($1, 'app', $2, $3, $4, 'updates_available')`,
    [stack!.id, image, from, to],
  );
}

/** An execution as a job leaves it: its reduced JSON, its report file and its raw log file. */
async function execution(machineId: string, dir: string): Promise<{ id: string; rawBytes: number }> {
  const rawPath = join(dir, `${machineId}.log`);
  await writeFile(rawPath, RAW_LOG);
  const reportPath = join(dir, `${machineId}.md`);
  await writeFile(
    reportPath,
    '# dist-upgrade on mcp-a\n\n| package | from | to |\n|---|---|---|\n| openssl | 3.0.1 | 3.0.2 |\n',
  );
  const rawBytes = Buffer.byteLength(RAW_LOG);
  const [raw] = await t.db.query<{ id: string }>(
    `INSERT INTO raw_artifacts (machine_id, kind, path, bytes) VALUES ($1, 'raw_log', $2, $3) RETURNING id`,
    [machineId, rawPath, rawBytes],
  );
  const [e] = await t.db.query<{ id: string }>(
    `INSERT INTO executions (machine_id, action, mode, status, finished_at, important_json, raw_artifact_id)
     VALUES ($1, 'apt_dist_upgrade', 'manual', 'success', now(), $2, $3) RETURNING id`,
    [machineId, JSON.stringify({ status: 'success', upgraded: 1 }), raw!.id],
  );
  await t.db.query(
    `INSERT INTO reports (machine_id, execution_id, kind, title, path) VALUES ($1, $2, 'machine', 'dist-upgrade', $3)`,
    [machineId, e!.id, reportPath],
  );
  return { id: e!.id, rawBytes };
}

describe('MCP fleet tools (issue 18)', () => {
  const json = async (c: Client, name: string, args: Record<string, unknown>) => {
    const r = await call(c, name, args);
    expect(r.isError, r.text).toBe(false);
    return JSON.parse(r.text);
  };

  it('reads deduplicated updates, open messages, reports, a reduced execution, Docker and schedules; records usage', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcp-tools-'));
    const [a, b, c] = [
      await machine('mcp-a', ['fleet']),
      await machine('mcp-b', ['fleet']),
      await machine('mcp-c', ['other']),
    ];
    for (const m of [a, b, c]) await planned(m, 'openssl', '3.0.1', '3.0.2', true);
    await planned(a, 'curl', '7.88.1', '7.88.2', false);
    await message(a, 'apt_error', 'error', 'E: a broken source on mcp-a');
    await message(b, 'held', 'warning', 'linux-image is held on mcp-b');
    await message(b, 'held', 'warning', 'already acknowledged', true);
    await message(c, 'apt_error', 'error', 'out of scope message');
    await dockerService(a, 'registry.local/web:1.0', 'sha256:aaa', 'sha256:bbb');
    await dockerService(b, 'registry.local/web:1.0', 'sha256:aaa', 'sha256:bbb');
    await dockerService(c, 'registry.local/web:1.0', 'sha256:aaa', 'sha256:bbb');
    const exec = await execution(a, dir);
    await t.db.query(
      `INSERT INTO schedules (name, cron, timezone, scope_json, actions_json) VALUES ('nightly', '0 3 * * *', 'UTC', '{"all":true}', '["apt_analyze"]')`,
    );
    const made = await api('POST', '/api/v1/api-clients', {
      body: { label: 'fleet-assistant', clientKind: 'mcp', scopes: ['read'], machineScope: { tags: ['fleet'] } },
    });
    const mc = await connect(made.body.token);

    // One entry per seed 004 §6 key, with the machines in scope needing it; paged.
    const pending = await json(mc, 'pending_updates', {});
    expect(pending.total).toBe(2);
    const openssl = pending.items.find((g: { name: string }) => g.name === 'openssl');
    expect(openssl).toMatchObject({ dedupKey: 'debian|openssl|3.0.1|3.0.2|Debian:12/stable', machineCount: 2 });
    expect(openssl.machineIds.sort()).toEqual([a, b].sort());
    expect(await json(mc, 'pending_updates', { limit: 1, offset: 1 })).toMatchObject({ total: 2, offset: 1 });
    expect((await json(mc, 'pending_updates', { securityOnly: true })).items.map((g: any) => g.name)).toEqual([
      'openssl',
    ]);

    const messages = await json(mc, 'important_messages', {});
    expect(messages.items.map((m: { message: string }) => m.message).sort()).toEqual([
      'E: a broken source on mcp-a',
      'linux-image is held on mcp-b',
    ]);
    expect(messages.counts).toEqual(
      expect.arrayContaining([
        { category: 'apt_error', severity: 'error', count: 1 },
        { category: 'held', severity: 'warning', count: 1 },
      ]),
    );
    expect((await json(mc, 'important_messages', { severity: 'warning' })).items).toHaveLength(1);

    const docker = await json(mc, 'docker_updates', {});
    expect(docker.total).toBe(1);
    expect(docker.items[0]).toMatchObject({
      dedupKey: 'registry.local/web:1.0|sha256:aaa|sha256:bbb',
      machineCount: 2,
    });

    const report = await json(mc, 'latest_report', { machineId: a });
    expect(report).toMatchObject({ title: 'dist-upgrade', executionId: exec.id, uri: `report://${a}/${report.id}` });
    expect(report.markdown).toContain('| openssl | 3.0.1 | 3.0.2 |');
    const resources = (await mc.listResources()).resources;
    expect(resources.map((r) => r.uri)).toEqual([`report://${a}/${report.id}`]);
    const read = await mc.readResource({ uri: `report://${a}/${report.id}` });
    expect(read.contents[0]).toMatchObject({ mimeType: 'text/markdown' });
    await expect(mc.readResource({ uri: `report://${c}/${report.id}` })).rejects.toThrow(/not found/);
    const reads = await t.db.query<{ status: string; args_summary: string }>(
      `SELECT status, args_summary FROM mcp_audit_log WHERE tool = 'resources/read' ORDER BY created_at`,
    );
    expect(reads.map((r) => r.status)).toEqual(['ok', 'error']);
    expect(reads[0]!.args_summary).toContain(`report://${a}/`);

    // The execution reduced: its important JSON and the kept lines, never the raw log's other lines.
    const summary = await json(mc, 'execution_summary', { machineId: a });
    expect(summary).toMatchObject({ id: exec.id, important: { upgraded: 1 }, importantLogLinesTotal: 2 });
    expect(summary.importantLogLines).toEqual([
      'Inst openssl [3.0.1] (3.0.2 Debian:12/stable [amd64])',
      'Conf openssl (3.0.2 Debian:12/stable [amd64])',
    ]);
    const [measured] = await t.db.query<{ raw_bytes: string; reduced_bytes: number; execution_id: string }>(
      `SELECT raw_bytes::text, reduced_bytes, execution_id FROM mcp_audit_log WHERE tool = 'execution_summary' AND status = 'ok'`,
    );
    expect(measured).toMatchObject({ execution_id: exec.id, raw_bytes: String(exec.rawBytes) });
    expect(measured!.reduced_bytes).toBe(Buffer.byteLength(answers.at(-1)!));
    expect(await call(mc, 'execution_summary', { machineId: c })).toEqual({
      isError: true,
      text: `machine ${c} not found`,
    });

    // Schedules are fleet-wide: refused to a scoped token, read by an unscoped one.
    expect((await call(mc, 'schedules_overview', {})).isError).toBe(true);
    const fleetToken = (
      await api('POST', '/api/v1/api-clients', {
        body: { label: 'hermes-all', clientKind: 'hermes', scopes: ['read'] },
      })
    ).body.token;
    const all = await connect(fleetToken);
    const schedules = await json(all, 'schedules_overview', {});
    expect(schedules.items[0]).toMatchObject({ name: 'nightly', cron: '0 3 * * *', lastRun: null });

    // Usage: stored per run, raw vs reduced bytes of the run's answers computed by us, summed per day and client.
    const usage = await json(mc, 'report_usage', {
      sessionKey: 'conv-1',
      source: 'tui',
      provider: 'local',
      model: 'qwen3-8b',
      promptTokens: 1200,
      cachedTokens: 200,
      completionTokens: 300,
    });
    expect(usage).toMatchObject({ rawBytes: exec.rawBytes, reducedBytes: measured!.reduced_bytes });
    expect(usage.reductionRatio).toBeCloseTo(exec.rawBytes / measured!.reduced_bytes, 5);
    await json(mc, 'report_usage', {
      sessionKey: 'conv-1',
      source: 'tui',
      provider: 'local',
      model: 'qwen3-8b',
      promptTokens: 800,
      completionTokens: 100,
      totalTokens: 950,
    });
    const bad = await call(mc, 'report_usage', {
      sessionKey: 'conv 1; drop',
      source: 'pager',
      provider: 'x',
      model: 'y',
      promptTokens: -1,
      completionTokens: 'many',
    });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/sessionKey/);
    expect(bad.text).toMatch(/promptTokens/);
    const summed = await api('GET', '/api/v1/assistant/usage?days=1');
    expect(summed.status, summed.text).toBe(200);
    expect(summed.body.items).toEqual([
      expect.objectContaining({
        apiClientId: made.body.id,
        clientLabel: 'fleet-assistant',
        runs: 2,
        promptTokens: 2000,
        cachedTokens: 200,
        completionTokens: 400,
        totalTokens: 1500 + 950,
        rawBytes: exec.rawBytes,
        reducedBytes: measured!.reduced_bytes,
      }),
    ]);
    const sessions = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hermes_sessions`);
    expect(sessions[0]!.n).toBe(1);
    expect((await api('GET', '/api/v1/assistant/usage?days=0')).status).toBe(400);
    expect((await api('GET', '/api/v1/assistant/usage', { token: made.body.token })).status).toBe(403);

    for (const text of answers) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(SUDO);
      expect(text).not.toContain('raw-only-line');
      expect(text).not.toContain('out of scope message');
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('caps an answer: a page larger than the cap is a tool error asking for a smaller page', async () => {
    const m = await machine('mcp-big', ['big']);
    for (let i = 0; i < 12; i++) await message(m, 'apt_error', 'error', `E: ${'x'.repeat(7_000)} ${i}`);
    const made = await api('POST', '/api/v1/api-clients', {
      body: { label: 'big', clientKind: 'mcp', scopes: ['read'], machineScope: { tags: ['big'] } },
    });
    const c = await connect(made.body.token);
    const tooBig = await call(c, 'important_messages', { limit: 100 });
    expect(tooBig.isError).toBe(true);
    expect(tooBig.text).toMatch(/larger than 64000 characters; ask for a smaller page/);
    expect((await json(c, 'important_messages', { limit: 5 })).items).toHaveLength(5);
  });

  it('answers GET /mcp with 405 and Allow: POST, not the web UI', async () => {
    const res = await fetch(`${t.gw.base}/mcp`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('POST');
    expect(res.headers.get('content-type')).not.toContain('text/html');
    expect((await fetch(`${t.gw.base}/machines`, { headers: { accept: 'text/html' } })).status).toBe(200);
  });

  it('serves the same tools on stdio through the bridge, with the token from its configuration', async () => {
    const made = await api('POST', '/api/v1/api-clients', {
      body: { label: 'stdio', clientKind: 'mcp', scopes: ['read'] },
    });
    const [stdin, stdout] = [new PassThrough(), new PassThrough()];
    const bridge = await bridgeStdioToHttp(new URL(`${t.gw.base}/mcp`), made.body.token, { stdin, stdout });
    const replies: any[] = [];
    stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) replies.push(JSON.parse(line));
    });
    const send = (m: object) => stdin.write(`${JSON.stringify(m)}\n`);
    const reply = async (id: number) => {
      for (let i = 0; i < 200 && !replies.some((r) => r.id === id); i++) await new Promise((r) => setTimeout(r, 50));
      return replies.find((r) => r.id === id);
    };
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'stdio-test', version: '1' } },
    });
    expect((await reply(1)).result.serverInfo.name).toBe('system-update');
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    expect((await reply(2)).result.tools.map((x: { name: string }) => x.name)).toContain('pending_updates');
    send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'list_machines', arguments: { limit: 1 } } });
    expect((await reply(3)).result.isError).toBeFalsy();
    await bridge.close();

    // A refused token: the local client gets a JSON-RPC error naming the refusal, not a hang or a crash.
    const [in2, out2] = [new PassThrough(), new PassThrough()];
    const refused = await bridgeStdioToHttp(new URL(`${t.gw.base}/mcp`), 'su_not-a-valid-token-000000', {
      stdin: in2,
      stdout: out2,
    });
    const lines: string[] = [];
    out2.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    in2.write(`${JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} })}\n`);
    for (let i = 0; i < 200 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const err = JSON.parse(lines.join('').split('\n')[0]!);
    expect(err).toMatchObject({ id: 9, error: { code: -32000 } });
    expect(err.error.message).toMatch(/401/);
    await refused.close();
  });
});
