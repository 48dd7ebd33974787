import { describe, expect, it } from 'vitest';
import { gatewayPerFile } from './test/gateway.harness.ts';

const t = gatewayPerFile();

describe('chart aggregates', () => {
  it('the fleet day by day: each machine’s latest analysis by the day’s end, and jobs finished by outcome', async () => {
    const m = await t.gw.api('POST', '/api/v1/machines', {
      body: { name: 'stats-1', hostname: '127.0.0.1', port: 1, username: 'admin' },
    });
    const id = m.body.id as string;
    const snapshot = (daysAgo: number, count: number, security: number, status = 'ok') =>
      t.db.query(
        `INSERT INTO snapshots (machine_id, kind, status, payload, important_json, created_at)
         VALUES ($1::uuid, 'apt_update_analyze', $4, '{}', jsonb_build_object('count', $2::int, 'security', $3::int),
                 date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(days => $5::int) + interval '1 hour')`,
        [id, count, security, status, daysAgo],
      );
    await snapshot(2, 5, 1);
    await snapshot(0, 3, 0);
    await snapshot(0, 99, 99, 'error'); // a failed analysis has no plan: not counted
    for (const status of ['ok', 'ok', 'error', 'cancelled'])
      await t.db.query(
        `INSERT INTO jobs (kind, machine_id, status, finished_at) VALUES ('apt.update_analyze', $1::uuid, $2, now())`,
        [id, status],
      );
    const res = await t.gw.api('GET', '/api/v1/stats/fleet?days=3');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toHaveLength(3);
    expect(res.body.map((d: { pending: number; security: number }) => [d.pending, d.security])).toEqual([
      [5, 1],
      [5, 1],
      [3, 0],
    ]);
    expect(res.body[2]).toMatchObject({ ok: 2, failed: 1, cancelled: 1 });
    expect(res.body[0]).toMatchObject({ ok: 0, failed: 0, cancelled: 0 });
    expect((await t.gw.api('GET', '/api/v1/stats/fleet?days=0')).status).toBe(400);
  });

  it('a machine’s update history and its verified reboots’ durations; 404 for an unknown machine', async () => {
    const m = await t.gw.api('POST', '/api/v1/machines', {
      body: { name: 'stats-2', hostname: '127.0.0.1', port: 1, username: 'admin' },
    });
    const id = m.body.id as string;
    await t.db.query(
      `INSERT INTO snapshots (machine_id, kind, status, payload, important_json, created_at)
       VALUES ($1::uuid, 'apt_update_analyze', 'ok', '{}', '{"count": 7, "security": 2}', now() - interval '1 day'),
              ($1::uuid, 'apt_update_analyze', 'ok', '{}', '{"count": 0, "security": 0}', now())`,
      [id],
    );
    await t.db.query(
      `INSERT INTO executions (machine_id, action, mode, status, started_at, finished_at)
       VALUES ($1::uuid, 'reboot_verified', 'manual', 'ok', now() - interval '75 seconds', now()),
              ($1::uuid, 'reboot_verified', 'manual', 'error', now() - interval '900 seconds', now())`,
      [id],
    );
    const res = await t.gw.api('GET', `/api/v1/machines/${id}/stats`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.updates.map((u: { pending: number }) => u.pending)).toEqual([7, 0]);
    expect(res.body.updates[0].security).toBe(2);
    expect(res.body.reboots).toEqual([{ at: expect.stringMatching(/Z$/), seconds: 75 }]);
    const ghost = '3f1c1d2e-0000-4000-8000-000000000000';
    expect((await t.gw.api('GET', `/api/v1/machines/${ghost}/stats`)).status).toBe(404);
  });
});
