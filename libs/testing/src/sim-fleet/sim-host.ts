import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import ssh2, { type Connection, type Server, type ServerChannel } from 'ssh2';
import { readExec, type ExecRequest } from './sim-exec.ts';
import {
  BOOT_ID_SLOT,
  commandKey,
  HOSTNAME_SLOT,
  type FixtureRecorder,
  type FixtureSet,
  type RecordedCommand,
} from './sim-fixtures.ts';
import { freshHostKey } from './sim-host-keys.ts';
import type { SimUpstream } from './sim-upstream.ts';

const BOOT_ID_ARGV = JSON.stringify(['cat', '/proc/sys/kernel/random/boot_id']);
/**
 * libs/reboot's script is known by the marker it prints (importing it here would make a dependency cycle, as the
 * reboot lib's tests use this lib); the lab test's reboot on the simulator fails if the script stops printing it.
 */
const REBOOT_MARKER = 'echo "su-reboot-scheduled detached"';

export interface SimHostOptions {
  name: string;
  hostKey: string;
  username: string;
  password: string;
  /** The APT state whose recorded answers this host gives. */
  state: string;
  /** Recorded latency × this (1: as the machine answered; a slow host more). */
  latencyFactor?: number;
  /** Never listens: the port refuses connections. */
  unreachable?: boolean;
  /** Seconds a reboot keeps the host down. */
  rebootDownMs?: number;
  fixtures: FixtureSet;
  /** Recording: forward every non-built-in command to this real machine and record its answer. */
  upstream?: { link: SimUpstream; recorder: FixtureRecorder; hostnames: string[]; bootId: string };
}

interface Answer {
  stdout: string;
  stderr: string;
  exitCode: number;
  ms: number;
}

/** One simulated machine: an SSH server on its own 127.0.0.1 port, with its own host key, login, boot id and APT state. */
export class SimHost {
  port = 0;
  bootId = randomUUID();
  state: string;
  hostKey: string;
  /** Commands it had no recorded answer for (each also failed loudly on the channel, exit 127). */
  readonly unknown: string[] = [];
  readonly served = { connections: 0, commands: 0, reboots: 0 };
  /** Set when recording: the state the host is in after an apply (`apt-get -y ...`). */
  afterApply: string | null = null;
  private server: Server | null = null;
  private readonly clients = new Set<Connection>();

  constructor(readonly o: SimHostOptions) {
    this.state = o.state;
    this.hostKey = o.hostKey;
  }

  get name(): string {
    return this.o.name;
  }

  async start(): Promise<void> {
    if (this.o.unreachable) {
      this.port ||= await freePort();
      return;
    }
    await this.listen();
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.end();
    this.clients.clear();
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** A new host key on the same address (a reinstalled machine, or a man in the middle). */
  async changeHostKey(): Promise<void> {
    this.hostKey = freshHostKey();
    await this.stop();
    await this.listen();
  }

  private async listen(): Promise<void> {
    const server = new ssh2.Server({ hostKeys: [this.hostKey] }, (client) => this.onClient(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private onClient(client: Connection): void {
    this.clients.add(client);
    this.served.connections++;
    client.on('close', () => this.clients.delete(client));
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password' && ctx.username === this.o.username && ctx.password === this.o.password)
        return ctx.accept();
      ctx.reject(['password']);
    });
    client.on('ready', () =>
      client.on('session', (accept) => {
        const session = accept();
        session.on('signal', () => undefined);
        session.on('exec', (acceptExec, _reject, info) => void this.onExec(acceptExec(), info.command));
      }),
    );
  }

  private async onExec(ch: ServerChannel, line: string): Promise<void> {
    this.served.commands++;
    let req: ExecRequest | null;
    try {
      req = await readExec(ch, line, this.o.password);
    } catch (e) {
      return this.fail(ch, `${(e as Error).message}: ${line.slice(0, 200)}`);
    }
    if (!req) return;
    const builtin = this.builtin(req);
    if (builtin) return this.reply(ch, builtin);
    const answer = this.o.upstream ? await this.forward(req, this.o.upstream) : this.recorded(req);
    if (!answer)
      return this.fail(ch, `no recorded answer in state ${this.state} for ${JSON.stringify(req.argv).slice(0, 200)}`);
    this.reply(ch, answer);
  }

  /** What the simulator answers itself: liveness, identity, the boot id and the reboot (which it plays out). */
  private builtin(req: ExecRequest): Answer | null {
    const argv = JSON.stringify(req.argv);
    const ok = (stdout: string): Answer => ({ stdout, stderr: '', exitCode: 0, ms: 2 });
    if (argv === '["true"]') return ok('');
    if (argv === '["id","-un"]') return ok(`${req.sudo ? 'root' : this.o.username}\n`);
    if (argv === '["id","-u"]') return ok(`${req.sudo ? 0 : 1000}\n`);
    if (argv === BOOT_ID_ARGV) return ok(`${this.bootId}\n`);
    if (argv === '["sh","-s"]' && req.stdin.includes(REBOOT_MARKER) && req.sudo) {
      // Like the real script: the reboot is scheduled a second ahead and the answer comes first.
      setTimeout(() => void this.reboot(), 1_000).unref();
      return ok('su-reboot-scheduled detached\n');
    }
    return null;
  }

  private async reboot(): Promise<void> {
    this.served.reboots++;
    await this.stop();
    await new Promise((r) => setTimeout(r, this.o.rebootDownMs ?? 2_000));
    this.bootId = randomUUID();
    await this.listen();
  }

  private recorded(req: ExecRequest): Answer | null {
    const c = this.o.fixtures.find(this.state, commandKey(req.argv, req.stdin));
    if (!c) return null;
    if (c.then) this.state = c.then;
    return { stdout: this.fill(c.stdout), stderr: this.fill(c.stderr), exitCode: c.exitCode, ms: c.ms };
  }

  private fill(s: string): string {
    return s.replaceAll(HOSTNAME_SLOT, this.o.name).replaceAll(BOOT_ID_SLOT, this.bootId);
  }

  /** Recording: the real machine answers; its own host name and boot id become slots in the fixture. */
  private async forward(req: ExecRequest, up: NonNullable<SimHostOptions['upstream']>): Promise<Answer> {
    const a = await up.link.run(req);
    const slot = (s: string) =>
      up.hostnames.reduce((t, h) => t.replace(wordRe(h), HOSTNAME_SLOT), s.replaceAll(up.bootId, BOOT_ID_SLOT));
    const applies = req.argv.includes('apt-get') && req.argv.includes('-y');
    const then = applies && this.afterApply ? this.afterApply : undefined;
    const c: RecordedCommand = {
      key: commandKey(req.argv, req.stdin),
      argv: req.argv,
      sudo: req.sudo,
      stdout: slot(a.stdout),
      stderr: slot(a.stderr),
      exitCode: a.exitCode,
      ms: a.ms,
      ...(then ? { then } : {}),
    };
    up.recorder.add(this.state, up.link.machine.name, c);
    if (then) this.state = then;
    // The product sees what the machine said with this host's name and boot id, exactly as a replay will say it.
    return { stdout: this.fill(c.stdout), stderr: this.fill(c.stderr), exitCode: c.exitCode, ms: 0 };
  }

  private reply(ch: ServerChannel, a: Answer): void {
    const send = () => {
      // The client may have died while the answer waited (a killed worker): no one to answer.
      if (!ch.writable) return;
      if (a.stdout) ch.write(a.stdout);
      if (a.stderr) ch.stderr.write(a.stderr);
      ch.exit(a.exitCode);
      ch.end();
    };
    const ms = a.ms * (this.o.latencyFactor ?? 1);
    if (ms > 0) setTimeout(send, ms);
    else send();
  }

  /** Loud: the product sent something nobody recorded; it must not be mistaken for a clean machine. */
  private fail(ch: ServerChannel, why: string): void {
    this.unknown.push(why);
    if (!ch.writable) return;
    ch.stderr.write(`sim-fleet: unknown command (${why})\n`);
    ch.exit(127);
    ch.end();
  }
}

function wordRe(word: string): RegExp {
  return new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g');
}

/**
 * A port nothing listens on (connections are refused), for an unreachable host: below the kernel's ephemeral range,
 * so that neither another host's listen(0) nor a client socket's source port can take it later (a client connecting
 * to 127.0.0.1:P from source port P connects to itself, and its SSH handshake then fails as if the host had answered).
 */
async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    const s = createServer();
    const bound = await new Promise<boolean>((r) => {
      s.once('error', () => r(false));
      s.listen(port, '127.0.0.1', () => r(true));
    });
    if (!bound) continue;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
}

/** The low end of the kernel's ephemeral port range (Linux's default when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}
