import ssh2, { type Client as Ssh2Client } from 'ssh2';
import { tracedCommand, tracedConnect } from './ssh-telemetry.ts';
import type { HostKeyInfo } from './host-key-info.ts';
import { RawLogWriter, type RawLogOptions, type RawLogResult } from './raw-log-writer.ts';
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_TIMEOUTS,
  type CommandResult,
  type ConnectOptions,
  type RunOptions,
  type SshTarget,
  type SshTimeouts,
} from './ssh-options.ts';
import { redactAll, secretVariants } from './secret-redactor.ts';
import { shellQuote } from './shell-quote.ts';
import { RemoteCommand, type CommandContext } from './ssh-command.ts';
import { ConnectAttempt } from './ssh-connect.ts';
import { openShell, type InteractiveShell, type TerminalSize } from './ssh-shell.ts';
import { SshError } from './ssh-error.ts';
import { sudoInvocation, sudoPasswordFor, type SudoInvocation } from './sudo-invocation.ts';

// ssh2 is CommonJS and Node's export detection misses `utils`: take everything from the default export.
const { utils: ssh2Utils } = ssh2;

/** The address of the remote forward `ping` cancels: one the product never asks for. */
const PING_ADDRESS = 'su-ping.invalid';

function label(t: SshTarget): string {
  return `${t.username}@${t.host}:${t.port}`;
}

/**
 * One SSH connection to one machine, used for all the steps of a job. Commands are argv arrays (quoted here), run
 * in their own channel each; output is redacted and mirrored to the raw log; sudo passwords go through stdin only.
 */
export class SshSession {
  readonly hostKey: HostKeyInfo;
  private readonly client: Ssh2Client;
  private readonly timeouts: SshTimeouts;
  private readonly secrets: string[];
  private readonly sudo: SudoInvocation;
  /** The raw log of the current user of this connection (a kept connection serves one job after another). */
  private log: RawLogWriter | null;
  private readonly target: string;
  /** Set once the connection is gone; every later run fails with it. */
  private lost: SshError | null = null;
  private closing: Promise<void> | null = null;

  private constructor(init: {
    client: Ssh2Client;
    hostKey: HostKeyInfo;
    timeouts: SshTimeouts;
    secrets: string[];
    sudo: SudoInvocation;
    log: RawLogWriter | null;
    target: string;
  }) {
    this.client = init.client;
    this.hostKey = init.hostKey;
    this.timeouts = init.timeouts;
    this.secrets = init.secrets;
    this.sudo = init.sudo;
    this.log = init.log;
    this.target = init.target;
    this.client.on('error', (e: Error & { level?: string }) => {
      this.lost ??= new SshError('unreachable', `Connection to ${this.target} lost (${this.redact(e.message)})`);
    });
    this.client.on('close', () => {
      this.lost ??= new SshError('unreachable', `Connection to ${this.target} closed`);
    });
  }

  static connect(o: ConnectOptions): Promise<SshSession> {
    const timeouts: SshTimeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
    const target = label(o.target);
    const secrets = secretVariants([
      o.auth.password,
      o.auth.passphrase,
      o.auth.privateKey,
      o.sudo?.password,
      ...(o.secrets ?? []),
    ]);
    const sudoMode = o.sudo?.mode ?? 'same_as_ssh';
    const sudo = sudoInvocation(sudoMode, sudoPasswordFor(sudoMode, { login: o.auth.password, own: o.sudo?.password }));

    // A key that cannot be decrypted is an authentication problem we can report without touching the network.
    if (o.auth.privateKey) {
      const parsed = ssh2Utils.parseKey(o.auth.privateKey, o.auth.passphrase);
      if (parsed instanceof Error)
        return Promise.reject(
          new SshError('auth_failed', `The private key for ${target} cannot be read (wrong passphrase or format)`, {
            remediation: 'Check the stored private key and its passphrase (OpenSSH or PEM format).',
          }),
        );
    }

    return tracedConnect(() =>
      new ConnectAttempt(o, timeouts, target, (client, key) => {
        const log = o.rawLog ? new RawLogWriter(o.rawLog) : null;
        log?.write(`# ssh ${target} host key ${key.keyType} ${key.fingerprintSha256}\n`);
        return new SshSession({ client, hostKey: key, timeouts, secrets, sudo, log, target });
      }).run(),
    );
  }

  /** Runs one command given as argv (quoted here; never a shell line). A non-zero exit is a result, not an error. */
  run(argv: string[], o: RunOptions = {}): Promise<CommandResult> {
    if (argv.length === 0) return Promise.reject(new Error('run: empty argv'));
    if (o.env !== undefined) return Promise.reject(new Error('run: env is not supported (never pass secrets via env)'));
    return this.execute(argv, o, o.stdin ?? '');
  }

  /** Runs a script through `sh -s`: the script travels on stdin, never in argv (so never in `ps` or audit logs). */
  runScript(script: string, o: RunOptions = {}): Promise<CommandResult> {
    if (o.stdin !== undefined) return Promise.reject(new Error('runScript: the script is the stdin'));
    return this.execute(['sh', '-s'], o, script);
  }

  /**
   * One round trip on the connection itself, answered by the SSH server without starting a process on the machine
   * (ADR 0051): whether a kept connection is still alive. ssh2 has no public keepalive request, so this sends the
   * cheapest global request that wants a reply, the cancel of a remote forward this connection never asked for (no
   * such forward exists: the product never forwards); a refusal is an answer as good as a success. False when no
   * answer came within `timeoutMs` (the connection then counts as lost: replies come in request order, so a late one
   * would answer the wrong request), or the connection is known to be gone.
   */
  ping(timeoutMs: number): Promise<boolean> {
    if (this.lost) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.lost ??= new SshError('unreachable', `${this.target} did not answer within ${timeoutMs} ms`);
        resolve(false);
      }, timeoutMs);
      const answered = () => {
        clearTimeout(timer);
        resolve(this.lost === null);
      };
      try {
        this.client.unforwardIn(PING_ADDRESS, 0, answered);
      } catch {
        clearTimeout(timer);
        resolve(false); // not connected
      }
    });
  }

  /** An interactive shell on a PTY (the web terminal, ADR 0043), on its own channel of this connection. */
  shell(size: TerminalSize): Promise<InteractiveShell> {
    if (this.lost) return Promise.reject(this.lost);
    return openShell(this.client, size);
  }

  rawLog(): RawLogResult | null {
    return this.log?.result() ?? null;
  }

  /** True while the connection can run commands (not lost, not closing). */
  get alive(): boolean {
    return !this.lost && !this.closing;
  }

  /**
   * Flushes and ends the current raw log and leaves the connection open, for another job to use it with its own log
   * (`startRawLog`). Returns the log's final result.
   */
  async finishRawLog(): Promise<RawLogResult | null> {
    await this.log?.close();
    return this.rawLog();
  }

  /** The next user's raw log: from now on commands and output go there (the previous log must be finished). */
  startRawLog(opts: RawLogOptions | null): void {
    this.log = opts ? new RawLogWriter(opts) : null;
    this.log?.write(
      `# ssh ${this.target} host key ${this.hostKey.keyType} ${this.hostKey.fingerprintSha256} (kept connection)\n`,
    );
  }

  /** Ends the connection and flushes the raw log; `rawLog()` is final afterwards. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.lost ??= new SshError('unreachable', `Session to ${this.target} was closed`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2_000);
        this.client.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        this.client.end();
      });
      await this.log?.close();
    })();
    return this.closing;
  }

  private redact(text: string): string {
    return redactAll(text, this.secrets);
  }

  private execute(argv: string[], o: RunOptions, stdin: string): Promise<CommandResult> {
    if (this.lost) return Promise.reject(this.lost);
    const display = this.redact(shellQuote(argv));
    if (o.signal?.aborted)
      return Promise.reject(new SshError('cancelled', `Command \`${display}\` was cancelled before it started`));
    const sudo = o.sudo ? this.sudo : null;
    const line = shellQuote([...(sudo?.prefix ?? []), ...argv]);
    const totalMs = o.timeoutMs ?? this.timeouts.commandMs;
    const idleMs = o.idleTimeoutMs ?? this.timeouts.idleOutputMs;
    const maxOutput = o.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    this.log?.write(`\n$ ${sudo?.prefix.length ? 'sudo ' : ''}${display}\n`);
    // The command's own secrets join the session's, longest first as redactAll needs.
    const secrets = o.secrets?.length ? secretVariants([...this.secrets, ...o.secrets]) : this.secrets;
    const context: CommandContext = {
      client: this.client,
      log: () => this.log,
      secrets,
      target: this.target,
      redact: (text) => redactAll(text, secrets),
      lost: () => this.lost,
    };
    return tracedCommand({ program: argv[0] ?? '', sudo: sudo !== null }, () =>
      new RemoteCommand(context, { line, display, stdin, sudo, totalMs, idleMs, maxOutput, o }).run(),
    );
  }
}
