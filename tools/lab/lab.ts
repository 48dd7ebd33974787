#!/usr/bin/env node
// Lab CLI: node tools/lab/lab.ts <command> [options]   (Node >= 22.18/24: runs TypeScript directly)
import { Lab, ensureHostTools, labPaths } from '../../libs/testing/src/lab/index.ts';

const USAGE = `usage: node tools/lab/lab.ts <command>
  up [--machines N] [--docker] [--reboot-delay S] [--disk-size 3g]   create the lab (tears down an existing one)
  status                                  table: name, address, state, boot_id
  machines                                JSON: addresses, users, key paths, host key fingerprints
  down                                    remove every namespace, bridge, mount and process of the lab
  exec NAME CMD...                        run CMD as root inside machine NAME
  publish PKG VERSION|none                publish PKG up to VERSION in the lab APT repository
  published                               show the published set
  reset-repo                              publish the initial set again
  reboot NAME [--down S] [--no-wait]      reboot (SSH drops, stays down S seconds, new boot_id)
  power-off NAME | power-on NAME
  hold-dpkg-lock NAME SECONDS             hold the dpkg locks like a running unattended-upgrades
  interrupt-dpkg NAME                     leave dpkg interrupted (needs dpkg --configure -a)
  change-host-key NAME                    new SSH host keys
  break-sudo NAME | fix-sudo NAME
  fill-disk NAME PERCENT | free-disk NAME
  stop-sshd NAME | start-sshd NAME
  push-image TAG                          push a new busybox image as TAG to the lab registry (new digest)
  ensure-tools                            install the Debian packages the lab needs (tools/lab/ci.sh)`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
}
function bool(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}
function need(v: string | undefined, what: string): string {
  if (!v) {
    console.error(`missing ${what}\n\n${USAGE}`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  const [cmd, ...args] = process.argv.slice(2);
  const log = (m: string) => console.error(`[lab] ${m}`);
  switch (cmd) {
    case 'up': {
      const machines = Number(flag(args, '--machines') ?? '3');
      const rebootDelay = flag(args, '--reboot-delay');
      const diskSize = flag(args, '--disk-size');
      const docker = bool(args, '--docker');
      const t0 = Date.now();
      const lab = await Lab.up({
        machines,
        docker,
        rebootDelaySeconds: rebootDelay ? Number(rebootDelay) : undefined,
        diskSize,
        log,
      });
      console.log(`lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s  timings: ${JSON.stringify(lab.timings)}`);
      await printStatus(lab);
      return;
    }
    case 'status': {
      if (!Lab.exists()) {
        console.log(`no lab is up (state dir ${labPaths().state})`);
        return;
      }
      await printStatus(Lab.attach());
      return;
    }
    case 'machines':
      console.log(JSON.stringify(Lab.attach().machines(), null, 2));
      return;
    case 'down': {
      if (!Lab.exists()) {
        await Lab.sweep();
        console.log('no lab recorded; swept leftovers');
        return;
      }
      await Lab.attach().down();
      console.log('lab down');
      return;
    }
    case 'exec': {
      const name = need(args[0], 'NAME');
      const r = await Lab.attach().exec(name, args.slice(1).join(' '), { allowFail: true });
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exitCode = r.code;
      return;
    }
    case 'publish': {
      const v = need(args[1], 'VERSION');
      console.log(JSON.stringify(await Lab.attach().publish(need(args[0], 'PKG'), v === 'none' ? null : v), null, 2));
      return;
    }
    case 'published':
      console.log(JSON.stringify(Lab.attach().published(), null, 2));
      return;
    case 'reset-repo':
      console.log(JSON.stringify(await Lab.attach().resetRepo(), null, 2));
      return;
    case 'reboot': {
      const down = flag(args, '--down');
      const noWait = bool(args, '--no-wait');
      const r = await Lab.attach().reboot(need(args[0], 'NAME'), {
        downSeconds: down ? Number(down) : undefined,
        wait: !noWait,
      });
      console.log(JSON.stringify(r));
      return;
    }
    case 'power-off':
      await Lab.attach().powerOff(need(args[0], 'NAME'));
      return;
    case 'power-on':
      await Lab.attach().powerOn(need(args[0], 'NAME'));
      return;
    case 'hold-dpkg-lock':
      await Lab.attach().holdDpkgLock(need(args[0], 'NAME'), Number(need(args[1], 'SECONDS')));
      return;
    case 'interrupt-dpkg':
      await Lab.attach().interruptDpkg(need(args[0], 'NAME'));
      return;
    case 'change-host-key':
      console.log(JSON.stringify(await Lab.attach().changeHostKey(need(args[0], 'NAME'))));
      return;
    case 'break-sudo':
      await Lab.attach().breakSudo(need(args[0], 'NAME'));
      return;
    case 'fix-sudo':
      await Lab.attach().fixSudo(need(args[0], 'NAME'));
      return;
    case 'fill-disk':
      console.log(JSON.stringify(await Lab.attach().fillDisk(need(args[0], 'NAME'), Number(need(args[1], 'PERCENT')))));
      return;
    case 'free-disk':
      await Lab.attach().freeDisk(need(args[0], 'NAME'));
      return;
    case 'stop-sshd':
      await Lab.attach().stopSshd(need(args[0], 'NAME'));
      return;
    case 'start-sshd':
      await Lab.attach().startSshd(need(args[0], 'NAME'));
      return;
    case 'push-image':
      console.log(JSON.stringify(await Lab.attach().pushImage(need(args[0], 'TAG'))));
      return;
    case 'ensure-tools': {
      const p = await ensureHostTools(log);
      if (p) throw new Error(p);
      console.log('host tools present');
      return;
    }
    default:
      console.error(USAGE);
      process.exit(cmd ? 2 : 0);
  }
}

async function printStatus(lab: Lab): Promise<void> {
  const rows = await lab.status();
  const table = [
    ['NAME', 'ADDRESS', 'STATE', 'DOCKER', 'BOOT_ID'],
    ...rows.map((r) => [r.name, r.address, r.state, r.docker ? 'yes' : 'no', r.bootId || '-']),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of table)
    console.log(
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
}

main().catch((err: unknown) => {
  console.error(`lab: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
