// Issue 19, acceptance 3 at a scale CI affords: a read-only pass (probe + analysis) over a simulated fleet (ssh2
// hosts answering with outputs recorded from the lab) run by two real apt-worker processes, one SIGKILLed while it
// runs jobs and a new one started, as the launcher would. Every job ends; the dead worker's jobs end worker_lost and
// their machines analyse fine when asked again: none lost, none stuck. (The bench `scale-pass` does it at 1,000.)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childProcessEnv } from '@su/config';
import { createTestDatabase, FixtureSet, SimFleet, type TestDatabase } from '@su/testing';
import { startGateway, type GatewayHarness } from './test/gateway.harness.ts';
import { spawnAptWorker, type AptWorkerChild } from './test/apt-worker-process.ts';

const root = new URL('../../..', import.meta.url).pathname;
const MACHINES = 16;
const LOCK_TTL_S = 5;

describe('a worker killed during a pass over a simulated fleet', () => {
  let db: TestDatabase;
  let gw: GatewayHarness;
  let fleet: SimFleet;
  const workers: AptWorkerChild[] = [];
  const ids: string[] = [];

  const jobsOf = async (jobIds: string[]) =>
    db.query(`SELECT id, kind, machine_id, status, error_kind, error_message, worker_id FROM jobs WHERE id = ANY($1::uuid[])`, [
      jobIds,
    ]);
  const waitEnded = async (jobIds: string[], until: (rows: any[]) => boolean = () => false) => {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const rows = await jobsOf(jobIds);
      const open = rows.filter((r: any) => r.status === 'queued' || r.status === 'running');
      if (open.length === 0 || until(rows) || Date.now() > deadline) return rows;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const act = async (id: string, action: string) => {
    const res = await gw.api('POST', `/api/v1/machines/${id}/actions`, { body: { action } });
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };

  beforeAll(async () => {
    const build = spawnSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'apt-worker'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    // A third of the recorded latency: the paths are what this proves (the bench keeps the recorded latency).
    fleet = await SimFleet.start({ count: MACHINES, fixtures: FixtureSet.load(), latencyScale: 0.3 });
    db = await createTestDatabase();
    gw = await startGateway(db, { SU_LOCK_TTL_SECONDS: String(LOCK_TTL_S), SU_LOCK_RETRY_SECONDS: '1' });
    await gw.stopWorker(); // the jobs go to the worker processes only
    for (const h of fleet.hosts) {
      const res = await gw.api('POST', '/api/v1/machines', {
        body: {
          name: h.name,
          hostname: '127.0.0.1',
          port: h.port,
          username: h.o.username,
          credentials: { authMethod: 'password', password: h.o.password, sudoMode: 'same_as_ssh' },
        },
      });
      expect(res.status, res.text).toBe(201);
      ids.push(res.body.id);
    }
  }, 300_000);

  afterAll(async () => {
    for (const w of workers) await w.kill();
    await fleet?.stop();
    await gw?.close();
    await db?.drop();
  });

  const env = () =>
    childProcessEnv({
      DATABASE_URL: db.url,
      SU_DATA_DIR: gw.dataDir,
      SU_LOCK_TTL_SECONDS: String(LOCK_TTL_S),
      SU_LOCK_RETRY_SECONDS: '1',
    });

  it('ends every job: the killed worker’s as worker_lost, and those machines analyse fine again', async () => {
    workers.push(await spawnAptWorker(root, env()), await spawnAptWorker(root, env()));
    const first = (await db.query(`SELECT id FROM jobs WHERE kind = 'machine.probe'`)).map((r: any) => r.id);
    const pass = [...first];
    const victim = workers[0]!;
    // Killed while it runs an analysis of this pass (the longest job: about a second against the simulated host). On
    // a quiet machine a round can end before the victim is seen running one (the other worker may take them): then
    // another round of analyses is queued.
    const analysing = (r: any) =>
      r.status === 'running' && r.worker_id === victim.workerId && r.kind === 'apt.update_analyze';
    let caught = false;
    for (let round = 0; round < 5 && !caught; round++) {
      for (const id of ids) pass.push(await act(id, 'apt_update_analyze'));
      caught = (await waitEnded(pass, (rows) => rows.some(analysing))).some(analysing);
    }
    expect(caught, 'the victim worker was never seen running an analysis').toBe(true);
    await victim.kill();
    // What the dead worker held when it died: its running rows, read before the lock's expiry (LOCK_TTL_S) lets the
    // lost-job detection end them.
    const runningThere = (await jobsOf(pass)).filter(
      (r: any) => r.status === 'running' && r.worker_id === victim.workerId,
    );
    workers.push(await spawnAptWorker(root, env()));

    const rows = await waitEnded(pass);
    expect(rows.filter((r: any) => r.status === 'queued' || r.status === 'running')).toEqual([]);
    const lost = rows.filter((r: any) => r.error_kind === 'worker_lost');
    expect(lost.length).toBeGreaterThan(0);
    // Only jobs the dead worker held end worker_lost; every other ends ok or with the host's own error.
    for (const l of lost) expect(runningThere.map((r: any) => r.id)).toContain(l.id);
    const kinds = new Set(rows.filter((r: any) => r.status === 'error').map((r: any) => r.error_kind));
    // On failure, what those errors said (a timeout's message tells a connect from a command).
    const said = rows.filter((r: any) => r.status === 'error').map((r: any) => `${r.kind}: ${r.error_message}`);
    for (const k of kinds) expect(['worker_lost', 'connection_refused'], said.join('; ')).toContain(k);

    const retried = [...new Set(lost.map((r: any) => r.machine_id as string))];
    // A script whose stdin the dead worker was still sending arrives cut short: the simulator knows no answer to it.
    // Only the hosts of lost jobs may have seen one.
    const lostHosts = retried.map((id) => fleet.hosts[ids.indexOf(id)]!.name);
    const cutShort = fleet.unknownCommands();
    for (const u of cutShort) expect(lostHosts).toContain(u.split(':')[0]);
    const again = await waitEnded(await Promise.all(retried.map((id) => act(id, 'apt_update_analyze'))));
    for (const r of again) expect(['ok', 'error']).toContain(r.status);
    expect(again.filter((r: any) => r.error_kind === 'worker_lost')).toEqual([]);
    // Every command of the live workers was one the recorded machines answered: no unknown command since.
    expect(fleet.unknownCommands()).toEqual(cutShort);
  }, 600_000);
});
