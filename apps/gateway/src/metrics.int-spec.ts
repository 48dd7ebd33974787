import { describe, expect, it } from 'vitest';
import { Database, ProcessMetricsRepository } from '@su/db';
import { snapshotProcessMetrics } from '@su/telemetry';
import { gatewayPerFile } from './test/gateway.harness.ts';
import { ScrapedMetrics } from './test/prometheus-text.ts';

// /metrics (ADR 0034): who may scrape it, that a Prometheus text-format parser reads it, and that it reports job
// facts from the database and other processes' published registries added to this one's.
describe('GET /metrics', () => {
  const t = gatewayPerFile();

  const token = async (scopes: string[]) => {
    const res = await t.gw.api('POST', '/api/v1/api-clients', { body: { label: `scraper ${scopes}`, scopes } });
    expect(res.status).toBe(201);
    return res.body.token as string;
  };

  const scrape = async (tok: string) => {
    const res = await fetch(`${t.gw.base}/metrics`, { headers: { authorization: `Bearer ${tok}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return new ScrapedMetrics(await res.text());
  };

  it('refuses a caller without a token (401) and a token without metrics:read or admin (403)', async () => {
    expect((await fetch(`${t.gw.base}/metrics`)).status).toBe(401);
    for (const scopes of [['read'], ['operate']]) {
      const res = await fetch(`${t.gw.base}/metrics`, { headers: { authorization: `Bearer ${await token(scopes)}` } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { detail: string }).detail).toContain('metrics:read');
    }
  });

  it('gives a metrics:read token /metrics and nothing else', async () => {
    const scraper = await token(['metrics:read']);
    await scrape(scraper);
    expect((await t.gw.api('GET', '/api/v1/machines', { token: scraper })).status).toBe(403);
    expect((await t.gw.api('GET', '/api/v1/jobs', { token: scraper })).status).toBe(403);
  });

  it('parses, names every promised family, and counts a finished job by kind and status', async () => {
    const scraper = await token(['metrics:read']);
    const before = await scrape(scraper);
    for (const name of [
      'su_ssh_connect_seconds',
      'su_ssh_command_seconds',
      'su_job_duration_seconds',
      'su_machine_lock_waits_total',
      'su_errors_total',
      'su_sse_clients',
      'su_db_pool_connections',
      'su_scheduler_firing_delay_seconds',
      'su_jobs',
      'su_queue_depth',
      'su_queue_oldest_age_seconds',
    ])
      expect(before.families.has(name), name).toBe(true);
    expect(before.family('su_job_duration_seconds').type).toBe('HISTOGRAM');
    expect(before.value('su_db_pool_connections', { service: 'gateway', state: 'total' })).toBeGreaterThan(0);

    const job = await t.gw.api('POST', '/api/v1/system/selftest', { body: { echo: 'metrics' } });
    expect((await t.gw.waitJob(job.body.id)).status).toBe('ok');
    const after = await scrape(scraper);
    const ok = { kind: 'system.selftest', status: 'ok' };
    expect(after.value('su_jobs', ok)).toBe(before.value('su_jobs', ok) + 1);
    expect(after.count('su_job_duration_seconds', ok)).toBe(before.count('su_job_duration_seconds', ok) + 1);
  });

  it('adds up the registries other processes published, and leaves out a stale one', async () => {
    const scraper = await token(['metrics:read']);
    const job = await t.gw.api('POST', '/api/v1/system/selftest', { body: { echo: 'other' } });
    await t.gw.waitJob(job.body.id);
    const alone = await scrape(scraper);
    const ok = { kind: 'system.selftest', status: 'ok' };
    const own = alone.count('su_job_duration_seconds', ok);
    expect(own).toBeGreaterThan(0);

    // Another worker process's registry, as its publisher writes it (here: a copy of this one's).
    const repo = new ProcessMetricsRepository(t.gw.app.get(Database).prisma);
    await repo.publish({ instance: 'other-host:4242', service: 'apt-worker', metrics: await snapshotProcessMetrics() });
    const both = await scrape(scraper);
    expect(both.count('su_job_duration_seconds', ok)).toBe(2 * own);
    expect(both.value('su_metrics_processes', { service: 'apt-worker' })).toBe(1);

    await t.db.query(`UPDATE process_metrics SET updated_at = now() - interval '1 hour' WHERE instance = $1`, [
      'other-host:4242',
    ]);
    const stale = await scrape(scraper);
    expect(stale.count('su_job_duration_seconds', ok)).toBe(own);
    expect(stale.value('su_metrics_processes', { service: 'apt-worker' })).toBe(0);
  });
});
