import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import type { Client as Ssh2Client, ClientChannel } from 'ssh2';
import { MarkerScanner } from './marker-scanner.ts';
import type { RawLogWriter } from './raw-log-writer.ts';
import type { CommandResult, RunOptions } from './ssh-options.ts';
import { StreamRedactor } from './secret-redactor.ts';
import { SshError } from './ssh-error.ts';
import { classifySudoFailure, type SudoInvocation } from './sudo-invocation.ts';

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

/** What a command needs from its session. */
export interface CommandContext {
  client: Ssh2Client;
  /** The session's raw log as it is now (a kept connection changes it between jobs). */
  log(): RawLogWriter | null;
  secrets: string[];
  target: string;
  redact(text: string): string;
  /** The connection's loss, if it is gone. */
  lost(): SshError | null;
}

/** The command as the session prepared it: the line to run, how it is shown, its stdin and its limits. */
export interface CommandSpec {
  line: string;
  display: string;
  stdin: string;
  sudo: SudoInvocation | null;
  totalMs: number;
  idleMs: number;
  maxOutput: number;
  o: RunOptions;
}

/**
 * One command on its own channel: its output decoded, redacted and mirrored to the raw log; sudo's prompt answered
 * from stdin and its markers removed; stopped (TERM, then KILL and close) on timeout, silence, cancellation or too
 * much output; settled once, with its result or the reason it was stopped.
 */
export class RemoteCommand {
  private readonly t0 = performance.now();
  private readonly out = { stdout: [] as string[], stderr: [] as string[] };
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly logRedactors: { stdout: StreamRedactor; stderr: StreamRedactor };
  private readonly scanner: MarkerScanner;
  private received = 0;
  private exitCode: number | null = null;
  private exitSignal: string | null = null;
  private sawExit = false;
  private ch: ClientChannel | null = null;
  private done = false;
  /** Why the command is being stopped; decides the error once the channel is closed. */
  private stopping: SshError | null = null;
  private sudoReady: boolean;
  private prompts = 0;
  private wrongPassword = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private idleTimer: NodeJS.Timeout | null = null;
  private resolve: (r: CommandResult) => void = () => undefined;
  private reject: (e: SshError) => void = () => undefined;

  constructor(
    private readonly ctx: CommandContext,
    private readonly spec: CommandSpec,
  ) {
    this.logRedactors = { stdout: new StreamRedactor(ctx.secrets), stderr: new StreamRedactor(ctx.secrets) };
    this.sudoReady = !spec.sudo?.readyMarker;
    const markers = [spec.sudo?.promptMarker, spec.sudo?.readyMarker].filter((m): m is string => !!m);
    this.scanner = new MarkerScanner(markers, (marker) => this.onMarker(marker));
  }

  run(): Promise<CommandResult> {
    return new Promise<CommandResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      const { display, totalMs } = this.spec;
      this.spec.o.signal?.addEventListener('abort', this.onAbort, { once: true });
      this.timers.push(
        setTimeout(
          () => this.stop(new SshError('timeout', `Command \`${display}\` took longer than ${totalMs} ms`)),
          totalMs,
        ),
      );
      this.armIdle();
      this.open();
    });
  }

  private emit(stream: 'stdout' | 'stderr', text: string): void {
    if (!text) return;
    this.out[stream].push(text);
    this.ctx.log()?.write(this.logRedactors[stream].push(text));
    if (this.spec.o.onOutput) {
      try {
        this.spec.o.onOutput(stream, this.ctx.redact(text));
      } catch {
        // A listener's failure must not break the command.
      }
    }
  }

  /** sudo's prompt: the password once; a second prompt means it was wrong. The ready marker: the command starts. */
  private onMarker(marker: string): void {
    const { ch } = this;
    const { sudo, display } = this.spec;
    if (!ch || !sudo) return;
    if (marker === sudo.readyMarker) {
      this.sudoReady = true;
      if (sudo.password) ch.end(this.spec.stdin); // the command starts now: its own stdin, then EOF
      return;
    }
    this.prompts++;
    if (this.prompts === 1) ch.write(`${sudo.password}\n`);
    else {
      // sudo asks again: the password was wrong. EOF makes it give up now instead of waiting for input.
      this.wrongPassword = true;
      ch.end();
      const f = classifySudoFailure('', { wrongPasswordSeen: true });
      this.timers.push(
        setTimeout(() => this.stop(new SshError(f.kind, `${f.message} (running \`${display}\`)`, f)), 2_000),
      );
    }
  }

  private finish(err: SshError | null): void {
    if (this.done) return;
    this.done = true;
    for (const t of this.timers) clearTimeout(t);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.spec.o.signal?.removeEventListener('abort', this.onAbort);
    this.flush();
    const durationMs = performance.now() - this.t0;
    const stdout = this.ctx.redact(this.out.stdout.join(''));
    const stderr = this.ctx.redact(this.out.stderr.join(''));
    const ended = err ? err.errorKind : `exit ${this.exitCode ?? `signal ${this.exitSignal}`}`;
    this.ctx.log()?.write(`\n[${ended} after ${Math.round(durationMs)} ms]\n`);
    if (err) return this.reject(err);
    if (this.spec.sudo && !this.sudoReady) {
      const f = classifySudoFailure(stderr, { wrongPasswordSeen: this.wrongPassword });
      return this.reject(
        new SshError(f.kind, `${f.message} (running \`${this.spec.display}\` on ${this.ctx.target})`, f),
      );
    }
    this.resolve({ exitCode: this.exitCode, signal: this.exitSignal, stdout, stderr, durationMs, truncated: false });
  }

  /** What the decoders and the marker scanner still hold, emitted; the raw log's redactors ended. */
  private flush(): void {
    const tail = this.scanner.end();
    if (tail) this.emit('stderr', tail);
    for (const s of ['stdout', 'stderr'] as const) {
      const rest = this.decoders[s].end();
      if (rest) this.emit(s, s === 'stderr' ? this.scanner.push(rest) + this.scanner.end() : rest);
      this.ctx.log()?.write(this.logRedactors[s].end());
    }
  }

  /** Stops the remote process: TERM (sudo relays it), then KILL and channel close if it is still there. */
  private stop(why: SshError): void {
    if (this.stopping || this.done) return;
    this.stopping = why;
    if (!this.ch) return this.finish(why);
    sendSignal(this.ch, 'TERM');
    const c = this.ch;
    this.timers.push(
      setTimeout(() => {
        sendSignal(c, 'KILL');
        c.close();
        this.timers.push(setTimeout(() => this.finish(why), STOP_GRACE_MS));
      }, STOP_GRACE_MS),
    );
  }

  private readonly onAbort = () =>
    this.stop(new SshError('cancelled', `Command \`${this.spec.display}\` was cancelled`));

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const { display, idleMs } = this.spec;
    this.idleTimer = setTimeout(
      () => this.stop(new SshError('timeout', `Command \`${display}\` printed nothing for ${idleMs} ms`)),
      idleMs,
    );
  }

  private onData(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.stopping) return;
    this.received += chunk.length;
    const { display, maxOutput } = this.spec;
    if (this.received > maxOutput)
      return this.stop(new SshError('output_too_large', `Command \`${display}\` printed more than ${maxOutput} bytes`));
    this.armIdle();
    const text = this.decoders[stream].write(chunk);
    this.emit(stream, stream === 'stderr' ? this.scanner.push(text) : text);
  }

  /** The channel: exec the line, follow its streams, exit and close. */
  private open(): void {
    const { client, target } = this.ctx;
    const { display, line, sudo, stdin } = this.spec;
    try {
      client.exec(line, (err, channel) => {
        if (err)
          return this.finish(
            this.ctx.lost() ?? new SshError('unreachable', `Cannot start \`${display}\` on ${target}`),
          );
        this.ch = channel;
        if (this.stopping) return this.stop(this.stopping);
        channel.on('data', (b: Buffer) => this.onData('stdout', b));
        channel.stderr.on('data', (b: Buffer) => this.onData('stderr', b));
        channel.on('exit', (code: number | null, signalName?: string) => {
          this.sawExit = true;
          this.exitCode = typeof code === 'number' ? code : null;
          this.exitSignal = signalName ?? null;
        });
        channel.on('close', () => this.onClose());
        // Without a password nothing reads stdin before the command: write it and close it now.
        if (!sudo?.password) channel.end(stdin);
      });
    } catch {
      this.finish(this.ctx.lost() ?? new SshError('unreachable', `Connection to ${target} is closed`));
    }
  }

  private onClose(): void {
    if (this.stopping) return this.finish(this.stopping);
    if (!this.sawExit && this.ctx.lost())
      return this.finish(
        new SshError('unreachable', `Connection to ${this.ctx.target} lost while running \`${this.spec.display}\``),
      );
    this.finish(null);
  }
}
