import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

const t = gatewayPerFile();

const valid = {
  name: 'nightly',
  cron: '30 3 * * *',
  timezone: 'Europe/Paris',
  scope: { tags: ['lab'] },
  actions: ['apt_update_analyze', 'apt_upgrade', 'reboot_verified'],
  concurrency: 2,
};

describe('schedules API', () => {
  it('creates a schedule with its next run computed in its time zone, lists, previews, updates and deletes it', async () => {
    const created = await t.gw.api('POST', '/api/v1/schedules', { body: valid });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'nightly',
      enabled: true,
      concurrency: 2,
      approvalPolicy: 'none',
      actions: valid.actions,
    });
    // 03:30 in Paris is 01:30 or 02:30 UTC depending on DST.
    expect(created.body.nextRunAt).toMatch(/T0[12]:30:00\.000Z$/);
    expect(Date.parse(created.body.nextRunAt)).toBeGreaterThan(Date.now());
    const preview = (await t.gw.api('GET', `/api/v1/schedules/${created.body.id}/preview?count=3`)).body as string[];
    expect(preview).toHaveLength(3);
    expect((await t.gw.api('GET', '/api/v1/schedules')).body.map((s: { id: string }) => s.id)).toEqual([
      created.body.id,
    ]);
    const off = await t.gw.api('PUT', `/api/v1/schedules/${created.body.id}`, { body: { ...valid, enabled: false } });
    expect(off.body).toMatchObject({ enabled: false, nextRunAt: null });
    expect((await t.gw.api('DELETE', `/api/v1/schedules/${created.body.id}`)).status).toBe(204);
    expect((await t.gw.api('GET', `/api/v1/schedules/${created.body.id}`)).status).toBe(404);
  });

  it('answers 400 with the field and the reason for a bad cron, time zone, action or scope, and changes nothing', async () => {
    const cron = await t.gw.api('POST', '/api/v1/schedules', { body: { ...valid, cron: '61 * * * *' } });
    expect(cron.status).toBe(400);
    expect(cron.body.errors).toEqual([{ field: 'cron', reasons: [expect.stringMatching(/invalid cron/)] }]);
    const tz = await t.gw.api('POST', '/api/v1/schedules', { body: { ...valid, timezone: 'Mars/Olympus' } });
    expect(tz.body.errors).toEqual([{ field: 'timezone', reasons: [expect.stringMatching(/unknown time zone/)] }]);
    const action = await t.gw.api('POST', '/api/v1/schedules', { body: { ...valid, actions: ['format_disk'] } });
    expect(action.body.errors[0].field).toBe('actions');
    const scope = await t.gw.api('POST', '/api/v1/schedules', { body: { ...valid, scope: {} } });
    expect(scope.body.errors).toEqual([
      { field: 'scope', reasons: ['scope must name all machines, tags or machine ids'] },
    ]);
    const ghost = '3f1c1d2e-0000-4000-8000-000000000000';
    const unknown = await t.gw.api('POST', '/api/v1/schedules', { body: { ...valid, scope: { machineIds: [ghost] } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'scope.machineIds', reasons: [`no such machine: ${ghost}`] }]);
    const read = (await t.gw.api('POST', '/api/v1/api-clients', { body: { label: 'r', scopes: ['operate'] } })).body
      .token;
    expect((await t.gw.api('POST', '/api/v1/schedules', { token: read, body: valid })).status).toBe(403);
    expect(await t.db.query('SELECT * FROM schedules')).toEqual([]);
  });

  it('keeps the options of a maintenance step, and refuses them (400, the field named) without that step', async () => {
    const body = { ...valid, actions: ['maintenance'], maintenance: { apt: 'dist_upgrade', reboot: 'never' } };
    const created = await t.gw.api('POST', '/api/v1/schedules', { body });
    expect(created.status, created.text).toBe(201);
    expect(created.body.maintenance).toEqual({ apt: 'dist_upgrade', reboot: 'never' });
    const alone = await t.gw.api('POST', '/api/v1/schedules', { body: { ...valid, maintenance: { apt: 'none' } } });
    expect(alone.status).toBe(400);
    expect(alone.body.errors).toEqual([
      { field: 'maintenance', reasons: ['maintenance options need the maintenance action among the actions'] },
    ]);
    const wrong = await t.gw.api('POST', '/api/v1/schedules', {
      body: { ...body, maintenance: { reboot: 'sometimes' } },
    });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body.errors)).toContain('maintenance.reboot');
    expect(wrong.text).not.toContain('sometimes');
    expect((await t.gw.api('DELETE', `/api/v1/schedules/${created.body.id}`)).status).toBe(204);
  });

  it('previews a schedule being written: its next runs in its time zone and the machines its scope matches now', async () => {
    const machine = async (name: string, tags: string[]) => {
      const m = await t.gw.api('POST', '/api/v1/machines', {
        body: { name, hostname: '127.0.0.1', port: 1, username: 'admin', tags },
      });
      expect(m.status, m.text).toBe(201);
      return m.body.id as string;
    };
    const web1 = await machine('preview-web-1', ['pvweb']);
    const web2 = await machine('preview-web-2', ['pvweb']);
    await machine('preview-db-1', ['pvdb']);
    const preview = await t.gw.api('POST', '/api/v1/schedules/preview', {
      body: { cron: '30 3 * * 1-5', timezone: 'Asia/Tokyo', scope: { tags: ['pvweb'] } },
    });
    expect(preview.status, preview.text).toBe(200);
    // 03:30 in Tokyo (UTC+9, no DST) is 18:30 UTC the day before, Sunday to Thursday.
    expect(preview.body.nextRuns).toHaveLength(5);
    for (const iso of preview.body.nextRuns as string[]) {
      expect(iso).toMatch(/T18:30:00\.000Z$/);
      expect(new Date(iso).getUTCDay()).toBeLessThan(5);
    }
    expect(preview.body.machineIds).toEqual([web1, web2]);
    const excluded = await t.gw.api('POST', '/api/v1/schedules/preview', {
      body: { cron: '* * * * *', scope: { tags: ['pvweb'], excludeMachineIds: [web1] }, count: 2 },
    });
    expect(excluded.body).toMatchObject({ machineIds: [web2] });
    expect(excluded.body.nextRuns).toHaveLength(2);
    const bad = await t.gw.api('POST', '/api/v1/schedules/preview', {
      body: { cron: '* 25 * * *', timezone: 'UTC', scope: { all: true } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'cron', reasons: [expect.stringMatching(/the hour field/)] }]);
    expect(await t.db.query('SELECT * FROM schedules')).toEqual([]);
  });
});
