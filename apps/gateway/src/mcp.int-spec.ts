// The MCP server (issue 18) over real Streamable HTTP with the official SDK's client, on a real database: tools are
// listed, state read, a dist-upgrade proposed (pending, requested by hermes, never executed), the same token refused
// approval on REST, a machine outside its scope invisible and refused, bad input a tool error, an audit row per call,
// and no answer carrying the machine's credentials.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

const t = gatewayPerFile();
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
      'list_machines',
      'machine_state',
      'propose_action',
      'request_status',
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
