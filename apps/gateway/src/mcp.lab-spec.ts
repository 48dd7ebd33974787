// Issue 18 against real machines: an MCP client built with the official SDK, holding an `mcp` token, reads the
// state and the deduplicated pending updates of two lab machines, proposes a dist-upgrade that a person approves
// through the API and that then runs on the machine; the execution is read back reduced, and the raw log and reduced
// answer sizes are recorded (the figures are printed). No tool answer carries the lab's passwords, its SSH key or a
// raw-log-only line, and the token gets 403 on every mutating REST route. One lab for the whole file. Needs root.
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { reduceLogLines } from '@su/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, ensureHostTools, isRoot, Lab, type LabMachine, type TestDatabase } from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`mcp lab tests skipped: ${skipReason}`);

const ADMIN_PW = 'lab-admin-pw';
/** The non-GET routes an assistant token may call (ADR 0014): proposing, the schedule preview, login/logout, MCP. */
const ASSISTANT_MAY_CALL = new Set([
  'POST /api/v1/action-requests',
  'POST /api/v1/schedules/preview',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'POST /mcp',
]);

describe.skipIf(!!skipReason)('MCP server against the lab (issue 18)', () => {
  let lab: Lab;
  let db: TestDatabase;
  let gw: GatewayHarness;
  let ms: LabMachine[];
  let privateKey = '';
  let token = '';
  let client: Client;
  const ids: string[] = [];
  const answers: string[] = [];
  const api: GatewayHarness['api'] = (...a) => gw.api(...a);

  const call = async (name: string, args: Record<string, unknown>) => {
    const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
    const text = r.content.map((x) => (x.type === 'text' ? x.text : '')).join('');
    answers.push(text);
    expect(r.isError, text).toBeFalsy();
    return JSON.parse(text);
  };
  const analyse = async (id: string) => {
    const res = await api('POST', `/api/v1/machines/${id}/actions`, { body: { action: 'apt_update_analyze' } });
    expect(res.status, res.text).toBe(201);
    expect(await gw.waitJob(res.body.id, 120_000)).toMatchObject({ status: 'ok' });
  };
  const addMachine = async (name: string, m: LabMachine, username: string, credentials: object) => {
    const res = await api('POST', '/api/v1/machines', {
      body: { name, hostname: m.address, port: m.sshPort, username, credentials },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
    lab = await Lab.up({ machines: 2, log: (x) => console.log(`[lab] ${x}`) });
    ms = lab.machines();
    await lab.publishSet({ 'homelab-demo': '1.1', 'homelab-secfix': '1.1' });
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_SSH_CONNECT_TIMEOUT_SECONDS: '6' });
    privateKey = readFileSync(ms[1]!.users.deploy.privateKeyPath!, 'utf8');
    // One machine by password, one by SSH key: neither may show in any answer.
    ids.push(
      await addMachine('mcp-lab1', ms[0]!, 'admin', {
        authMethod: 'password',
        password: ADMIN_PW,
        sudoMode: 'same_as_ssh',
      }),
    );
    ids.push(await addMachine('mcp-lab2', ms[1]!, 'deploy', { authMethod: 'ssh_key', privateKey, sudoMode: 'none' }));
    for (const id of ids) await analyse(id);
    const made = await api('POST', '/api/v1/api-clients', {
      body: { label: 'hermes-lab', clientKind: 'mcp', scopes: ['operate'] },
    });
    expect(made.status, made.text).toBe(201);
    token = made.body.token;
    client = new Client({ name: 'mcp-lab-spec', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${gw.base}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
  }, 300_000);

  afterAll(async () => {
    await client?.close();
    await gw?.close();
    await db?.drop();
    await lab?.down();
  });

  it('reads state and deduplicated updates, proposes a dist-upgrade a person approves, and reads it back reduced', async () => {
    const tiles = await call('list_machines', {});
    expect(tiles.total).toBe(2);
    for (const tile of tiles.items)
      expect(tile).toMatchObject({ credentials: 'set', aptUpdates: 2, aptSecurityUpdates: 1 });
    expect(await call('machine_state', { machineId: ids[1] })).toMatchObject({
      name: 'mcp-lab2',
      apt: { usable: true },
    });

    // The same change on both machines is one entry needing both (seed 004 §6).
    const pending = await call('pending_updates', {});
    const demo = pending.items.find((g: { name: string }) => g.name === 'homelab-demo');
    expect(demo).toMatchObject({ currentVersion: '1.0', targetVersion: '1.1', machineCount: 2 });
    expect(demo.machineIds.sort()).toEqual([...ids].sort());

    const proposal = await call('propose_action', {
      machineId: ids[0],
      action: 'apt_dist_upgrade',
      summary: 'homelab-secfix is a security update',
    });
    expect(proposal.status).toBe('pending');
    const inbox = (await api('GET', '/api/v1/action-requests?status=pending')).body;
    expect(inbox.find((r: { id: string }) => r.id === proposal.id)).toMatchObject({ requestedBy: { type: 'hermes' } });

    // The token decides nothing and changes nothing on REST: 403 on every mutating route but the proposal's own.
    const doc = (await api('GET', '/api/docs-json', { token: null })).body as { paths: Record<string, object> };
    const mutating = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path })),
    );
    const refusedAll: string[] = [];
    for (const op of mutating.filter((o) => !ASSISTANT_MAY_CALL.has(`${o.method} ${o.path}`))) {
      const path = op.path
        .replace(/\{id\}/, op.path.startsWith('/api/v1/action-requests') ? proposal.id : ids[0]!)
        .replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const res = await api(op.method as 'POST', path, { token, body: {} });
      if (res.status !== 403) refusedAll.push(`${op.method} ${op.path} → ${res.status}`);
    }
    expect(refusedAll).toEqual([]);
    expect(mutating.length).toBeGreaterThan(40);

    // A person approves; the job runs against the lab machine.
    const approved = await api('POST', `/api/v1/action-requests/${proposal.id}/approve`, { body: {} });
    expect(approved.status, approved.text).toBe(200);
    expect(await gw.waitJob(approved.body.jobId, 180_000)).toMatchObject({ status: 'ok' });
    const installed = await lab.exec(ms[0]!.name, "dpkg-query -W -f='${Version}' homelab-demo");
    expect(installed.stdout).toBe('1.1');
    expect(await call('request_status', { requestId: proposal.id })).toMatchObject({ jobId: approved.body.jobId });

    // The execution, reduced: the kept lines of its raw log and its reduced JSON; the raw log stays on the server.
    const summary = await call('execution_summary', { machineId: ids[0], action: 'apt_dist_upgrade' });
    expect(summary).toMatchObject({ status: expect.any(String), rawLog: 'kept on the server, never sent' });
    expect(summary.importantLogLinesTotal).toBeGreaterThan(0);
    const execution = (await db.query(`SELECT raw_artifact_id FROM executions WHERE id = $1`, [summary.id]))[0];
    const raw = (await api('GET', `/api/v1/machines/${ids[0]}/raw-logs/${execution.raw_artifact_id}`)).text as string;
    const kept = new Set(reduceLogLines(raw, ['apt']));
    const rawOnly = raw
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l.length >= 20 && !kept.has(l));
    expect(rawOnly.length).toBeGreaterThan(5);
    await call('latest_report', { machineId: ids[0] });
    await call('important_messages', {});

    const [figures] = await db.query<{ raw_bytes: string; reduced_bytes: number }>(
      `SELECT raw_bytes::text, reduced_bytes FROM mcp_audit_log WHERE tool = 'execution_summary' AND execution_id = $1`,
      [summary.id],
    );
    const rawBytes = Number(figures!.raw_bytes);
    expect(rawBytes).toBe(Buffer.byteLength(raw));
    expect(figures!.reduced_bytes).toBeGreaterThan(0);
    const usage = await call('report_usage', {
      sessionKey: 'lab-conv',
      source: 'cli',
      provider: 'lab',
      model: 'none',
      promptTokens: 1000,
      completionTokens: 100,
    });
    expect(usage.rawBytes).toBe(rawBytes);
    console.log(
      `[mcp lab] dist-upgrade execution: raw log ${rawBytes} B, reduced answer ${figures!.reduced_bytes} B, ` +
        `ratio ${(rawBytes / figures!.reduced_bytes).toFixed(2)} (raw/reduced); ${summary.importantLogLinesTotal} of ` +
        `${raw.split('\n').length} lines kept`,
    );

    // Every audited call, and no secret or raw-log-only line in any answer.
    const audited = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM mcp_audit_log`);
    expect(audited[0]!.n).toBe(answers.length);
    const keyBody = privateKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
    expect(keyBody.length).toBeGreaterThan(0);
    const all = answers.join('\n');
    for (const secret of [ADMIN_PW, token, ...keyBody]) expect(all).not.toContain(secret);
    const leaked = rawOnly.filter((l) => all.includes(l));
    expect(leaked).toEqual([]);
  }, 400_000);
});
