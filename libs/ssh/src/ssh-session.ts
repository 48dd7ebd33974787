import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import ssh2, { type Client as Ssh2Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { hostKeyInfoFromBlob, type HostKeyInfo } from './host-key-info.ts';
import { MarkerScanner } from './marker-scanner.ts';
import { RawLogWriter, type RawLogOptions, type RawLogResult } from './raw-log-writer.ts';
import {
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_TIMEOUTS,
  KEX_ALGORITHMS,
  type CommandResult,
  type ConnectOptions,
  type RunOptions,
  type SshTarget,
  type SshTimeouts,
} from './ssh-options.ts';
import { StreamRedactor, redactAll, secretVariants } from './secret-redactor.ts';
import { shellQuote } from './shell-quote.ts';
import { SshError, classifyConnectFailure, connectFailureMessage, type ConnectFailure } from './ssh-error.ts';
import { classifySudoFailure, sudoInvocation, sudoPasswordFor, type SudoInvocation } from './sudo-invocation.ts';

const DEFAULT_KEEPALIVE_MS = 15_000;
/** Time a stopped command gets between SIGTERM (which sudo relays to its child) and SIGKILL plus channel close. */
const STOP_GRACE_MS = 1_000;

/** ssh2 keeps the signal request behind `writable`, which is false once stdin is closed; we need it after that too. */
interface ChannelInternals {
  outgoing: { id: number; state: string };
  _client: { _protocol: { signal(id: number, name: string): void } };
}

function sendSignal(ch: ClientChannel, name: 'TERM' | 'KILL'): void {
  const c = ch as unknown as ChannelInternals;
  const state = c.outgoing?.state;
  if (state === 'open' || state === 'eof') c._client._protocol.signal(c.outgoing.id, name);
}

// ssh2 is CommonJS and Node's export detection misses `utils`: take everything from the default export.
const { Client, utils: ssh2Utils } = ssh2;

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

    return new Promise<SshSession>((resolve, reject) => {
      const client = new Client();
      const sock = new Socket();
      let settled = false;
      let hostKey: HostKeyInfo | null = null;
      let verdict: SshError | null = null;

      const fail = (err: SshError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.removeAllListeners('ready');
        client.end();
        sock.destroy();
        reject(err);
      };
      const failWith = (f: ConnectFailure) => {
        const kind = classifyConnectFailure(f);
        fail(new SshError(kind, connectFailureMessage(kind, target, timeouts.connectMs)));
      };

      // One budget for everything up to "ready": a powered-off machine (SYNs dropped) fails here, in connectMs.
      const timer = setTimeout(() => failWith({ code: 'ETIMEDOUT' }), timeouts.connectMs);

      // Stays attached for the socket's life so a late socket error never becomes an uncaught exception.
      sock.on('error', (e: NodeJS.ErrnoException) => failWith({ code: e.code, message: e.message }));
      client.on('error', (e: Error & { level?: string; code?: string }) => {
        if (verdict) return fail(verdict);
        failWith({ level: e.level, code: e.code, message: e.message });
      });
      client.on('close', () => failWith({ code: 'ECONNRESET' }));

      client.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => {
        // PAM-only servers ask for the password through keyboard-interactive; answer every prompt with it.
        finish(prompts.map(() => o.auth.password ?? ''));
      });

      client.once('ready', () => {
        if (settled) return;
        // ssh2 only gets here after the verifier accepted a key, so hostKey is set; check anyway rather than assume.
        const key = hostKey;
        if (!key) return fail(new SshError('host_key_unknown', `No verified host key for ${target}`));
        settled = true;
        clearTimeout(timer);
        client.removeAllListeners('error');
        client.removeAllListeners('close');
        client.removeAllListeners('keyboard-interactive');
        const log = o.rawLog ? new RawLogWriter(o.rawLog) : null;
        log?.write(`# ssh ${target} host key ${key.keyType} ${key.fingerprintSha256}\n`);
        resolve(new SshSession({ client, hostKey: key, timeouts, secrets, sudo, log, target }));
      });

      const hostVerifier = (blob: Buffer, verify: (ok: boolean) => void): void => {
        let info: HostKeyInfo;
        try {
          info = hostKeyInfoFromBlob(blob);
        } catch {
          verdict = new SshError('host_key_changed', `${target} sent a malformed host key; nothing was executed`);
          return verify(false);
        }
        // A re-key must present the key that was verified at connect time.
        if (hostKey) return verify(info.fingerprintSha256 === hostKey.fingerprintSha256);
        Promise.resolve()
          .then(() => o.verifyHostKey(info))
          .then(
            (v) => {
              if (v === true) {
                hostKey = info;
                return verify(true);
              }
              const kind = v === 'unknown' ? 'host_key_unknown' : 'host_key_changed';
              verdict = new SshError(
                kind,
                `${connectFailureMessage(kind, target, 0)} (${info.keyType} ${info.fingerprintSha256})`,
              );
              verify(false);
            },
            (e: unknown) => {
              verdict =
                e instanceof SshError
                  ? e
                  : new SshError('host_key_changed', `Host key check for ${target} failed; nothing was executed`);
              verify(false);
            },
          );
      };

      sock.setNoDelay(true);
      sock.connect({ host: o.target.host, port: o.target.port }, () => {
        if (settled) return;
        // TCP keepalive as a second line behind SSH keepalives: it also catches a half-open connection at idle.
        sock.setKeepAlive(true, o.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS);
        const cfg: ConnectConfig = {
          sock,
          username: o.target.username,
          password: o.auth.password,
          privateKey: o.auth.privateKey,
          passphrase: o.auth.passphrase,
          tryKeyboard: !!o.auth.password,
          readyTimeout: 0, // our own timer covers the whole connect
          keepaliveInterval: o.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS,
          keepaliveCountMax: 3,
          algorithms: { kex: [...KEX_ALGORITHMS] },
          hostVerifier,
        };
        try {
          client.connect(cfg);
        } catch {
          failWith({ level: 'client-authentication', message: 'privateKey' });
        }
      });
    });
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

    return new Promise<CommandResult>((resolve, reject) => {
      const t0 = performance.now();
      const out = { stdout: [] as string[], stderr: [] as string[] };
      const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
      const logRedactors = { stdout: new StreamRedactor(this.secrets), stderr: new StreamRedactor(this.secrets) };
      let received = 0;
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      let sawExit = false;
      let ch: ClientChannel | null = null;
      let done = false;
      // Why the command is being stopped; decides the error once the channel is closed.
      let stopping: SshError | null = null;
      let sudoReady = !sudo?.readyMarker;
      let prompts = 0;
      let wrongPassword = false;
      const timers: NodeJS.Timeout[] = [];
      let idleTimer: NodeJS.Timeout | null = null;

      const emit = (stream: 'stdout' | 'stderr', text: string) => {
        if (!text) return;
        out[stream].push(text);
        this.log?.write(logRedactors[stream].push(text));
        if (o.onOutput) {
          try {
            o.onOutput(stream, this.redact(text));
          } catch {
            // A listener's failure must not break the command.
          }
        }
      };
      const scanner = new MarkerScanner(
        [sudo?.promptMarker, sudo?.readyMarker].filter((m): m is string => !!m),
        (marker) => {
          if (!ch || !sudo) return;
          if (marker === sudo.readyMarker) {
            sudoReady = true;
            if (sudo.password) ch.end(stdin); // the command starts now: its own stdin, then EOF
            return;
          }
          prompts++;
          if (prompts === 1) ch.write(`${sudo.password}\n`);
          else {
            // sudo asks again: the password was wrong. EOF makes it give up now instead of waiting for input.
            wrongPassword = true;
            ch.end();
            const f = classifySudoFailure('', { wrongPasswordSeen: true });
            timers.push(
              setTimeout(() => stop(new SshError(f.kind, `${f.message} (running \`${display}\`)`, f)), 2_000),
            );
          }
        },
      );

      const finish = (err: SshError | null) => {
        if (done) return;
        done = true;
        for (const t of timers) clearTimeout(t);
        if (idleTimer) clearTimeout(idleTimer);
        o.signal?.removeEventListener('abort', onAbort);
        const tail = scanner.end();
        if (tail) emit('stderr', tail);
        for (const s of ['stdout', 'stderr'] as const) {
          const rest = decoders[s].end();
          if (rest) emit(s, s === 'stderr' ? scanner.push(rest) + scanner.end() : rest);
          this.log?.write(logRedactors[s].end());
        }
        const durationMs = performance.now() - t0;
        const stdout = this.redact(out.stdout.join(''));
        const stderr = this.redact(out.stderr.join(''));
        this.log?.write(
          `\n[${err ? err.errorKind : `exit ${exitCode ?? `signal ${exitSignal}`}`} after ${Math.round(durationMs)} ms]\n`,
        );
        if (err) return reject(err);
        if (sudo && !sudoReady) {
          const f = classifySudoFailure(stderr, { wrongPasswordSeen: wrongPassword });
          return reject(new SshError(f.kind, `${f.message} (running \`${display}\` on ${this.target})`, f));
        }
        resolve({ exitCode, signal: exitSignal, stdout, stderr, durationMs, truncated: false });
      };

      /** Stops the remote process: TERM (sudo relays it), then KILL and channel close if it is still there. */
      const stop = (why: SshError) => {
        if (stopping || done) return;
        stopping = why;
        if (!ch) return finish(why);
        sendSignal(ch, 'TERM');
        const c = ch;
        timers.push(
          setTimeout(() => {
            sendSignal(c, 'KILL');
            c.close();
            timers.push(setTimeout(() => finish(why), STOP_GRACE_MS));
          }, STOP_GRACE_MS),
        );
      };
      const onAbort = () => stop(new SshError('cancelled', `Command \`${display}\` was cancelled`));
      const armIdle = () => {
        if (idleTimer) clearTimeout(idleTimer);
        idleTimer = setTimeout(
          () => stop(new SshError('timeout', `Command \`${display}\` printed nothing for ${idleMs} ms`)),
          idleMs,
        );
      };

      const onData = (stream: 'stdout' | 'stderr', chunk: Buffer) => {
        if (stopping) return;
        received += chunk.length;
        if (received > maxOutput)
          return stop(new SshError('output_too_large', `Command \`${display}\` printed more than ${maxOutput} bytes`));
        armIdle();
        const text = decoders[stream].write(chunk);
        emit(stream, stream === 'stderr' ? scanner.push(text) : text);
      };

      o.signal?.addEventListener('abort', onAbort, { once: true });
      timers.push(
        setTimeout(
          () => stop(new SshError('timeout', `Command \`${display}\` took longer than ${totalMs} ms`)),
          totalMs,
        ),
      );
      armIdle();

      try {
        this.client.exec(line, (err, channel) => {
          if (err)
            return finish(this.lost ?? new SshError('unreachable', `Cannot start \`${display}\` on ${this.target}`));
          ch = channel;
          if (stopping) return stop(stopping);
          channel.on('data', (b: Buffer) => onData('stdout', b));
          channel.stderr.on('data', (b: Buffer) => onData('stderr', b));
          channel.on('exit', (code: number | null, signalName?: string) => {
            sawExit = true;
            exitCode = typeof code === 'number' ? code : null;
            exitSignal = signalName ?? null;
          });
          channel.on('close', () => {
            if (stopping) return finish(stopping);
            if (!sawExit && this.lost)
              return finish(
                new SshError('unreachable', `Connection to ${this.target} lost while running \`${display}\``),
              );
            finish(null);
          });
          // Without a password nothing reads stdin before the command: write it and close it now.
          if (!sudo?.password) channel.end(stdin);
        });
      } catch {
        finish(this.lost ?? new SshError('unreachable', `Connection to ${this.target} is closed`));
      }
    });
  }
}
