// One lab machine: overlayfs root (shared read-only base + per-machine tmpfs "disk"), its own network namespace
// with a veth on the lab bridge, and a supervisor that boots it in fresh PID/mount/UTS/IPC namespaces.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  BRIDGE,
  LAB_PREFIX,
  HOST_ADDRESS,
  NETMASK_BITS,
  REGISTRY_HOST,
  SUBNET_PREFIX,
  USERS,
  labPaths,
  machineAddress,
  machineName,
} from './config.ts';
import { mountPoints } from './mount-points.ts';
import { CATALOG } from './repo.ts';
import { buildDebs, debFileName, sourcesList } from './repo-build.ts';
import { run, runSync, pidAlive, spawnDaemon } from './exec.ts';

export interface MachineRecord {
  name: string;
  index: number;
  address: string;
  mac: string;
  netns: string;
  veth: string;
  dir: string;
  docker: boolean;
  diskSize: string;
}

export function machineDir(name: string): string {
  return join(labPaths().state, 'machines', name);
}

export function machineRecord(index: number, docker: boolean, diskSize: string): MachineRecord {
  const name = machineName(index);
  return {
    name,
    index,
    address: machineAddress(index),
    mac: `02:13:00:00:00:${(11 + index).toString(16).padStart(2, '0')}`,
    netns: `${LAB_PREFIX}-${name}`,
    veth: `${LAB_PREFIX}-${name}`,
    dir: machineDir(name),
    docker,
    diskSize,
  };
}

export function readPid(file: string): number | null {
  try {
    const n = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

export async function createNetwork(): Promise<void> {
  const existing = runSync('ip', ['-4', 'route', 'show', `${SUBNET_PREFIX}.0/${NETMASK_BITS}`]).stdout.trim();
  if (existing && !existing.includes(BRIDGE))
    throw new Error(
      `refusing to create the lab bridge: ${SUBNET_PREFIX}.0/${NETMASK_BITS} is already routed on this host (${existing})`,
    );
  if (runSync('ip', ['link', 'show', BRIDGE]).code !== 0) {
    await run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  }
  await run('ip', ['addr', 'replace', `${HOST_ADDRESS}/${NETMASK_BITS}`, 'dev', BRIDGE]);
  await run('ip', ['link', 'set', BRIDGE, 'up']);
}

async function chroot(root: string, script: string): Promise<void> {
  await run('chroot', [root, '/bin/sh', '-ec', script], {
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive', HOME: '/root' },
  });
}

async function mounted(path: string): Promise<boolean> {
  return mountPoints().includes(path);
}

/** Writes a file into the machine's root with its mode (replacing what the base image had there). */
type RootWriter = (path: string, content: string, mode?: number) => void;

function rootWriter(R: string): RootWriter {
  return (path, content, mode = 0o644) => {
    const f = join(R, path);
    mkdirSync(join(f, '..'), { recursive: true });
    rmSync(f, { force: true });
    writeFileSync(f, content);
    chmodSync(f, mode);
  };
}

/** Creates disk, root, configuration and network of a machine (not booted yet). */
export async function createMachine(
  m: MachineRecord,
  baseRootfs: string,
  labPubKey: string,
  all: MachineRecord[],
  rebootDelay: number,
): Promise<void> {
  await mountDiskAndRoot(m, baseRootfs);
  const R = join(m.dir, 'root');
  const w = rootWriter(R);
  writeIdentity(w, R, m, all);
  await configureSsh(w, R, m);
  await createUsers(w, R, labPubKey);
  installInitAndPowerShims(R);
  configureDocker(w, R, m);
  await installLabPackages(R);
  writeControlFiles(m, rebootDelay);
  await connectNetwork(m);
}

/** The machine's disk (a tmpfs) and its root (an overlay of the base rootfs on that disk), both private mounts. */
async function mountDiskAndRoot(m: MachineRecord, baseRootfs: string): Promise<void> {
  const d = m.dir;
  mkdirSync(join(d, 'disk'), { recursive: true });
  mkdirSync(join(d, 'root'), { recursive: true });
  if (!(await mounted(join(d, 'disk'))))
    await run('mount', [
      '-t',
      'tmpfs',
      '-o',
      `size=${m.diskSize},mode=755`,
      `${LAB_PREFIX}-disk-${m.name}`,
      join(d, 'disk'),
    ]);
  for (const sub of ['upper', 'work', 'docker']) mkdirSync(join(d, 'disk', sub), { recursive: true });
  if (!(await mounted(join(d, 'root')))) {
    await run('mount', [
      '-t',
      'overlay',
      '-o',
      `lowerdir=${baseRootfs},upperdir=${join(d, 'disk', 'upper')},workdir=${join(d, 'disk', 'work')}`,
      `${LAB_PREFIX}-root-${m.name}`,
      join(d, 'root'),
    ]);
  }
  // private: nothing mounted inside a machine (e.g. dockerd's overlays) propagates back to the host
  await run('mount', ['--make-private', join(d, 'disk')]);
  await run('mount', ['--make-private', join(d, 'root')]);
}

/** Identity and name resolution, and APT pointed at the lab repository only. */
function writeIdentity(w: RootWriter, R: string, m: MachineRecord, all: MachineRecord[]): void {
  // identity and name resolution (hostname in /etc/hosts, or every sudo waits on DNS)
  w('etc/hostname', `${m.name}\n`);
  w(
    'etc/hosts',
    `127.0.0.1\tlocalhost\n127.0.1.1\t${m.name}\n${HOST_ADDRESS}\tlab-host\n` +
      all.map((o) => `${o.address}\t${o.name}\n`).join('') +
      `::1\tlocalhost ip6-localhost ip6-loopback\n`,
  );
  w('etc/resolv.conf', '# lab machine: no DNS\n');
  w('etc/machine-id', createHash('md5').update(`su-lab ${m.name}`).digest('hex') + '\n', 0o444);
  // APT: only the lab repository
  rmSync(join(R, 'etc/apt/sources.list'), { force: true });
  w('etc/apt/sources.list.d/lab.list', sourcesList());
  w(
    'etc/apt/apt.conf.d/99lab',
    'Acquire::Languages "none";\nAcquire::http::Timeout "10";\nAcquire::Retries "0";\nAPT::Periodic::Enable "0";\n',
  );
}

async function configureSsh(w: RootWriter, R: string, m: MachineRecord): Promise<void> {
  // SSH: own host keys, passwords allowed, root login disabled
  await run('/bin/sh', ['-c', `rm -f ${R}/etc/ssh/ssh_host_*`]);
  for (const t of ['ed25519', 'ecdsa']) {
    await run('ssh-keygen', [
      '-q',
      '-t',
      t,
      '-N',
      '',
      '-C',
      `root@${m.name}`,
      '-f',
      join(R, `etc/ssh/ssh_host_${t}_key`),
    ]);
  }
  w(
    'etc/ssh/sshd_config.d/00-lab.conf',
    [
      'PermitRootLogin no',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'UseDNS no',
      'HostKey /etc/ssh/ssh_host_ed25519_key',
      'HostKey /etc/ssh/ssh_host_ecdsa_key',
      'MaxStartups 100:30:200',
      'MaxSessions 50',
      'LoginGraceTime 30',
      '',
    ].join('\n'),
  );
}

async function createUsers(w: RootWriter, R: string, labPubKey: string): Promise<void> {
  // users
  const admin = USERS.admin;
  const deploy = USERS.deploy;
  await chroot(
    R,
    `id ${admin.name} >/dev/null 2>&1 || useradd -m -s /bin/bash ${admin.name}
     id ${deploy.name} >/dev/null 2>&1 || useradd -m -s /bin/bash ${deploy.name}
     echo '${admin.name}:${admin.password}' | chpasswd
     usermod -p '*' ${deploy.name}
     passwd -l root >/dev/null
     for u in ${admin.name} ${deploy.name}; do
       install -d -m 700 -o $u -g $u /home/$u/.ssh
       echo '${labPubKey.trim()}' > /home/$u/.ssh/authorized_keys
       chown $u:$u /home/$u/.ssh/authorized_keys; chmod 600 /home/$u/.ssh/authorized_keys
     done`,
  );
  w('etc/sudoers.d/lab', `${admin.name} ALL=(ALL:ALL) ALL\n${deploy.name} ALL=(ALL:ALL) NOPASSWD: ALL\n`, 0o440);
}

function installInitAndPowerShims(R: string): void {
  const { tools } = labPaths();
  // init, power shims (there is no systemd in lab machines)
  copyFileSync(join(tools, 'lab-init.sh'), join(R, 'usr/local/sbin/lab-init'));
  chmodSync(join(R, 'usr/local/sbin/lab-init'), 0o755);
  for (const p of ['usr/sbin/reboot', 'usr/sbin/poweroff', 'usr/sbin/halt', 'usr/sbin/shutdown', 'usr/bin/systemctl']) {
    rmSync(join(R, p), { force: true });
    copyFileSync(join(tools, 'power-shim.sh'), join(R, p));
    chmodSync(join(R, p), 0o755);
  }
}

function configureDocker(w: RootWriter, R: string, m: MachineRecord): void {
  // docker: local insecure registry; cgroups under /<prefix>-<name> so `down` can remove them
  w(
    'etc/docker/daemon.json',
    JSON.stringify(
      {
        'insecure-registries': [REGISTRY_HOST],
        'cgroup-parent': `/${LAB_PREFIX}-${m.name}`,
        'log-driver': 'json-file',
        'storage-driver': 'overlay2',
      },
      null,
      2,
    ) + '\n',
  );
  if (m.docker) w('etc/lab/docker-enabled', '');
  else rmSync(join(R, 'etc/lab/docker-enabled'), { force: true });
}

async function installLabPackages(R: string): Promise<void> {
  // lab packages at their initial versions, holds, the modified conffile
  const debs = await buildDebs();
  mkdirSync(join(R, 'tmp/lab-debs'), { recursive: true });
  for (const p of CATALOG) {
    if (p.installed)
      copyFileSync(
        join(debs, debFileName(p.name, p.installed)),
        join(R, 'tmp/lab-debs', debFileName(p.name, p.installed)),
      );
  }
  await chroot(
    R,
    `dpkg -i /tmp/lab-debs/*.deb >/dev/null
     rm -rf /tmp/lab-debs
     apt-mark hold ${CATALOG.filter((p) => p.hold)
       .map((p) => p.name)
       .join(' ')} >/dev/null
     echo 'mode = customised-by-admin' >> /etc/homelab/homelab.conf`,
  );
}

function writeControlFiles(m: MachineRecord, rebootDelay: number): void {
  const d = m.dir;
  // host-side control files
  writeFileSync(join(d, 'hostname'), m.name + '\n');
  writeFileSync(join(d, 'netns'), m.netns + '\n');
  writeFileSync(join(d, 'reboot_delay'), `${rebootDelay}\n`);
  writeFileSync(join(d, 'desired'), 'run\n');
  writeFileSync(join(d, 'boot_id'), '');
  writeFileSync(join(d, 'record.json'), JSON.stringify(m, null, 2) + '\n');
}

async function connectNetwork(m: MachineRecord): Promise<void> {
  // network namespace + veth on the bridge
  if (runSync('ip', ['netns', 'pids', m.netns]).code !== 0) await run('ip', ['netns', 'add', m.netns]);
  if (runSync('ip', ['link', 'show', m.veth]).code !== 0) {
    await run('ip', ['link', 'add', m.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', m.netns]);
  }
  await run('ip', ['link', 'set', m.veth, 'master', BRIDGE, 'up']);
  const ns = ['netns', 'exec', m.netns];
  await run('ip', [...ns, 'ip', 'link', 'set', 'lo', 'up']);
  await run('ip', [...ns, 'ip', 'link', 'set', 'eth0', 'address', m.mac]);
  await run('ip', [...ns, 'ip', 'addr', 'replace', `${m.address}/${NETMASK_BITS}`, 'dev', 'eth0']);
  await run('ip', [...ns, 'ip', 'link', 'set', 'eth0', 'up']);
}

/** Starts the machine's supervisor (detached; it boots the machine). Returns its PID. */
export function startSupervisor(m: MachineRecord): number {
  const { tools } = labPaths();
  const pid = spawnDaemon('/bin/sh', [join(tools, 'supervisor.sh'), m.dir, tools], join(m.dir, 'supervisor.log'));
  writeFileSync(join(m.dir, 'supervisor.pid'), `${pid}\n`);
  return pid;
}

export function initPid(m: MachineRecord): number | null {
  const pid = readPid(join(m.dir, 'init.pid'));
  return pid && pidAlive(pid) ? pid : null;
}

export function machineFile(m: MachineRecord, f: string): string {
  try {
    return readFileSync(join(m.dir, f), 'utf8').trim();
  } catch {
    return '';
  }
}

/** Removes cgroup directories the machine's dockerd created (cgroup-parent /<prefix>-<name>), deepest first. */
export function removeCgroups(name: string): void {
  const root = '/sys/fs/cgroup';
  if (!existsSync(root)) return;
  const rmTree = (dir: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) rmTree(join(dir, e));
    runSync('rmdir', [dir]);
  };
  const hierarchies = readdirSync(root);
  for (const h of ['', ...hierarchies]) {
    const dir = join(root, h, `${LAB_PREFIX}-${name}`);
    if (existsSync(dir)) rmTree(dir);
  }
}
