// Host metrics history (issue 20, ADR 0044) without a machine: the rows as the recorder keeps them, the history route
// and its buckets, the disk message once per crossing, retention's fold into hourly rows, and the scheduler's pass
// (who it samples, and that it never piles samples up). The SSH side is in host-metrics.lab-spec.ts.
import { describe, expect, it } from 'vitest';
import type { FilesystemUsage, HostMetricsSample } from '@su/contracts';
import { Database } from '@su/db';
import { MetricsSampleScheduler, recordHostMetrics } from '@su/inventory';
import { DEFAULT_MIX, SimFleet } from '@su/testing';
import { gatewayPerFile } from './test/gateway.harness.ts';

const t = gatewayPerFile();

const fs = (mount: string, usedPercent: number): FilesystemUsage => ({
  mount,
  device: `/dev/${mount === '/' ? 'root' : 'data'}`,
  fsType: 'ext4',
  sizeBytes: 1000,
  usedBytes: usedPercent * 10,
  availableBytes: 1000 - usedPercent * 10,
  usedPercent,
});

function sample(at: Date, v: { load: number; memory: number; root: number; data?: number }): HostMetricsSample {
  return {
    collectedAt: at.toISOString(),
    load: { load1: v.load, load5: v.load / 2, load15: v.load / 4 },
    cpuCores: 2,
    memory: { totalBytes: 1000, usedBytes: v.memory * 10, usedPercent: v.memory },
    filesystems: [fs('/', v.root), ...(v.data === undefined ? [] : [fs('/data', v.data)])],
    rootUsedPercent: v.root,
    uptimeSeconds: 3600,
  };
}

async function machine(name: string): Promise<string> {
  const m = await t.gw.api('POST', '/api/v1/machines', {
    body: { name, hostname: '127.0.0.1', port: 1, username: 'admin' },
  });
  expect(m.status, m.text).toBe(201);
  return m.body.id as string;
}

const record = (id: string, s: HostMetricsSample, source: 'probe' | 'sample' = 'sample') =>
  t.gw.app.get(Database).transaction((tx) => recordHostMetrics(tx, id, source, s));

const HOUR = 3_600_000;

describe('host metrics history', () => {
  it('keeps each sample and answers a time range as stored or in buckets, averages weighted, disks at their highest', async () => {
    const id = await machine('hm-history');
    const base = new Date(Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR); // on an hour: buckets are predictable
    await record(id, sample(new Date(base.getTime() + 60_000), { load: 1, memory: 40, root: 50, data: 10 }), 'probe');
    await record(id, sample(new Date(base.getTime() + 120_000), { load: 3, memory: 60, root: 52, data: 30 }));
    await record(id, sample(new Date(base.getTime() + HOUR + 60_000), { load: 0.5, memory: 20, root: 55 }));

    const from = new Date(base.getTime() - HOUR).toISOString();
    const raw = await t.gw.api('GET', `/api/v1/machines/${id}/metrics?from=${from}&resolution=raw`);
    expect(raw.status, raw.text).toBe(200);
    expect(raw.body.resolution).toBe('raw');
    expect(raw.body.points.map((p: any) => [p.load1, p.memoryUsedPercent, p.rootUsedPercent])).toEqual([
      [1, 40, 50],
      [3, 60, 52],
      [0.5, 20, 55],
    ]);
    expect(raw.body.points[0]).toMatchObject({ samples: 1, uptimeSeconds: 3600, filesystems: { '/': 50, '/data': 10 } });
    expect(raw.body.points[0].at).toBe(new Date(base.getTime() + 60_000).toISOString());

    const hourly = await t.gw.api('GET', `/api/v1/machines/${id}/metrics?from=${from}&resolution=1h`);
    expect(hourly.status, hourly.text).toBe(200);
    expect(hourly.body.points).toHaveLength(2);
    expect(hourly.body.points[0]).toMatchObject({
      at: base.toISOString(),
      samples: 2,
      load1: 2,
      memoryUsedPercent: 50,
      diskMaxUsedPercent: 52,
      filesystems: { '/': 52, '/data': 30 },
    });
    // Without a range: the last 24 hours, at the finest resolution (rows as stored).
    const dflt = await t.gw.api('GET', `/api/v1/machines/${id}/metrics`);
    expect(dflt.body.resolution).toBe('raw');
    expect(dflt.body.points).toHaveLength(3);
  });

  it('bad ranges and resolutions are a 400 naming the field; an unknown machine a 404', async () => {
    const id = await machine('hm-bad');
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const field = async (query: string) => {
      const r = await t.gw.api('GET', `/api/v1/machines/${id}/metrics?${query}`);
      expect(r.status, r.text).toBe(400);
      return JSON.stringify(r.body);
    };
    expect(await field(`from=${iso(now)}&to=${iso(now - HOUR)}`)).toContain('"from"');
    expect(await field(`from=${iso(now - 500 * 24 * HOUR)}`)).toContain('"from"');
    expect(await field(`from=${iso(now - 3 * 24 * HOUR)}&resolution=raw`)).toContain('"resolution"');
    expect(await field(`from=${iso(now - 30 * 24 * HOUR)}&resolution=5m`)).toContain('"resolution"');
    expect(await field('resolution=1s')).toContain('resolution');
    expect(await field('from=yesterday')).toContain('from');
    const auto = await t.gw.api('GET', `/api/v1/machines/${id}/metrics?from=${iso(now - 30 * 24 * HOUR)}`);
    expect(auto.body.resolution).toBe('1h');
    const ghost = '3f1c1d2e-0000-4000-8000-000000000000';
    expect((await t.gw.api('GET', `/api/v1/machines/${ghost}/metrics`)).status).toBe(404);
  });

  it('a disk over the threshold raises one message per crossing, resolved when back under', async () => {
    const id = await machine('hm-disk');
    const open = async () =>
      (await t.gw.api('GET', `/api/v1/machines/${id}/important-messages`)).body.filter(
        (m: any) => m.category === 'disk_usage',
      );
    await record(id, sample(new Date(), { load: 1, memory: 10, root: 80, data: 85 }));
    expect(await open()).toEqual([]);
    await record(id, sample(new Date(), { load: 1, memory: 10, root: 80, data: 93 }));
    const [msg, ...more] = await open();
    expect(more).toEqual([]);
    expect(msg).toMatchObject({ severity: 'warning', message: '/data is 93% full (threshold 90%)' });
    // Acknowledged, still full: the same crossing, not news again.
    const ack = await t.gw.api('POST', `/api/v1/machines/${id}/important-messages/${msg.id}/acknowledge`);
    expect(ack.status).toBe(204);
    await record(id, sample(new Date(), { load: 1, memory: 10, root: 80, data: 99 }));
    expect(await open()).toEqual([]);
    // Back under: resolved; over again: a new crossing, open and unacknowledged.
    await record(id, sample(new Date(), { load: 1, memory: 10, root: 80, data: 50 }));
    const [row] = await t.db.query(`SELECT resolved_at FROM important_messages WHERE machine_id = $1::uuid`, [id]);
    expect(row.resolved_at).not.toBeNull();
    await record(id, sample(new Date(), { load: 1, memory: 10, root: 80, data: 91 }));
    expect((await open()).map((m: any) => [m.message, m.acknowledged])).toEqual([
      ['/data is 91% full (threshold 90%)', false],
    ]);
    // The threshold is a setting.
    const set = await t.gw.api('PUT', '/api/v1/settings/host-metrics', {
      body: { sampleIntervalSeconds: 300, diskThresholdPercent: 75 },
    });
    expect(set.status, set.text).toBe(200);
    await record(id, sample(new Date(), { load: 1, memory: 10, root: 80, data: 91 }));
    expect((await open()).map((m: any) => m.message).sort()).toEqual([
      '/ is 80% full (threshold 75%)',
      '/data is 91% full (threshold 90%)',
    ]);
    await t.gw.api('PUT', '/api/v1/settings/host-metrics', { body: { sampleIntervalSeconds: 300, diskThresholdPercent: 90 } });
  });

  it('a probe counts the disks over the threshold setting, the same ones its disk messages name', async () => {
    // One simulated machine answering the probe with outputs recorded from a lab machine (libs/testing sim-fleet).
    const fleet = await SimFleet.start({ count: 1, mix: { ...DEFAULT_MIX, unreachablePct: 0, slowPct: 0 } });
    try {
      const [h] = fleet.hosts;
      const m = await t.gw.api('POST', '/api/v1/machines', {
        body: {
          name: 'hm-probe-threshold',
          hostname: '127.0.0.1',
          port: h!.port,
          username: h!.o.username,
          credentials: { authMethod: 'password', password: h!.o.password, sudoMode: 'same_as_ssh' },
        },
      });
      expect(m.status, m.text).toBe(201);
      const id = m.body.id as string;
      const probe = async () => {
        const j = await t.gw.api('POST', `/api/v1/machines/${id}/actions`, { body: { action: 'machine_probe' } });
        expect(j.status, j.text).toBe(201);
        expect((await t.gw.waitJob(j.body.id, 120_000)).status).toBe('ok');
        const [row] = await t.db.query(
          `SELECT s.disk_warnings_count AS n, l.filesystems_json AS fs FROM machine_state s
           JOIN machine_metrics_latest l USING (machine_id) WHERE s.machine_id = $1::uuid`,
          [id],
        );
        const messages = await t.db.query(
          `SELECT component FROM important_messages
           WHERE machine_id = $1::uuid AND category = 'disk_usage' AND resolved_at IS NULL`,
          [id],
        );
        return { count: row.n as number, fs: row.fs as FilesystemUsage[], messages: messages.map((r) => r.component) };
      };
      // The recorded machine's disks are far from the default 90 %: nothing to count, nothing to say.
      const first = await probe();
      expect(first).toMatchObject({ count: 0, messages: [] });
      // A threshold at its fullest file system's use (the setting is a whole percent): that disk is over it, counted
      // and named alike.
      const fullest = Math.floor(Math.max(...first.fs.map((f) => f.usedPercent)));
      expect(fullest).toBeGreaterThan(0);
      const set = await t.gw.api('PUT', '/api/v1/settings/host-metrics', {
        body: { sampleIntervalSeconds: 300, diskThresholdPercent: fullest },
      });
      expect(set.status, set.text).toBe(200);
      const second = await probe();
      const over = second.fs.filter((f) => f.usedPercent >= fullest).map((f) => f.mount);
      expect(over.length).toBeGreaterThan(0);
      expect(second.count).toBe(over.length);
      expect(second.messages.sort()).toEqual(over.sort());
    } finally {
      await t.gw.api('PUT', '/api/v1/settings/host-metrics', {
        body: { sampleIntervalSeconds: 300, diskThresholdPercent: 90 },
      });
      await fleet.stop();
    }
  });

  it('settings: a flooding interval or a threshold out of range is a 400 naming the field', async () => {
    for (const [body, field] of [
      [{ sampleIntervalSeconds: 5, diskThresholdPercent: 90 }, 'sampleIntervalSeconds'],
      [{ sampleIntervalSeconds: 300, diskThresholdPercent: 101 }, 'diskThresholdPercent'],
      [{ sampleIntervalSeconds: -1, diskThresholdPercent: 90 }, 'sampleIntervalSeconds'],
    ] as const) {
      const r = await t.gw.api('PUT', '/api/v1/settings/host-metrics', { body });
      expect(r.status, r.text).toBe(400);
      expect(JSON.stringify(r.body)).toContain(field);
    }
    expect((await t.gw.api('GET', '/api/v1/settings/host-metrics')).body).toEqual({
      sampleIntervalSeconds: 300,
      diskThresholdPercent: 90,
    });
  });

  it('retention folds samples past rawDays into hourly rows and drops hourly rows past hourlyDays', async () => {
    const id = await machine('hm-retention');
    const DAY = 24 * HOUR;
    const oldHour = new Date(Math.floor((Date.now() - 8 * DAY) / HOUR) * HOUR);
    for (const [i, load] of [1, 2, 6].entries())
      await record(id, sample(new Date(oldHour.getTime() + i * 60_000), { load, memory: 30 + i * 10, root: 40 }));
    await record(id, sample(new Date(Date.now() - HOUR), { load: 9, memory: 90, root: 40 }));
    await t.db.query(
      `INSERT INTO host_metrics (machine_id, collected_at, source, cpu_load1, cpu_load5, cpu_load15, memory_total_bytes,
         memory_used_bytes, memory_used_percent, root_used_percent, disk_max_used_percent, filesystems_json,
         uptime_seconds, samples)
       VALUES ($1::uuid, now() - interval '200 days', 'hour', 1, 1, 1, 1000, 10, 1, 1, 1, '[]', 1, 12)`,
      [id],
    );
    const dry = await t.gw.api('POST', '/api/v1/maintenance/cleanup', { body: { mode: 'dry_run' } });
    expect(dry.status, dry.text).toBe(201);
    expect(dry.body.counts.hostMetrics).toBe(4);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM host_metrics WHERE machine_id = $1::uuid`, [id]))[0].n).toBe(5);

    const applied = await t.gw.api('POST', '/api/v1/maintenance/cleanup', { body: { mode: 'apply' } });
    expect(applied.body.status).toBe('ok');
    const rows = await t.db.query(
      `SELECT source, collected_at, cpu_load1, memory_used_percent, samples FROM host_metrics
       WHERE machine_id = $1::uuid ORDER BY collected_at`,
      [id],
    );
    expect(rows.map((r) => [r.source, r.cpu_load1, r.memory_used_percent, r.samples])).toEqual([
      ['hour', 3, 40, 3],
      ['sample', 9, 90, 1],
    ]);
    expect(rows[0].collected_at.toISOString()).toBe(oldHour.toISOString());
    // The hourly row still answers the history, weighted by the samples it stands for.
    const h = await t.gw.api(
      'GET',
      `/api/v1/machines/${id}/metrics?from=${new Date(oldHour.getTime() - DAY).toISOString()}&to=${new Date().toISOString()}&resolution=1d`,
    );
    expect(h.body.points.map((p: any) => p.samples).reduce((a: number, b: number) => a + b, 0)).toBe(4);
    // The rules are part of the retention settings; a PUT without them keeps them.
    const ret = await t.gw.api('GET', '/api/v1/maintenance/retention');
    expect(ret.body.hostMetrics).toEqual({ rawDays: 7, hourlyDays: 180 });
    const put = await t.gw.api('PUT', '/api/v1/maintenance/retention', {
      body: { ...ret.body, hostMetrics: { rawDays: 3, hourlyDays: 30 } },
    });
    expect(put.body.hostMetrics).toEqual({ rawDays: 3, hourlyDays: 30 });
    const { hostMetrics: _hm, ...without } = put.body;
    expect((await t.gw.api('PUT', '/api/v1/maintenance/retention', { body: without })).body.hostMetrics).toEqual({
      rawDays: 3,
      hourlyDays: 30,
    });
    await t.gw.api('PUT', '/api/v1/maintenance/retention', { body: ret.body });
  });

  it('the periodic pass queues one batch for online, unlocked machines only, and never a second sample while one waits', async () => {
    await t.gw.stopWorker(); // the samples stay queued: this test is about who gets one
    const online = await machine('hm-online');
    const offline = await machine('hm-offline');
    const blocked = await machine('hm-blocked');
    const locked = await machine('hm-locked');
    const status = (id: string, s: string) =>
      t.db.query(
        `INSERT INTO machine_state (machine_id, status) VALUES ($1::uuid, $2)
         ON CONFLICT (machine_id) DO UPDATE SET status = EXCLUDED.status`,
        [id, s],
      );
    // Every other machine of this file offline, so the pass's choice is this test's alone.
    await t.db.query(`UPDATE machine_state SET status = 'offline'`);
    await t.db.query(`INSERT INTO machine_state (machine_id, status)
                      SELECT id, 'offline' FROM machines ON CONFLICT (machine_id) DO NOTHING`);
    await status(online, 'online');
    await status(offline, 'offline');
    await status(blocked, 'blocked');
    await status(locked, 'online');
    const [job] = await t.db.query(
      `INSERT INTO jobs (kind, machine_id, status) VALUES ('apt.upgrade', $1::uuid, 'running') RETURNING id`,
      [locked],
    );
    await t.db.query(
      `INSERT INTO machine_locks (machine_id, job_id, lock_kind, worker_id, created_at, expires_at)
       VALUES ($1::uuid, $2::uuid, 'apt.upgrade', 'test', now(), now() + interval '1 hour')`,
      [locked, job.id],
    );
    const pass = t.gw.app.get(MetricsSampleScheduler);
    const t0 = Date.now();
    expect(await pass.tick(t0)).toBe(1);
    const queued = await t.db.query(`SELECT machine_id::text AS m, status FROM jobs WHERE kind = 'machine.metrics_sample'`);
    expect(queued).toEqual([{ m: online, status: 'queued' }]);
    // The one still waits: a pass now queues nothing more.
    expect(await pass.queuePass()).toBe(0);
    // Once it ended, the next pass comes with the interval (300 s by default), not before.
    await t.db.query(`UPDATE jobs SET status = 'ok', finished_at = now() WHERE kind = 'machine.metrics_sample'`);
    expect(await pass.tick(t0 + 1_000)).toBe(0);
    expect(await pass.tick(t0 + 301_000)).toBe(1);
    await t.gw.restartWorker();
  });
});
