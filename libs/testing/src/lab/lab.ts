// The lab: real Debian bookworm machines on this host that tests can create, change and destroy.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { BRIDGE, HOST_ADDRESS, LAB_PREFIX, REGISTRY_HOST, REPO_PORT, REPO_URL, SSH_PORT, USERS, labPaths } from './config.ts';
import { CommandError, pidAlive, run, runSync, shellQuote, sleep, spawnDaemon, type RunResult } from './exec.ts';
import { ensureHostTools } from './host.ts';
import { catalogVersions, initialPublishedSet, readPublished, writeRepo, type PublishedSet } from './repo.ts';
import { pushImage as pushImageToRegistry, registryConfig, registryDigest, type PushedImage } from './registry.ts';
import { ensureBaseRootfs } from './rootfs.ts';
import {
  createMachine,
  createNetwork,
  initPid,
  machineFile,
  machineRecord,
  readPid,
  removeCgroups,
  startSupervisor,
  type MachineRecord,
} from './machine.ts';

export interface LabUser {
  name: string;
  /** Login password (null: key-only). */
  password: string | null;
  /** Password sudo asks for (null: NOPASSWD). */
  sudoPassword: string | null;
  privateKeyPath: string;
}

export interface LabMachine {
  name: string;
  address: string;
  sshPort: number;
  docker: boolean;
  users: { admin: LabUser; deploy: LabUser };
  /** SHA256:... of the current ed25519 host key (as `ssh-keygen -lf` prints it). */
  hostKeyFingerprint: string;
  hostKeyPublic: string;
}

export type MachineState = 'up' | 'booting' | 'rebooting' | 'off' | 'down';

export interface MachineStatus {
  name: string;
  address: string;
  state: MachineState;
  bootId: string;
  docker: boolean;
  initPid: number | null;
}

export interface UpOptions {
  machines?: number;
  docker?: boolean;
  /** Seconds a rebooting machine stays down (default 3). */
  rebootDelaySeconds?: number;
  /** Size of each machine's disk (tmpfs), default 3g. */
  diskSize?: string;
  log?: (m: string) => void;
}

interface LabStateFile {
  created: string;
  machines: MachineRecord[];
  httpdPid: number | null;
  registryPid: number | null;
  /** apt-cacher-ng on the bridge, started on demand by startAptCacher. */
  aptCacherPid?: number | null;
  /** A repository asking for credentials (Proxmox enterprise-shaped), started on demand by startAuthRepo. */
  authRepoPid?: number | null;
  keyPath: string;
  timings: Record<string, number>;
}

export interface ExecOptions {
  input?: string;
  allowFail?: boolean;
  timeoutMs?: number;
}

export interface SshOptions {
  /** 'password' (sshpass) or 'key' (the lab key). Default: password when the user has one. */
  auth?: 'password' | 'key';
  password?: string;
  input?: string;
  connectTimeoutSeconds?: number;
  timeoutMs?: number;
  /** Check the host key against the lab's known_hosts (default true). */
  strictHostKey?: boolean;
  knownHostsFile?: string;
}

const MACHINE_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function statePath(): string {
  return join(labPaths().state, 'lab.json');
}

const APT_CACHER_PORT = 3142;
const AUTH_REPO_PORT = 8091;

function readFileOr(path: string): string {
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

async function killPid(pid: number | null, graceMs = 3000): Promise<void> {
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

export class Lab {
  private state: LabStateFile;

  private constructor(state: LabStateFile) {
    this.state = state;
  }

  /** True when a lab is recorded in the state dir. */
  static exists(): boolean {
    return existsSync(statePath());
  }

  /** Attaches to the running lab (state dir). */
  static attach(): Lab {
    if (!Lab.exists()) throw new Error(`no lab is up (no ${statePath()}); run: node tools/lab/lab.ts up`);
    return new Lab(JSON.parse(readFileSync(statePath(), 'utf8')) as LabStateFile);
  }

  /** Creates a fresh lab (any previous one is torn down first) and waits until every machine answers SSH. */
  static async up(opts: UpOptions = {}): Promise<Lab> {
    const log = opts.log ?? (() => undefined);
    const count = opts.machines ?? 3;
    if (count < 1 || count > 50) throw new Error('machines must be 1..50');
    const t0 = Date.now();
    const timings: Record<string, number> = {};
    const problem = await ensureHostTools(log);
    if (problem) throw new Error(problem);
    if (Lab.exists()) {
      log('a lab is already recorded: tearing it down first');
      await Lab.attach().down();
    }
    await Lab.sweep();
    const { state } = labPaths();
    mkdirSync(state, { recursive: true });
    const base = await ensureBaseRootfs(log);
    timings.baseRootfs = base.seconds;
    log(
      base.built
        ? `built base rootfs in ${base.seconds.toFixed(1)} s`
        : `base rootfs from cache (${base.seconds.toFixed(1)} s)`,
    );
    // lab SSH key
    const keyDir = join(state, 'keys');
    mkdirSync(keyDir, { recursive: true });
    const keyPath = join(keyDir, 'id_ed25519');
    if (!existsSync(keyPath)) await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'su-lab', '-f', keyPath]);
    const pub = readFileSync(`${keyPath}.pub`, 'utf8');
    const machines = Array.from({ length: count }, (_, i) =>
      machineRecord(i, opts.docker ?? false, opts.diskSize ?? '3g'),
    );
    const lab = new Lab({
      created: new Date().toISOString(),
      machines,
      httpdPid: null,
      registryPid: null,
      keyPath,
      timings,
    });
    lab.save();
    await createNetwork();
    // APT repository + registry on the bridge address
    const t1 = Date.now();
    await writeRepo(initialPublishedSet());
    lab.state.httpdPid = spawnDaemon(
      'busybox',
      ['httpd', '-f', '-p', `${HOST_ADDRESS}:${REPO_PORT}`, '-h', join(state, 'repo', 'www')],
      join(state, 'httpd.log'),
    );
    mkdirSync(join(state, 'registry', 'data'), { recursive: true });
    writeFileSync(
      join(state, 'registry', 'config.yml'),
      registryConfig(join(state, 'registry', 'data'), REGISTRY_HOST),
    );
    lab.state.registryPid = spawnDaemon(
      'docker-registry',
      ['serve', join(state, 'registry', 'config.yml')],
      join(state, 'registry.log'),
    );
    lab.save();
    timings.repo = (Date.now() - t1) / 1000;
    const t2 = Date.now();
    for (const m of machines) await createMachine(m, base.rootfs, pub, machines, opts.rebootDelaySeconds ?? 3);
    timings.createMachines = (Date.now() - t2) / 1000;
    for (const m of machines) startSupervisor(m);
    const t3 = Date.now();
    await Promise.all(machines.map((m) => lab.waitForSsh(m.name, 60_000)));
    await lab.writeKnownHosts();
    if (opts.docker) await Promise.all(machines.map((m) => lab.waitForDocker(m.name, 120_000)));
    await lab.waitForHttp(`http://${REGISTRY_HOST}/v2/`, 30_000);
    timings.boot = (Date.now() - t3) / 1000;
    timings.total = (Date.now() - t0) / 1000;
    lab.save();
    log(`lab up: ${count} machine(s) in ${timings.total.toFixed(1)} s`);
    return lab;
  }

  private save(): void {
    mkdirSync(labPaths().state, { recursive: true });
    writeFileSync(statePath(), JSON.stringify(this.state, null, 2) + '\n');
  }

  get timings(): Record<string, number> {
    return { ...this.state.timings };
  }

  private record(name: string): MachineRecord {
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

  private async waitForHttp(url: string, timeoutMs: number): Promise<void> {
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
    const m = this.record(name);
    const pid = initPid(m);
    if (!pid) throw new Error(`${name} is not running`);
    return run(
      'nsenter',
      [
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
      ],
      { input: opts.input, allowFail: opts.allowFail, timeoutMs: opts.timeoutMs ?? 300_000 },
    );
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

  // ---- APT repository -------------------------------------------------------------------------------------------

  /** Publishes `pkg` up to `version` (all its catalog versions <= version are listed; null unpublishes). */
  async publish(pkg: string, version: string | null): Promise<PublishedSet> {
    if (version !== null && !catalogVersions(pkg).includes(version)) {
      throw new Error(`${pkg} has no version ${version} (have ${catalogVersions(pkg).join(', ')})`);
    }
    const set = { ...readPublished(), [pkg]: version };
    await writeRepo(set);
    return set;
  }

  /** Replaces the whole published set at once (missing packages keep their current version). */
  async publishSet(changes: PublishedSet): Promise<PublishedSet> {
    const set = { ...readPublished() };
    for (const [pkg, version] of Object.entries(changes)) {
      if (version !== null && !catalogVersions(pkg).includes(version))
        throw new Error(`${pkg} has no version ${version}`);
      set[pkg] = version;
    }
    await writeRepo(set);
    return set;
  }

  /**
   * Serves a copy of the lab repository's bookworm dist under another path with another Release Origin/Label (a
   * vendor's repository, e.g. "Vendor"), and returns its URL for a sources line.
   */
  async addVendorRepo(path: string, origin: string): Promise<string> {
    const www = join(labPaths().state, 'repo', 'www');
    await run('/bin/sh', [
      '-c',
      `set -e; rm -rf ${shellQuote(join(www, path))}; mkdir -p ${shellQuote(join(www, path))}; cp -r ${shellQuote(join(www, 'debian', 'dists'))} ${shellQuote(join(www, path, 'dists'))}; sed -i "s/^Origin: .*/Origin: ${origin}/; s/^Label: .*/Label: ${origin}/" ${shellQuote(join(www, path, 'dists', 'bookworm', 'Release'))}`,
    ]);
    return `${REPO_URL}/${path}`;
  }

  /**
   * Serves the lab's security suite again as an Ubuntu pocket: `ubuntu/dists/noble-security` with Ubuntu's Release
   * fields (Origin and Label Ubuntu, Suite noble-security, Codename noble). Call after publishing. Returns the URL.
   */
  async addUbuntuSecurityPocket(): Promise<string> {
    const www = join(labPaths().state, 'repo', 'www');
    const to = join(www, 'ubuntu', 'dists', 'noble-security');
    await run('/bin/sh', [
      '-c',
      `set -e; rm -rf ${shellQuote(join(www, 'ubuntu'))}; mkdir -p ${shellQuote(join(www, 'ubuntu', 'dists'))}; cp -r ${shellQuote(join(www, 'debian-security', 'dists', 'bookworm-security'))} ${shellQuote(to)}; sed -i "s/^Origin: .*/Origin: Ubuntu/; s/^Label: .*/Label: Ubuntu/; s/^Suite: .*/Suite: noble-security/; s/^Codename: .*/Codename: noble/; s/^Version: .*/Version: 24.04/" ${shellQuote(join(to, 'Release'))}; rm -f ${shellQuote(join(to, 'InRelease'))} ${shellQuote(join(to, 'Release.gpg'))}`,
    ]);
    return `${REPO_URL}/ubuntu`;
  }

  /** Serves the bookworm dist of the lab repository also as `codename` (an older release's suite: "bullseye"). */
  async addOlderSuite(codename: string, suite = 'oldstable'): Promise<void> {
    const dists = join(labPaths().state, 'repo', 'www', 'debian', 'dists');
    await run('/bin/sh', [
      '-c',
      `set -e; rm -rf ${shellQuote(join(dists, codename))}; cp -r ${shellQuote(join(dists, 'bookworm'))} ${shellQuote(join(dists, codename))}; sed -i "s/^Codename: .*/Codename: ${codename}/; s/^Suite: .*/Suite: ${suite}/" ${shellQuote(join(dists, codename, 'Release'))}`,
    ]);
  }

  /** Back to the initial set (every package at the version installed on the machines). */
  async resetRepo(): Promise<PublishedSet> {
    const set = initialPublishedSet();
    await writeRepo(set);
    return set;
  }

  published(): PublishedSet {
    return readPublished();
  }

  // ---- power ----------------------------------------------------------------------------------------------------

  /**
   * Reboots like `systemctl reboot`: open SSH sessions drop, the machine stays down `downSeconds`
   * (default: the lab's reboot delay), then boots with a new boot_id. Waits until SSH answers unless wait=false.
   */
  async reboot(
    name: string,
    opts: { downSeconds?: number; wait?: boolean; timeoutMs?: number } = {},
  ): Promise<{ before: string; after: string; downMs: number }> {
    const m = this.record(name);
    if (opts.downSeconds !== undefined) writeFileSync(join(m.dir, 'reboot_delay'), `${opts.downSeconds}\n`);
    const before = machineFile(m, 'boot_id');
    const pid = initPid(m);
    if (!pid) throw new Error(`${name} is not running`);
    const t0 = Date.now();
    process.kill(pid, 'SIGUSR1'); // tini forwards to lab-init, which exits 133
    if (opts.wait === false) return { before, after: '', downMs: 0 };
    const until = Date.now() + (opts.timeoutMs ?? 120_000);
    while (Date.now() < until && initPid(m) === pid) await sleep(50);
    while (Date.now() < until) {
      const p = initPid(m);
      if (
        p &&
        p !== pid &&
        machineFile(m, 'boot_id') !== before &&
        (await tcpProbe(m.address, SSH_PORT, 500)) === 'open'
      ) {
        return { before, after: machineFile(m, 'boot_id'), downMs: Date.now() - t0 };
      }
      await sleep(100);
    }
    throw new Error(`${name} did not come back from reboot`);
  }

  /** Pulls the plug: the link goes down first (so packets are dropped and connections time out), then the machine dies. */
  async powerOff(name: string): Promise<void> {
    const m = this.record(name);
    writeFileSync(join(m.dir, 'desired'), 'off\n');
    // A permanent neighbour entry keeps the host sending frames into the dead port: connects time out instead of
    // failing fast with "no route to host".
    await run('ip', ['neigh', 'replace', m.address, 'lladdr', m.mac, 'dev', BRIDGE, 'nud', 'permanent']);
    await run('ip', ['link', 'set', m.veth, 'down']);
    const pid = initPid(m);
    if (pid) {
      process.kill(pid, 'SIGKILL');
      const until = Date.now() + 10_000;
      while (Date.now() < until && pidAlive(pid)) await sleep(50);
    }
  }

  async powerOn(name: string, opts: { wait?: boolean } = {}): Promise<void> {
    const m = this.record(name);
    await run('ip', ['link', 'set', m.veth, 'up']);
    runSync('ip', ['neigh', 'del', m.address, 'dev', BRIDGE]);
    writeFileSync(join(m.dir, 'desired'), 'run\n');
    if (opts.wait !== false) {
      await this.waitForSsh(name, 60_000);
      if (m.docker) await this.waitForDocker(name);
    }
  }

  // ---- docker -----------------------------------------------------------------------------------------------------

  /** Builds a tiny busybox image from local files and pushes it as `tag` (e.g. 'lab/app:latest'); each push has a new digest. */
  async pushImage(tag: string, opts: { cmd?: string[]; marker?: string } = {}): Promise<PushedImage> {
    return pushImageToRegistry(tag, opts);
  }

  async registryDigest(tag: string): Promise<string | null> {
    return registryDigest(tag);
  }

  registryHost(): string {
    return REGISTRY_HOST;
  }

  /**
   * The registry's access log so far, one request per entry (method and path), for a test that proves what was (or
   * was not) fetched. Take `registryAccessLog().length` before an action and slice from it after.
   */
  registryAccessLog(): { method: string; path: string }[] {
    const file = join(labPaths().state, 'registry.log');
    if (!existsSync(file)) return [];
    const out: { method: string; path: string }[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /"(GET|HEAD|POST|PUT|PATCH|DELETE) (\S+) HTTP\/[\d.]+"/.exec(line);
      if (m?.[1] && m[2]) out.push({ method: m[1], path: m[2] });
    }
    return out;
  }

  /** Writes a Compose stack (`/opt/lab-stack/<project>/compose.yaml`) using images from the lab registry. */
  async writeComposeStack(name: string, project: string, images: Record<string, string>): Promise<string> {
    const dir = `/opt/lab-stack/${project}`;
    const services = Object.entries(images)
      .map(
        ([svc, tag]) => `  ${svc}:\n    image: ${REGISTRY_HOST}/${tag}\n    init: true\n    restart: unless-stopped\n`,
      )
      .join('');
    await this.exec(name, `mkdir -p ${dir} && cat > ${dir}/compose.yaml`, {
      input: `name: ${project}\nservices:\n${services}`,
    });
    return `${dir}/compose.yaml`;
  }

  // ---- failure scenarios ------------------------------------------------------------------------------------------

  /** Holds the dpkg frontend lock and the dpkg lock for `seconds` (like a running unattended-upgrades). */
  async holdDpkgLock(name: string, seconds: number): Promise<void> {
    const script = `use Fcntl qw(:DEFAULT :flock); $0 = "/usr/bin/python3 /usr/bin/unattended-upgrade";
my @fh; for my $f ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock") { sysopen(my $h, $f, O_RDWR|O_CREAT, 0640) or die "$f: $!";
my $lk = pack("s s l l i", F_WRLCK, 0, 0, 0, 0); fcntl($h, F_SETLKW, $lk) or die "lock $f: $!"; push @fh, $h; }
open(my $r, ">", "/run/lab-dpkg-lock-held"); print $r "$$\\n"; close $r; sleep ${Math.max(1, Math.floor(seconds))}; unlink "/run/lab-dpkg-lock-held";`;
    await this.exec(
      name,
      `rm -f /run/lab-dpkg-lock-held; setsid perl -e ${shellQuote(script)} </dev/null >/dev/null 2>&1 & i=0; while [ ! -f /run/lab-dpkg-lock-held ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; test -f /run/lab-dpkg-lock-held`,
    );
  }

  /** Leaves dpkg interrupted (a pending journal entry): apt then says "dpkg was interrupted, you must manually run 'dpkg --configure -a'". */
  async interruptDpkg(name: string, pkg = 'homelab-demo'): Promise<void> {
    await this.exec(
      name,
      `set -e; dpkg-query -s ${pkg} >/dev/null
       dpkg-query -s ${pkg} | sed 's/^Status: .*/Status: install ok half-configured/' > /var/lib/dpkg/updates/0000`,
    );
  }

  /**
   * Makes the next upgrade of homelab-essential (1.1, whose preinst waits while /run/lab-block-preinst exists) stop
   * in its preinst; killDpkgInPreinst then kills dpkg there.
   */
  async blockPreinst(name: string): Promise<void> {
    await this.exec(name, 'rm -f /run/lab-preinst-running; touch /run/lab-block-preinst');
  }

  /** Waits until a preinst blocked by blockPreinst runs (dpkg has marked its package half-installed). */
  async waitForBlockedPreinst(name: string, timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((await this.exec(name, 'test -s /run/lab-preinst-running', { allowFail: true })).code !== 0) {
      if (Date.now() > until) throw new Error(`${name}: no blocked preinst ran within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  /**
   * Waits until a blocked preinst runs (blockPreinst), then SIGKILLs dpkg and the apt-get driving it, as a power cut
   * or a killed worker would: dpkg has already marked the package half-installed, and whatever it had finished
   * before (the pre-dependencies) stays changed. Then lets the orphaned preinst end.
   */
  async killDpkgInPreinst(name: string, timeoutMs = 120_000): Promise<void> {
    await this.waitForBlockedPreinst(name, timeoutMs);
    await this.exec(name, 'pkill -KILL -x dpkg; pkill -KILL -x apt-get; rm -f /run/lab-block-preinst; true');
  }

  /** Replaces the machine's host keys and restarts sshd (the lab's known_hosts keeps the old key unless updateKnownHosts). */
  async changeHostKey(
    name: string,
    opts: { updateKnownHosts?: boolean } = {},
  ): Promise<{ before: string; after: string }> {
    const before = this.machine(name).hostKeyFingerprint;
    await this.exec(
      name,
      `set -e; rm -f /etc/ssh/ssh_host_*; for t in ed25519 ecdsa; do ssh-keygen -q -t $t -N '' -C root@$(hostname) -f /etc/ssh/ssh_host_\${t}_key; done; pkill -HUP -x -o sshd || true`,
    );
    await this.waitForSsh(name);
    const after = this.machine(name).hostKeyFingerprint;
    if (opts.updateKnownHosts) await this.writeKnownHosts();
    return { before, after };
  }

  /** sudo refuses: admin is no longer in sudoers ("admin is not in the sudoers file"). */
  async breakSudo(name: string): Promise<void> {
    await this.exec(name, `sed -i 's/^${USERS.admin.name} /# lab-broken ${USERS.admin.name} /' /etc/sudoers.d/lab`);
  }

  async fixSudo(name: string): Promise<void> {
    await this.exec(name, `sed -i 's/^# lab-broken //' /etc/sudoers.d/lab`);
  }

  /** Fills the machine's root file system until `percent` (of `df /`) is used. */
  async fillDisk(name: string, percent: number): Promise<{ usedPercent: number }> {
    const r = await this.exec(
      name,
      `set -e; rm -f /var/tmp/lab-fill; set -- $(df -B1 --output=size,used / | tail -1); size=$1; used=$2
       want=$(( size * ${Math.floor(percent)} / 100 - used )); if [ $want -gt 0 ]; then fallocate -l $want /var/tmp/lab-fill; fi
       df --output=pcent / | tail -1 | tr -dc 0-9`,
    );
    return { usedPercent: Number(r.stdout.trim()) };
  }

  async freeDisk(name: string): Promise<void> {
    await this.exec(name, 'rm -f /var/tmp/lab-fill');
  }

  /** Stops sshd (connections are refused; the machine keeps running). */
  async stopSshd(name: string): Promise<void> {
    await this.exec(
      name,
      'pkill -TERM -x sshd; i=0; while pgrep -x sshd >/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; true',
    );
  }

  async startSshd(name: string): Promise<void> {
    await this.exec(name, 'pgrep -x sshd >/dev/null || /usr/sbin/sshd -E /var/log/sshd.log');
    await this.waitForSsh(name);
  }

  // ---- APT proxy ----------------------------------------------------------------------------------------------------

  /**
   * Starts apt-cacher-ng (the Debian package) on the bridge address, with its own cache and log under the state dir;
   * the machines reach the lab repository through it. Returns its proxy URL and a reader of its access log.
   */
  async startAptCacher(): Promise<{ url: string; log: () => string }> {
    const dir = join(labPaths().state, 'apt-cacher');
    await killPid(this.state.aptCacherPid ?? null);
    rmSync(dir, { recursive: true, force: true }); // a fresh log: tests read it
    for (const d of ['cache', 'log', 'run']) mkdirSync(join(dir, d), { recursive: true });
    await killPid(this.state.aptCacherPid ?? null);
    this.state.aptCacherPid = spawnDaemon(
      'apt-cacher-ng',
      [
        '-c',
        '/etc/apt-cacher-ng',
        'ForeGround=1',
        `BindAddress=${HOST_ADDRESS}`,
        `Port=${APT_CACHER_PORT}`,
        `CacheDir=${join(dir, 'cache')}`,
        `LogDir=${join(dir, 'log')}`,
        `SocketPath=${join(dir, 'run', 'socket')}`,
        'VerboseLog=1',
        // The lab repository listens on 8080; apt-cacher-ng only forwards to port 80 unless told otherwise.
        'AllowUserPorts=0',
      ],
      join(dir, 'daemon.log'),
    );
    this.save();
    const until = Date.now() + 30_000;
    while ((await tcpProbe(HOST_ADDRESS, APT_CACHER_PORT)) !== 'open') {
      if (Date.now() > until) throw new Error(`apt-cacher-ng did not listen: ${readFileOr(join(dir, 'daemon.log'))}`);
      await sleep(100);
    }
    return {
      url: `http://${HOST_ADDRESS}:${APT_CACHER_PORT}/`,
      log: () => readFileOr(join(dir, 'log', 'apt-cacher.log')),
    };
  }

  /**
   * A repository that answers 401 without credentials, as Proxmox's enterprise repository does on a machine without
   * a subscription: busybox httpd with basic auth on /debian/pve, on the bridge. Returns its base URL (host
   * `enterprise.proxmox.com`, which the machines resolve to the bridge once `mapHost` was called).
   */
  async startAuthRepo(): Promise<string> {
    const dir = join(labPaths().state, 'auth-repo');
    mkdirSync(join(dir, 'www', 'debian', 'pve', 'dists', 'bookworm'), { recursive: true });
    writeFileSync(join(dir, 'www', 'debian', 'pve', 'dists', 'bookworm', 'InRelease'), 'never served\n');
    writeFileSync(join(dir, 'httpd.conf'), '/debian/pve:root@pam:lab-subscription\n');
    await killPid(this.state.authRepoPid ?? null);
    this.state.authRepoPid = spawnDaemon(
      'busybox',
      ['httpd', '-f', '-p', `${HOST_ADDRESS}:${AUTH_REPO_PORT}`, '-h', join(dir, 'www'), '-c', join(dir, 'httpd.conf')],
      join(dir, 'httpd.log'),
    );
    this.save();
    const until = Date.now() + 10_000;
    while ((await tcpProbe(HOST_ADDRESS, AUTH_REPO_PORT)) !== 'open') {
      if (Date.now() > until) throw new Error('the auth repository did not listen');
      await sleep(50);
    }
    return `http://enterprise.proxmox.com:${AUTH_REPO_PORT}/debian/pve`;
  }

  /** Makes `host` resolve to the lab host (the bridge address) on the machine. */
  async mapHost(name: string, host: string): Promise<void> {
    await this.exec(name, `echo ${shellQuote(`${HOST_ADDRESS} ${host}`)} >> /etc/hosts`);
  }

  // ---- teardown -----------------------------------------------------------------------------------------------------

  /** Removes every namespace, bridge, mount and process the lab made (processes by recorded PID). */
  async down(): Promise<void> {
    for (const m of this.state.machines) {
      await killPid(readPid(join(m.dir, 'supervisor.pid')), 2000);
      const pid = readPid(join(m.dir, 'init.pid'));
      if (pid && pidAlive(pid)) {
        process.kill(pid, 'SIGKILL'); // PID 1 of the machine: the kernel kills the whole PID namespace
        const until = Date.now() + 10_000;
        while (Date.now() < until && pidAlive(pid)) await sleep(50);
      }
      await killPid(readPid(join(m.dir, 'boot.pid')), 2000);
    }
    await killPid(this.state.httpdPid);
    await killPid(this.state.registryPid);
    await killPid(this.state.aptCacherPid ?? null);
    await killPid(this.state.authRepoPid ?? null);
    await Lab.sweep();
    rmSync(statePath(), { force: true });
    runSync('rmdir', [labPaths().state]); // only if empty
  }

  /**
   * Removes leftovers of the lab by their lab names: processes inside the lab's network namespaces (by PID),
   * mounts under the state dir, the lab's links and namespaces, the bridge, and the lab's cgroups.
   */
  static async sweep(): Promise<void> {
    const { state } = labPaths();
    const nsList = runSync('ip', ['netns', 'list'])
      .stdout.split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((n) => n.startsWith(`${LAB_PREFIX}-`));
    for (const ns of nsList) {
      const pids = runSync('ip', ['netns', 'pids', ns])
        .stdout.split('\n')
        .map((p) => Number(p))
        .filter((p) => p > 0);
      for (const p of pids) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    // machine mounts (root overlay, disk tmpfs), deepest first
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4] ?? '')
      .filter((p) => p.startsWith(state + '/'))
      .sort((a, b) => b.length - a.length);
    for (const p of mounts) {
      if (runSync('umount', [p]).code !== 0) runSync('umount', ['-l', p]);
    }
    for (const ns of nsList) runSync('ip', ['netns', 'del', ns]);
    const links = runSync('ip', ['-o', 'link', 'show'])
      .stdout.split('\n')
      .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1] ?? '')
      .filter((n) => n.startsWith(LAB_PREFIX));
    for (const l of links) if (l !== BRIDGE) runSync('ip', ['link', 'del', l]);
    runSync('ip', ['neigh', 'flush', 'dev', BRIDGE]);
    runSync('ip', ['link', 'del', BRIDGE]);
    const machinesDir = join(state, 'machines');
    if (existsSync(machinesDir)) {
      for (const n of readdirSync(machinesDir)) removeCgroups(n);
      rmSync(machinesDir, { recursive: true, force: true });
    }
    for (const f of ['repo', 'registry', 'known_hosts', 'httpd.log', 'registry.log', 'keys', 'apt-cacher', 'auth-repo'])
      rmSync(join(state, f), { recursive: true, force: true });
  }
}

export { CommandError };
