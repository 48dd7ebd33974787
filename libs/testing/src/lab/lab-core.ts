// The lab's state and the ways tests reach its machines (exec in the machine, SSH as a user, waits).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { SSH_PORT, USERS, labPaths } from './config.ts';
import { pidAlive, run, runSync, shellQuote, sleep, type RunResult } from './exec.ts';
import { initPid, machineFile, readPid, type MachineRecord } from './machine.ts';
import type { ExecOptions, LabMachine, LabStateFile, MachineState, MachineStatus, SshOptions } from './lab-types.ts';

export const MACHINE_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function statePath(): string {
  return join(labPaths().state, 'lab.json');
}

export const APT_CACHER_PORT = 3142;
export const AUTH_REPO_PORT = 8091;

export function readFileOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export function tcpProbe(
  host: string,
  port: number,
  timeoutMs = 1000,
): Promise<'open' | 'refused' | 'timeout' | 'error'> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (r: 'open' | 'refused' | 'timeout' | 'error') => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(timeoutMs, () => done('timeout'));
    s.once('connect', () => done('open'));
    s.once('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ETIMEDOUT' ? 'timeout' : 'error'),
    );
  });
}

export async function killPid(pid: number | null, graceMs = 3000): Promise<void> {
  if (!pid || !pidAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const until = Date.now() + graceMs;
  while (Date.now() < until && pidAlive(pid)) await sleep(50);
  if (pidAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    const until2 = Date.now() + 5000;
    while (Date.now() < until2 && pidAlive(pid)) await sleep(50);
  }
}

/** A running lab as recorded in its state file: its machines, and commands run on them. */
export class LabCore {
  protected state: LabStateFile;

  protected constructor(state: LabStateFile) {
    this.state = state;
  }

  protected save(): void {
    mkdirSync(labPaths().state, { recursive: true });
    writeFileSync(statePath(), JSON.stringify(this.state, null, 2) + '\n');
  }

  get timings(): Record<string, number> {
    return { ...this.state.timings };
  }

  protected record(name: string): MachineRecord {
    const m = this.state.machines.find((x) => x.name === name);
    if (!m) throw new Error(`no lab machine ${name} (have: ${this.state.machines.map((x) => x.name).join(', ')})`);
    return m;
  }

  machineNames(): string[] {
    return this.state.machines.map((m) => m.name);
  }

  /** Everything a test needs to reach the machines. */
  machines(): LabMachine[] {
    return this.state.machines.map((m) => this.machine(m.name));
  }

  machine(name: string): LabMachine {
    const m = this.record(name);
    const pubFile = join(m.dir, 'root', 'etc/ssh/ssh_host_ed25519_key.pub');
    const hostKeyPublic = existsSync(pubFile) ? readFileSync(pubFile, 'utf8').trim() : '';
    const fp = runSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile]).stdout.split(' ')[1] ?? '';
    return {
      name: m.name,
      address: m.address,
      sshPort: SSH_PORT,
      docker: m.docker,
      users: {
        admin: {
          name: USERS.admin.name,
          password: USERS.admin.password,
          sudoPassword: USERS.admin.password,
          privateKeyPath: this.state.keyPath,
        },
        deploy: { name: USERS.deploy.name, password: null, sudoPassword: null, privateKeyPath: this.state.keyPath },
      },
      hostKeyFingerprint: fp,
      hostKeyPublic,
    };
  }

  /** known_hosts with every machine's current host key. */
  knownHostsFile(): string {
    return join(labPaths().state, 'known_hosts');
  }

  async writeKnownHosts(): Promise<void> {
    const lines = this.machines().map((m) => `${m.address} ${m.hostKeyPublic.split(' ').slice(0, 2).join(' ')}`);
    writeFileSync(this.knownHostsFile(), lines.join('\n') + '\n');
  }

  async status(): Promise<MachineStatus[]> {
    return Promise.all(
      this.state.machines.map(async (m) => {
        const desired = machineFile(m, 'desired');
        const sup = machineFile(m, 'state');
        const pid = initPid(m);
        let state: MachineState;
        const supervisorAlive = pidAlive(readPid(join(m.dir, 'supervisor.pid')) ?? 0);
        if (!supervisorAlive) state = 'down';
        else if (desired !== 'run' || sup === 'off') state = 'off';
        else if (sup === 'rebooting' || !pid) state = sup === 'rebooting' ? 'rebooting' : 'booting';
        else state = (await tcpProbe(m.address, SSH_PORT, 500)) === 'open' ? 'up' : 'booting';
        return {
          name: m.name,
          address: m.address,
          state,
          bootId: machineFile(m, 'boot_id'),
          docker: m.docker,
          initPid: pid,
        };
      }),
    );
  }

  async waitForSsh(name: string, timeoutMs = 60_000): Promise<void> {
    const m = this.record(name);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (initPid(m) && (await tcpProbe(m.address, SSH_PORT, 500)) === 'open') return;
      await sleep(100);
    }
    throw new Error(`${name}: SSH did not come up within ${timeoutMs} ms (see ${join(m.dir, 'console.log')})`);
  }

  async waitForDocker(name: string, timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < until) {
      const r = await this.exec(name, 'docker info --format "{{.ServerVersion}}"', { allowFail: true });
      if (r.code === 0) return;
      last = r.stderr.trim();
      await sleep(300);
    }
    throw new Error(`${name}: dockerd not ready within ${timeoutMs} ms: ${last}`);
  }

  protected async waitForHttp(url: string, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      try {
        const r = await fetch(url);
        if (r.status < 500) return;
      } catch {
        /* not yet */
      }
      await sleep(200);
    }
    throw new Error(`${url} not answering after ${timeoutMs} ms`);
  }

  /** Runs `cmd` with /bin/sh as root inside the machine (all its namespaces), for test setup and inspection. */
  async exec(name: string, cmd: string, opts: ExecOptions = {}): Promise<RunResult> {
    return run('nsenter', this.nsenterArgs(name, cmd), {
      input: opts.input,
      allowFail: opts.allowFail,
      timeoutMs: opts.timeoutMs ?? 300_000,
    });
  }

  /** `nsenter`'s arguments: every namespace of the running machine, then `cmd` by /bin/sh as root, clean environment. */
  private nsenterArgs(name: string, cmd: string): string[] {
    const pid = initPid(this.record(name));
    if (!pid) throw new Error(`${name} is not running`);
    return [
      '-t',
      String(pid),
      '-m',
      '-u',
      '-i',
      '-n',
      '-p',
      '-r',
      '-w',
      '--',
      '/usr/bin/env',
      '-i',
      MACHINE_PATH,
      'HOME=/root',
      'LANG=C.UTF-8',
      'DEBIAN_FRONTEND=noninteractive',
      '/bin/sh',
      '-c',
      cmd,
    ];
  }

  /** The machine's root file system as the host sees it (its overlay), to copy a directory in without SSH. */
  rootPath(name: string): string {
    return join(this.record(name).dir, 'root');
  }

  /**
   * Pipes the stdout of `hostCmd` (a bash command run on the host) into `cmd` run as root inside the machine,
   * e.g. a host directory's tarball into `docker import -`, without a copy on the machine's disk.
   */
  async pipeInto(name: string, hostCmd: string, cmd: string, opts: ExecOptions = {}): Promise<RunResult> {
    const inside = ['nsenter', ...this.nsenterArgs(name, cmd)].map(shellQuote).join(' ');
    return run('/bin/bash', ['-o', 'pipefail', '-c', `${hostCmd} | ${inside}`], {
      allowFail: opts.allowFail,
      timeoutMs: opts.timeoutMs ?? 300_000,
    });
  }

  /** Runs `cmd` over real SSH from the host as `user` (password via sshpass, or the lab key). */
  async ssh(name: string, user: 'admin' | 'deploy' | string, cmd: string, opts: SshOptions = {}): Promise<RunResult> {
    const m = this.record(name);
    const u = user === 'admin' ? USERS.admin : user === 'deploy' ? USERS.deploy : { name: user, password: null };
    const auth = opts.auth ?? (u.password || opts.password ? 'password' : 'key');
    const common = [
      '-o',
      `ConnectTimeout=${opts.connectTimeoutSeconds ?? 10}`,
      '-o',
      'ServerAliveInterval=2',
      '-o',
      'ServerAliveCountMax=3',
      '-o',
      'LogLevel=ERROR',
      '-o',
      `UserKnownHostsFile=${opts.knownHostsFile ?? this.knownHostsFile()}`,
      '-o',
      `StrictHostKeyChecking=${opts.strictHostKey === false ? 'no' : 'yes'}`,
      '-p',
      String(SSH_PORT),
    ];
    if (auth === 'password') {
      const password = opts.password ?? u.password ?? '';
      return run(
        'sshpass',
        [
          '-e',
          'ssh',
          ...common,
          '-o',
          'PreferredAuthentications=password',
          '-o',
          'PubkeyAuthentication=no',
          '-o',
          'NumberOfPasswordPrompts=1',
          `${u.name}@${m.address}`,
          cmd,
        ],
        {
          env: { ...process.env, SSHPASS: password },
          input: opts.input,
          allowFail: true,
          timeoutMs: opts.timeoutMs ?? 120_000,
        },
      );
    }
    return run(
      'ssh',
      [
        ...common,
        '-i',
        this.state.keyPath,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'BatchMode=yes',
        '-o',
        'PasswordAuthentication=no',
        `${u.name}@${m.address}`,
        cmd,
      ],
      {
        input: opts.input,
        allowFail: true,
        timeoutMs: opts.timeoutMs ?? 120_000,
      },
    );
  }

  async bootId(name: string): Promise<string> {
    return (await this.exec(name, 'cat /proc/sys/kernel/random/boot_id')).stdout.trim();
  }
}
