import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@su/config';
import { MachinesModule, MachinesService } from '@su/machines';
import { JobRunner, JobsService, type PlatformOptions } from '@su/platform';
import { Lab, isRoot } from '@su/testing';
import { AptWorkerModule, aptWorkerHandlers } from '@su/apt-worker';
import { benchDatabase } from './bench-database.ts';
import { labCli } from './lab-cli.ts';
import { AptCpuMeter } from './apt-cpu.meter.ts';
import { JobsEndedWatcher } from './jobs-ended.watcher.ts';
import { printTable, summary } from './stats.ts';

/** The apt-worker as it runs, plus the machines feature to register the lab machines. */
@Module({})
class BenchModule {
  static forRoot(p: PlatformOptions): DynamicModule {
    return { module: BenchModule, imports: [AptWorkerModule.forRoot(p), MachinesModule] };
  }
}

const ACTOR = { type: 'system', id: 'bench' } as const;
/** Alternating rounds measured per tool (the host is shared and noisy: the median of 9 is steadier than of 5). */
const ROUNDS = Number(process.env.SU_BENCH_ROUNDS ?? 9);

/**
 * The same APT analysis over every lab machine: ours (one batch of queued apt.update_analyze jobs, the apt-worker in
 * this process; each job = apt-get update, two simulations, holds, phasing, reboot-required over the machine's SSH
 * connection, then the snapshot and derived rows written to PostgreSQL) against Ansible's shell module running
 * `apt-get update && apt-get -s dist-upgrade` with forks = number of machines. Alternating rounds, same machines,
 * same login; both keep their SSH connections between rounds (ADR 0013; Ansible's default ControlPersist).
 */
export async function aptBench(): Promise<void> {
  if (!isRoot()) {
    console.log('\napt bench skipped: needs root (the lab)');
    return;
  }
  if (spawnSync('ansible', ['--version']).status !== 0) {
    console.log('\napt bench skipped: the peer is missing (apt-get install ansible)');
    return;
  }
  const broughtUp = !Lab.exists();
  if (broughtUp) labCli(['up', '--machines', '3']);
  const lab = Lab.attach();
  const machines = lab.machines();
  const initPids = (await lab.status()).map((m) => m.initPid ?? 0);
  for (const [pkg, v] of [
    ['homelab-demo', '1.1'],
    ['homelab-secfix', '1.1'],
  ] as const)
    labCli(['publish', pkg, v]);
  const { url, close } = await benchDatabase('apt');
  const dataDir = mkdtempSync(join(tmpdir(), 'su-bench-apt-'));
  const config = loadConfig({ DATABASE_URL: url, SU_DATA_DIR: dataDir });
  const app = await NestFactory.createApplicationContext(
    BenchModule.forRoot({ service: 'apt-worker', config, databaseUrl: url }),
    { logger: ['error'] },
  );
  await app.get(JobRunner).start('apt-worker', aptWorkerHandlers(app), machines.length);
  const jobs = app.get(JobsService);
  const ids: string[] = [];
  for (const m of machines) {
    const v = await app.get(MachinesService).create(
      // The same login as Ansible's below (key, passwordless sudo), so both pay the same authentication costs.
      {
        name: m.name,
        hostname: m.address,
        port: m.sshPort,
        username: 'deploy',
        credentials: {
          authMethod: 'ssh_key',
          privateKey: readFileSync(m.users.deploy.privateKeyPath, 'utf8'),
          sudoMode: 'none',
        },
      },
      ACTOR,
    );
    ids.push(v.id);
  }
  const watcher = new JobsEndedWatcher(url);
  await watcher.start();
  const waitAll = async (jobIds: string[]) => {
    await watcher.waitAll(jobIds);
    return Promise.all(jobIds.map((id) => jobs.find(id)));
  };
  const phases: { wait: number[]; run: number[]; close: number[] } = { wait: [], run: [], close: [] };
  const ours = async () => {
    const t0 = performance.now();
    const wall0 = Date.now();
    // One batch for the fleet, as a schedule or a bulk action enqueues it (Ansible: one command for the inventory).
    const queued = await jobs.enqueueMany(
      'apt.update_analyze',
      ids.map((machineId) => ({ payload: {}, machineId })),
      ACTOR,
    );
    const done = await waitAll(queued);
    const wall1 = Date.now();
    // Where the time goes: enqueue → start (delivery, lock), start → finish (SSH + analysis + results), and the
    // slowest finish → the caller seeing all three done.
    for (const d of done) {
      if (!d?.startedAt || !d.finishedAt) continue;
      phases.wait.push(Date.parse(d.startedAt) - wall0);
      phases.run.push(Date.parse(d.finishedAt) - Date.parse(d.startedAt));
    }
    phases.close.push(wall1 - Math.max(...done.map((d) => Date.parse(d?.finishedAt ?? '0'))));
    const failed = done.filter((d) => d?.status !== 'ok');
    if (failed.length)
      throw new Error(`analysis failed: ${failed.map((f) => `${f?.errorKind}: ${f?.errorMessage}`).join('; ')}`);
    return (performance.now() - t0) / 1000;
  };
  // CPU per round, by where it is spent: the host is shared, and a wall time moves with the other tenants' load.
  const controlDir = join(dataDir, 'ansible-cp');
  const cpu = new AptCpuMeter(initPids, controlDir);
  const inv = join(dataDir, 'inventory.ini');
  writeFileSync(
    inv,
    `[lab]\n${machines.map((m) => `${m.name} ansible_host=${m.address} ansible_port=${m.sshPort} ansible_user=deploy ansible_ssh_private_key_file=${m.users.deploy.privateKeyPath}`).join('\n')}\n`,
  );
  const ansible = () => {
    const t0 = performance.now();
    const r = spawnSync(
      'ansible',
      [
        'lab',
        '-i',
        inv,
        '-f',
        String(machines.length),
        '-b',
        '-m',
        'shell',
        '-a',
        'apt-get update -q && apt-get -s dist-upgrade',
      ],
      {
        env: {
          ...process.env,
          ANSIBLE_HOST_KEY_CHECKING: 'False',
          ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
          ANSIBLE_NOCOLOR: '1',
          ANSIBLE_LOCAL_TEMP: join(dataDir, 'ansible-tmp'),
          ANSIBLE_SSH_CONTROL_PATH_DIR: controlDir,
        },
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`ansible failed (${r.status}): ${(r.stdout + r.stderr).slice(-1500)}`);
    return (performance.now() - t0) / 1000;
  };
  try {
    // Both probe-and-warm: the probes queued when the machines were added, then one round each (apt lists cached).
    await waitAll(
      (await Promise.all(ids.map((id) => jobs.list({ machineId: id, limit: 5, offset: 0 })))).flat().map((j) => j.id),
    );
    await ours();
    ansible();
    phases.wait.length = phases.run.length = phases.close.length = 0;
    const loadBefore = loadavg();
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      a.push(await cpu.measure('ours', ours));
      b.push(await cpu.measure('peer', ansible));
    }
    const sa = summary(a);
    const sb = summary(b);
    printTable(
      `apt: analysis of ${machines.length} lab machines (apt-get update + simulations), user deploy with key and passwordless sudo for both, SSH connections kept between rounds by both (ours SU_SSH_KEEP_SECONDS 30 s, Ansible's default ControlPersist 60 s), ${ROUNDS} alternating rounds after a warm-up`,
      ['tool', 'p50 s', 'min s', 'max s', 'ratio (Ansible / ours)'],
      [
        ['system-update (queued jobs, apt-worker, results in PostgreSQL)', sa.p50, Math.min(...a), sa.max, ''],
        [
          `Ansible ${spawnSync('ansible', ['--version'], { encoding: 'utf8' })
            .stdout.split('\n')[0]
            ?.replace(/^ansible /, '')} (shell module, forks=${machines.length})`,
          sb.p50,
          Math.min(...b),
          sb.max,
          `${(sb.p50 / sa.p50).toFixed(1)}×`,
        ],
      ],
    );
    cpu.print();
    const ratio = sb.p50 / sa.p50;
    const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(', ');
    console.log(`load average (1, 5, 15 min) before the rounds: ${load(loadBefore)}; after: ${load(loadavg())}`);
    console.log(`target: Ansible / ours >= 5× (wall, p50): ${ratio.toFixed(1)}× — ${ratio >= 5 ? 'met' : 'NOT met'}`);
    const w = summary(phases.wait);
    const r = summary(phases.run);
    const c = summary(phases.close);
    printTable(
      'apt: where our time goes (ms, per job over the measured rounds)',
      ['phase', 'p50', 'max'],
      [
        ['enqueue → job started (delivery, machine lock)', w.p50, w.max],
        ['job started → finished (SSH, analysis, results written)', r.p50, r.max],
        ['last job finished → all seen done by the caller', c.p50, c.max],
      ],
    );
  } finally {
    await watcher.stop();
    await app.close();
    await close();
    rmSync(dataDir, { recursive: true, force: true });
    labCli(['publish', 'homelab-demo', '1.0']);
    labCli(['publish', 'homelab-secfix', '1.0']);
    if (broughtUp) labCli(['down']);
  }
}
