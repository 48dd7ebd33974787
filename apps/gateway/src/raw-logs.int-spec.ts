import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayPerFile, type GatewayHarness } from './test/gateway.harness.ts';

const t = gatewayPerFile();
const api: GatewayHarness['api'] = (...args) => t.gw.api(...args);

async function newMachine(name: string): Promise<string> {
  const res = await api('POST', '/api/v1/machines', { body: { name, hostname: '127.0.0.1', username: 'u' } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function rawLog(machineId: string, text: string): Promise<string> {
  const path = join(t.gw.dataDir, `raw-${machineId}.log`);
  writeFileSync(path, text);
  const [r] = await t.db.query<{ id: string }>(
    `INSERT INTO raw_artifacts (machine_id, kind, path) VALUES ($1, 'raw_log', $2) RETURNING id`,
    [machineId, path],
  );
  return r!.id;
}

describe('raw logs (GET /machines/:id/raw-logs/:artifactId)', () => {
  it("answers the machine's log as plain text, and 404 for another machine's or a deleted one", async () => {
    const a = await newMachine('log-a');
    const b = await newMachine('log-b');
    const id = await rawLog(a, '$ apt-get -y upgrade\nSetting up homelab-demo (1.1) ...\n');
    const res = await fetch(`${t.gw.base}/api/v1/machines/${a}/raw-logs/${id}`, {
      headers: { authorization: `Bearer ${t.gw.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('$ apt-get -y upgrade\nSetting up homelab-demo (1.1) ...\n');
    expect((await api('GET', `/api/v1/machines/${b}/raw-logs/${id}`)).status).toBe(404);
    await t.db.query(`UPDATE raw_artifacts SET deleted_at = now() WHERE id = $1`, [id]);
    expect((await api('GET', `/api/v1/machines/${a}/raw-logs/${id}`)).status).toBe(404);
  });
});
