// Lab self-test: proves the lab machines behave like real Debian machines (SSH, sudo, APT, reboots, power, Docker,
// failure scenarios) and that `down` leaves nothing behind. Needs root and Debian tools (installed via tools/lab/ci.sh).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, ensureHostTools, isRoot, labPaths, tcpProbe } from './index.ts';
import { BRIDGE, LAB_PREFIX } from './config.ts';
import { mountPoints } from './mount-points.ts';

const skipReason = isRoot() ? await ensureHostTools((m) => console.log(`[lab] ${m}`)) : 'not running as root';
if (skipReason) console.log(`lab tests skipped: ${skipReason}`);

const REBOOT_DOWN_SECONDS = 3;
const node = process.execPath;
const cli = join(labPaths().tools, 'lab.ts');

function snapshot(): { netns: string; links: string; procs: string; mounts: string } {
  const out = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout;
  return {
    netns: out('ip', ['netns', 'list']),
    links: out('ip', ['-o', 'link', 'show'])
      .split('\n')
      .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1] ?? '')
      .filter(Boolean)
      .join('\n'),
    procs: out('ps', ['-eo', 'pid,args', '--no-headers'])
      .split('\n')
      .filter((l) =>
        /sshd|dockerd|containerd|tini|lab-init|supervisor\.sh|machine-boot|busybox httpd|docker-registry/.test(l),
      )
      .join('\n'),
    // This lab's mount points only: lab 0's /run/su-lab is a prefix of another lab's /run/su-lab-7.
    mounts: mountPoints()
      .filter((p) => p.startsWith(`${labPaths().state}/`))
      .join('\n'),
  };
}

function instLines(simOutput: string): string[] {
  return simOutput
    .split('\n')
    .filter((l) => l.startsWith('Inst '))
    .map((l) => l.trim())
    .sort();
}

describe.skipIf(!!skipReason)('lab', () => {
  let lab: Lab;
  let before: ReturnType<typeof snapshot>;
  let firstUpSeconds = 0;

  beforeAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
    before = snapshot();
    const t0 = Date.now();
    lab = await Lab.up({
      machines: 3,
      docker: true,
      rebootDelaySeconds: REBOOT_DOWN_SECONDS,
      log: (m) => console.log(`[lab] ${m}`),
    });
    firstUpSeconds = (Date.now() - t0) / 1000;
    console.log(`[lab] first up: ${firstUpSeconds.toFixed(1)} s ${JSON.stringify(lab.timings)}`);
  });

  afterAll(async () => {
    if (Lab.exists()) await Lab.attach().down();
  });

  // How long `up` takes is printed for reading (tools/lab/README.md keeps the figures), not asserted: shared host.
  it('up --machines 3 --docker, then a cached up; status shows 3 machines up', async () => {
    await lab.down();
    const t0 = Date.now();
    lab = await Lab.up({ machines: 3, docker: true, rebootDelaySeconds: REBOOT_DOWN_SECONDS });
    const cached = (Date.now() - t0) / 1000;
    console.log(`[lab] cached up: ${cached.toFixed(1)} s (first up: ${firstUpSeconds.toFixed(1)} s)`);
    const st = await lab.status();
    expect(st.map((s) => s.state)).toEqual(['up', 'up', 'up']);
    expect(new Set(st.map((s) => s.address)).size).toBe(3);
    expect(new Set(st.map((s) => s.bootId)).size).toBe(3);
    // the CLI sees the same lab
    const out = spawnSync(node, [cli, 'status'], { encoding: 'utf8' }).stdout;
    const rows = out.trim().split('\n').slice(1);
    expect(rows).toHaveLength(3);
    for (const s of st)
      expect(out).toMatch(new RegExp(`${s.name}\\s+${s.address.replace(/\./g, '\\.')}\\s+up\\s+yes\\s+${s.bootId}`));
  });

  it('machines() describes every machine (address, port, users, keys, host key fingerprint)', () => {
    const ms = lab.machines();
    expect(ms).toHaveLength(3);
    for (const m of ms) {
      expect(m.address).toMatch(/^10\.213\.0\.\d+$/);
      expect(m.sshPort).toBe(22);
      expect(m.hostKeyFingerprint).toMatch(/^SHA256:/);
      expect(m.users.admin.password).toBeTruthy();
      expect(m.users.deploy.password).toBeNull();
      expect(readFileSync(m.users.deploy.privateKeyPath, 'utf8')).toContain('PRIVATE KEY');
    }
  });

  it('ssh with password and with key works on each machine; sudo -S accepts the right password only; root cannot log in', async () => {
    for (const m of lab.machines()) {
      const pw = await lab.ssh(m.name, 'admin', 'hostname', { auth: 'password' });
      expect(pw.code, pw.stderr).toBe(0);
      expect(pw.stdout.trim()).toBe(m.name);
      const key = await lab.ssh(m.name, 'deploy', 'id -un; sudo -n id -u', { auth: 'key' });
      expect(key.code, key.stderr).toBe(0);
      expect(key.stdout.trim().split('\n')).toEqual(['deploy', '0']);
      const adminKey = await lab.ssh(m.name, 'admin', 'true', { auth: 'key' });
      expect(adminKey.code).toBe(0);
      const badPw = await lab.ssh(m.name, 'admin', 'true', { auth: 'password', password: 'wrong' });
      expect(badPw.code).toBe(255);
      const deployPw = await lab.ssh(m.name, 'deploy', 'true', { auth: 'password', password: '' });
      expect(deployPw.code).toBe(255);
      const root = await lab.ssh(m.name, 'root', 'true', { auth: 'key' });
      expect(root.code).toBe(255);
      // separate sessions: sudo caches credentials per session
      const sudoOk = await lab.ssh(m.name, 'admin', `sudo -S -p '' id -u`, {
        input: `${m.users.admin.sudoPassword}\n`,
      });
      expect(sudoOk.code, sudoOk.stderr).toBe(0);
      expect(sudoOk.stdout.trim()).toBe('0');
      const sudoBad = await lab.ssh(m.name, 'admin', `sudo -S -p '' id -u`, { input: 'not-the-password\n' });
      expect(sudoBad.code).not.toBe(0);
      expect(sudoBad.stderr).toMatch(/incorrect password|Sorry, try again/);
    }
  });

  it('apt shows exactly the planned upgrades; 1.2 is kept back by upgrade and dist-upgrade installs homelab-dep', async () => {
    const m = 'lab1';
    await lab.resetRepo();
    const sources = await lab.exec(m, 'cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null | grep -v "^#"');
    expect(sources.stdout).not.toMatch(/deb\.debian\.org|security\.debian\.org/);
    await lab.exec(m, 'apt-get update -q');
    expect(instLines((await lab.exec(m, 'apt-get -s dist-upgrade')).stdout)).toEqual([]);

    await lab.publishSet({
      'homelab-demo': '1.1',
      'homelab-secfix': '1.1',
      'homelab-held': '1.1',
      'homelab-phased': '1.1',
      'homelab-conf': '1.1',
      'homelab-broken': '1.1',
    });
    await lab.exec(m, 'apt-get update -q');
    const dist = (await lab.exec(m, 'apt-get -s dist-upgrade')).stdout;
    expect(instLines(dist)).toEqual([
      'Inst homelab-broken [1.0] (1.1 Debian:12.10/stable [all])',
      'Inst homelab-conf [1.0] (1.1 Debian:12.10/stable [all])',
      'Inst homelab-demo [1.0] (1.1 Debian:12.10/stable [all])',
      'Inst homelab-secfix [1.0] (1.1 Debian-Security:12/stable-security [all])',
    ]);
    expect(dist).toMatch(/kept back:\n\s+homelab-held homelab-phased/);
    const policy = (await lab.exec(m, 'apt-cache policy homelab-secfix')).stdout;
    expect(policy).toMatch(/bookworm-security\/main/);
    expect((await lab.exec(m, 'apt-mark showhold')).stdout.trim()).toBe('homelab-held');

    await lab.publish('homelab-demo', '1.2');
    await lab.exec(m, 'apt-get update -q');
    const up = (await lab.exec(m, 'apt-get -s upgrade')).stdout;
    expect(up).toMatch(/kept back:\n\s+homelab-demo homelab-held homelab-phased/);
    expect(instLines(up).some((l) => l.startsWith('Inst homelab-demo'))).toBe(false);
    const dist2 = (await lab.exec(m, 'apt-get -s dist-upgrade')).stdout;
    expect(instLines(dist2)).toContain('Inst homelab-dep (1.0 Debian:12.10/stable [all])');
    expect(instLines(dist2)).toContain('Inst homelab-demo [1.0] (1.2 Debian:12.10/stable [all])');
    expect(dist2).toMatch(/NEW packages will be installed:\n\s+homelab-dep/);

    // apply for real: reboot-required, conffile prompt, failing maintainer script
    const inst = await lab.exec(m, 'apt-get install -y homelab-demo && cat /run/reboot-required.pkgs');
    expect(inst.stdout).toMatch(/Setting up homelab-dep \(1\.0\)/);
    expect(inst.stdout.trim().split('\n').at(-1)).toBe('homelab-demo');
    const conf = await lab.exec(m, 'apt-get install -y homelab-conf </dev/null', { allowFail: true });
    expect(conf.code).not.toBe(0);
    expect(conf.stdout + conf.stderr).toMatch(/end of file on stdin at conffile prompt/);
    const confOk = await lab.exec(
      m,
      `apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold homelab-conf </dev/null`,
    );
    expect(confOk.code).toBe(0);
    const broken = await lab.exec(m, 'apt-get install -y homelab-broken', { allowFail: true });
    expect(broken.code).not.toBe(0);
    expect(broken.stdout + broken.stderr).toMatch(
      /homelab-broken package post-installation script subprocess returned error exit status 1/,
    );
    expect((await lab.exec(m, 'dpkg --audit')).stdout).toMatch(/homelab-broken/);
    // back to a clean state: the fixed-up set is published again and the broken package downgraded
    await lab.resetRepo();
    await lab.exec(m, 'apt-get update -q && apt-get install -y --allow-downgrades homelab-broken=1.0 && dpkg --audit');
  });

  it('reboot drops an open SSH session, stays down, comes back within the configured time with a new boot_id', async () => {
    const m = lab.machine('lab2');
    const bootBefore = (
      await lab.ssh(m.name, 'deploy', 'cat /proc/sys/kernel/random/boot_id', { auth: 'key' })
    ).stdout.trim();
    await lab.exec(m.name, 'touch /run/reboot-required');
    // an open interactive session
    const session = spawn(
      'ssh',
      [
        '-i',
        m.users.deploy.privateKeyPath,
        '-o',
        'BatchMode=yes',
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        `UserKnownHostsFile=${lab.knownHostsFile()}`,
        `deploy@${m.address}`,
        'echo connected; sleep 120',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((r) => session.stdout.once('data', () => r()));
    const closed = new Promise<number>((r) => session.on('close', (code) => r(code ?? -1)));
    const t0 = Date.now();
    const r = await lab.reboot(m.name);
    const code = await Promise.race([closed, new Promise<number>((res) => setTimeout(() => res(-999), 5000))]);
    expect(code).toBe(255); // "Connection ... closed by remote host"
    expect(r.downMs).toBeGreaterThanOrEqual(REBOOT_DOWN_SECONDS * 1000);
    console.log(`[lab] reboot: down ${r.downMs} ms, back after ${Date.now() - t0} ms`);
    const bootAfter = (
      await lab.ssh(m.name, 'deploy', 'cat /proc/sys/kernel/random/boot_id', { auth: 'key' })
    ).stdout.trim();
    expect(bootAfter).not.toBe(bootBefore);
    expect(bootAfter).toBe(r.after);
    expect((await lab.exec(m.name, 'test -e /run/reboot-required', { allowFail: true })).code).toBe(1);

    // `sudo reboot` over SSH, like the product does it: SSH is refused while down, then the machine is back
    const viaSudo = await lab.ssh(m.name, 'admin', `sudo -S -p '' reboot`, {
      input: `${m.users.admin.sudoPassword}\n`,
    });
    expect([0, 255]).toContain(viaSudo.code);
    let sawDown = false;
    const until = Date.now() + (REBOOT_DOWN_SECONDS + 30) * 1000;
    let state = '';
    while (Date.now() < until) {
      state = await tcpProbe(m.address, 22, 500);
      if (state === 'refused') sawDown = true;
      if (sawDown && state === 'open') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(sawDown).toBe(true);
    expect(state).toBe('open');
    await lab.waitForSsh(m.name);
    const bootThird = (
      await lab.ssh(m.name, 'deploy', 'cat /proc/sys/kernel/random/boot_id', { auth: 'key' })
    ).stdout.trim();
    expect(bootThird).not.toBe(bootAfter);
  });

  it('powerOff makes connections time out; powerOn brings the machine back', async () => {
    const m = lab.machine('lab3');
    await lab.powerOff(m.name);
    expect((await lab.status()).find((s) => s.name === m.name)?.state).toBe('off');
    expect(await tcpProbe(m.address, 22, 3000)).toBe('timeout');
    const r = await lab.ssh(m.name, 'deploy', 'true', { auth: 'key', connectTimeoutSeconds: 3 });
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/timed out/i);
    await lab.powerOn(m.name);
    expect((await lab.ssh(m.name, 'deploy', 'true', { auth: 'key' })).code).toBe(0);
  });

  it('docker: a compose stack pulls from the local registry; after pushImage the registry digest differs from the running one', async () => {
    const m = 'lab1';
    const first = await lab.pushImage('lab/app:latest');
    const file = await lab.writeComposeStack(m, 'demo', { app: 'lab/app:latest' });
    const up = await lab.ssh(
      m,
      'deploy',
      `cd ${file.replace(/\/compose\.yaml$/, '')} && sudo docker compose pull -q && sudo docker compose up -d && sudo docker compose ps --format '{{.Service}} {{.State}}'`,
      { auth: 'key' },
    );
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/app running/);
    const version = await lab.exec(m, 'docker compose version --short');
    expect(version.stdout.trim()).toMatch(/^2\./);
    const running = async () =>
      (
        await lab.exec(
          m,
          `docker image inspect --format '{{index .RepoDigests 0}}' "$(docker inspect --format '{{.Image}}' demo-app-1)"`,
        )
      ).stdout.trim();
    expect(await running()).toBe(`${lab.registryHost()}/lab/app@${first.digest}`);
    expect((await lab.exec(m, 'docker exec demo-app-1 cat /etc/lab-image')).stdout.trim()).toBe(first.marker);
    expect((await lab.exec(m, "docker inspect --format '{{.HostConfig.Init}}' demo-app-1")).stdout.trim()).toBe('true');

    const second = await lab.pushImage('lab/app:latest');
    expect(second.digest).not.toBe(first.digest);
    expect(await lab.registryDigest('lab/app:latest')).toBe(second.digest);
    expect(await running()).toBe(`${lab.registryHost()}/lab/app@${first.digest}`);
    // pulling and recreating picks the new digest up
    await lab.exec(m, `cd /opt/lab-stack/demo && docker compose pull -q && docker compose up -d`);
    expect(await running()).toBe(`${lab.registryHost()}/lab/app@${second.digest}`);
    // containers come back after a reboot (restart: unless-stopped)
    await lab.reboot(m);
    await lab.waitForDocker(m);
    let state = '';
    for (let i = 0; i < 100 && state !== 'running'; i++) {
      state = (
        await lab.exec(m, "docker inspect --format '{{.State.Status}}' demo-app-1", { allowFail: true })
      ).stdout.trim();
      if (state !== 'running') await new Promise((r) => setTimeout(r, 200));
    }
    expect(state).toBe('running');
  });

  it('failure scenarios: dpkg lock, interrupted dpkg, changed host key, sudo refused, full disk, sshd stopped', async () => {
    const m = 'lab1';
    await lab.holdDpkgLock(m, 4);
    const locked = await lab.exec(m, 'apt-get install -y homelab-dep', { allowFail: true });
    expect(locked.code).not.toBe(0);
    expect(locked.stderr).toMatch(/Could not get lock \/var\/lib\/dpkg\/lock-frontend/);
    expect((await lab.exec(m, 'ps -eo args')).stdout).toMatch(/unattended-upgrade/);
    await new Promise((r) => setTimeout(r, 5000));
    expect((await lab.exec(m, 'apt-get -s install homelab-dep')).code).toBe(0);
    expect((await lab.exec(m, 'apt-get install -y --reinstall homelab-demo >/dev/null; echo ok')).stdout.trim()).toBe(
      'ok',
    );

    await lab.interruptDpkg(m);
    const interrupted = await lab.exec(m, 'apt-get upgrade -y', { allowFail: true });
    expect(interrupted.code).not.toBe(0);
    expect(interrupted.stderr).toMatch(/dpkg was interrupted, you must manually run 'dpkg --configure -a'/);
    expect((await lab.exec(m, 'dpkg --configure -a && apt-get check')).code).toBe(0);

    const keys = await lab.changeHostKey(m);
    expect(keys.after).not.toBe(keys.before);
    const strict = await lab.ssh(m, 'deploy', 'true', { auth: 'key' });
    expect(strict.code).toBe(255);
    expect(strict.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED/);
    await lab.writeKnownHosts();
    expect((await lab.ssh(m, 'deploy', 'true', { auth: 'key' })).code).toBe(0);

    await lab.breakSudo(m);
    const refused = await lab.ssh(m, 'admin', `sudo -S -p '' true`, {
      input: `${lab.machine(m).users.admin.sudoPassword}\n`,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/not in the sudoers file/);
    await lab.fixSudo(m);
    expect(
      (await lab.ssh(m, 'admin', `sudo -S -p '' true`, { input: `${lab.machine(m).users.admin.sudoPassword}\n` })).code,
    ).toBe(0);

    const fill = await lab.fillDisk(m, 92);
    expect(fill.usedPercent).toBeGreaterThanOrEqual(92);
    const df = await lab.ssh(m, 'deploy', 'df --output=pcent / | tail -1', { auth: 'key' });
    expect(Number(df.stdout.replace(/\D/g, ''))).toBeGreaterThanOrEqual(92);
    await lab.freeDisk(m);

    await lab.stopSshd(m);
    expect(await tcpProbe(lab.machine(m).address, 22, 2000)).toBe('refused');
    await lab.startSshd(m);
    expect((await lab.ssh(m, 'deploy', 'true', { auth: 'key' })).code).toBe(0);
  });

  it('down leaves no namespace, bridge, mount or process behind', async () => {
    const during = snapshot();
    expect(during.netns).toContain(`${LAB_PREFIX}-lab1`);
    expect(during.links).toContain(BRIDGE);
    expect(during.procs).toMatch(/sshd/);
    const down = spawnSync(node, [cli, 'down'], { encoding: 'utf8' });
    expect(down.status, down.stderr).toBe(0);
    // Killed daemons are re-parented to the host's init, which reaps them; some sandbox inits (e.g. Firecracker's
    // process_api) do that lazily, so give zombies a few seconds to disappear.
    let after = snapshot();
    for (let i = 0; i < 50 && after.procs !== before.procs; i++) {
      await new Promise((r) => setTimeout(r, 200));
      after = snapshot();
    }
    console.log(
      `[lab] before up:\n${JSON.stringify(before, null, 1)}\n[lab] after down:\n${JSON.stringify(after, null, 1)}`,
    );
    expect(after.netns).toBe(before.netns);
    expect(after.links).toBe(before.links);
    expect(after.mounts).toBe('');
    const live = (procs: string) =>
      procs
        .split('\n')
        .filter((l) => l && !l.includes('<defunct>'))
        .join('\n');
    expect(live(after.procs)).toBe(live(before.procs));
    expect(Lab.exists()).toBe(false);
  });
});
