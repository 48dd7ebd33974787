// What tests do to the lab's machines: power (reboot, power off/on) and failure scenarios (locks, dpkg, host keys,
// sudo, disk, sshd).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRIDGE, SSH_PORT, USERS } from './config.ts';
import { pidAlive, run, runSync, shellQuote, sleep } from './exec.ts';
import { initPid, machineFile } from './machine.ts';
import { LabCore, tcpProbe } from './lab-core.ts';

/** The lab, with what tests do to its machines. */
export class LabScenarios extends LabCore {
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
}
