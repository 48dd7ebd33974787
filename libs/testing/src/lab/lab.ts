// The lab: real Debian bookworm machines on this host that tests can create, change and destroy.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRIDGE, HOST_ADDRESS, LAB_PREFIX, REGISTRY_HOST, REPO_PORT, REPO_URL, labPaths } from './config.ts';
import { CommandError, pidAlive, run, runSync, shellQuote, sleep, spawnDaemon } from './exec.ts';
import { ensureHostTools } from './host.ts';
import { initialPublishedSet, type PublishedSet } from './repo.ts';
import { archiveSourcesLine, catalogVersions, readPublished, writeRepo, type OtherArchive } from './repo-build.ts';
import { pushImage as pushImageToRegistry, registryConfig, registryDigest, type PushedImage } from './registry.ts';
import { ensureBaseRootfs } from './rootfs.ts';
import { mountPoints } from './mount-points.ts';
import { createMachine, createNetwork, machineRecord, readPid, removeCgroups, startSupervisor } from './machine.ts';
import { APT_CACHER_PORT, AUTH_REPO_PORT, killPid, readFileOr, statePath, tcpProbe } from './lab-core.ts';
import { LabScenarios } from './lab-scenarios.ts';
import type { LabStateFile, UpOptions } from './lab-types.ts';

export { tcpProbe } from './lab-core.ts';
export type {
  ExecOptions,
  LabMachine,
  LabUser,
  MachineState,
  MachineStatus,
  SshOptions,
  UpOptions,
} from './lab-types.ts';

/** The lab: its life (up, down, sweep), its APT repository, registry and services, and its machines. */
export class Lab extends LabScenarios {
  private constructor(state: LabStateFile) {
    super(state);
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
    // Answers If-Modified-Since like a Debian mirror, so apt's refresh hits when nothing changed (ADR 0058).
    lab.state.httpdPid = spawnDaemon(
      process.execPath,
      [join(labPaths().tools, 'repo-server.ts'), HOST_ADDRESS, String(REPO_PORT), join(state, 'repo', 'www')],
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
    await lab.waitForHttp(`${REPO_URL}/debian/dists/bookworm/Release`, 30_000);
    timings.boot = (Date.now() - t3) / 1000;
    timings.total = (Date.now() - t0) / 1000;
    lab.save();
    log(`lab up: ${count} machine(s) in ${timings.total.toFixed(1)} s`);
    return lab;
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
   * fields (Origin and Label Ubuntu, Suite noble-security, Codename noble), next to the noble-updates pocket the
   * repository writes. Call after publishing. Returns the URL.
   */
  async addUbuntuSecurityPocket(): Promise<string> {
    const www = join(labPaths().state, 'repo', 'www');
    const to = join(www, 'ubuntu', 'dists', 'noble-security');
    // Its packages can be downloaded too: the same pool files, as the index names them (pool/main/...).
    const pool = join(www, 'ubuntu', 'pool', 'main');
    await run('/bin/sh', [
      '-c',
      `set -e; rm -rf ${shellQuote(to)}; mkdir -p ${shellQuote(join(www, 'ubuntu', 'dists'))}; cp -r ${shellQuote(join(www, 'debian-security', 'dists', 'bookworm-security'))} ${shellQuote(to)}; sed -i "s/^Origin: .*/Origin: Ubuntu/; s/^Label: .*/Label: Ubuntu/; s/^Suite: .*/Suite: noble-security/; s/^Codename: .*/Codename: noble/; s/^Version: .*/Version: 24.04/" ${shellQuote(join(to, 'Release'))}; rm -f ${shellQuote(join(to, 'InRelease'))} ${shellQuote(join(to, 'Release.gpg'))}; mkdir -p ${shellQuote(pool)}; for f in ${shellQuote(join(www, 'debian-security', 'pool', 'main'))}/*.deb; do [ -e "$f" ] && cp -lf "$f" ${shellQuote(pool)}/; done; true`,
    ]);
    return `${REPO_URL}/ubuntu`;
  }

  /**
   * Adds one of the lab's other-distribution archives (Raspberry Pi OS, Proxmox VE no-subscription, Ubuntu
   * noble-updates) to the machine's sources, in the file its own installer uses (appended once). Returns the line.
   */
  async addArchiveSource(name: string, archive: OtherArchive): Promise<string> {
    const file = { raspberrypi: 'raspi', 'pve-no-subscription': 'pve-no-subscription', 'noble-updates': 'ubuntu' }[
      archive
    ];
    const line = archiveSourcesLine(archive);
    const path = `/etc/apt/sources.list.d/${file}.list`;
    await this.exec(name, `grep -qxF ${shellQuote(line)} ${path} 2>/dev/null || echo ${shellQuote(line)} >> ${path}`);
    return line;
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
    const mounts = mountPoints()
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
