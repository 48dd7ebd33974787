import { StringDecoder } from 'node:string_decoder';
import type { WebSocket } from 'ws';
import type { InteractiveShell } from '@su/ssh';
import type { TerminalEndReason, TerminalServerMessage } from '@su/contracts';
import { InputLineRecorder, type EnteredLine } from './input-line-recorder.ts';
import { parseClientMessage, TERMINAL_CLOSE_CODES } from './terminal-protocol.ts';

/** What a live terminal needs around it: where its lines and its end are recorded, and its limits. */
export interface LiveTerminalDeps {
  sessionId: string;
  ws: WebSocket;
  shell: InteractiveShell;
  /** Closes the SSH connection (after the shell ended). */
  disconnect: () => Promise<void>;
  /** Null when input logging is off for this session. */
  recordLine: ((seq: number, line: EnteredLine) => Promise<void>) | null;
  recordEnd: (reason: TerminalEndReason, closedBy: string | null) => Promise<void>;
  idleTimeoutMs: number;
  maxDurationMs: number;
  onEnded: () => void;
}

/**
 * One open web terminal: the browser's WebSocket joined to a shell on the machine. Input resets the idle timer;
 * the maximum duration ends it whatever happens; the first end (either side, a timer, an admin) wins and is recorded
 * once. With input logging, the entered lines go to the command log as they are completed, in order.
 */
export class LiveTerminal {
  private ended: TerminalEndReason | null = null;
  private idle: NodeJS.Timeout | null = null;
  private readonly max: NodeJS.Timeout;
  private readonly recorder = new InputLineRecorder();
  private readonly decoder = new StringDecoder('utf8');
  private seq = 0;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly d: LiveTerminalDeps) {
    this.max = setTimeout(() => void this.end('max_duration', null), d.maxDurationMs);
    this.touch();
    d.shell.onData((chunk) => this.fromShell(chunk));
    d.shell.onClose(() => void this.end('remote_exit', null));
    d.ws.on('message', (data, isBinary) => this.fromBrowser(data, isBinary));
    d.ws.on('close', () => void this.end('user_closed', null));
    d.ws.on('error', () => void this.end('connection_lost', null));
    // The browser may have gone while the SSH session was being opened.
    if (d.ws.readyState !== d.ws.OPEN) void this.end('user_closed', null);
  }

  get id(): string {
    return this.d.sessionId;
  }

  /** Ends the session (idempotent): tells the browser why, closes the shell and the connection, records the end. */
  async end(reason: TerminalEndReason, closedBy: string | null): Promise<void> {
    if (this.ended) return;
    this.ended = reason;
    clearTimeout(this.max);
    if (this.idle) clearTimeout(this.idle);
    this.send({ type: 'closed', reason });
    this.d.ws.close(TERMINAL_CLOSE_CODES.ended, reason);
    this.d.shell.close();
    await this.writes;
    await Promise.allSettled([this.d.disconnect(), this.d.recordEnd(reason, closedBy)]);
    this.d.onEnded();
  }

  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => void this.end('idle_timeout', null), this.d.idleTimeoutMs);
  }

  private fromShell(chunk: Buffer): void {
    if (this.ended) return;
    if (this.d.recordLine) this.recorder.output(this.decoder.write(chunk));
    if (this.d.ws.readyState === this.d.ws.OPEN) this.d.ws.send(chunk, { binary: true });
  }

  private fromBrowser(data: unknown, isBinary: boolean): void {
    if (this.ended) return;
    const text = isBinary ? null : Buffer.isBuffer(data) ? data.toString('utf8') : null;
    const msg = text === null ? null : parseClientMessage(text);
    if (!msg) {
      this.d.ws.close(TERMINAL_CLOSE_CODES.badMessage, 'unreadable message');
      return;
    }
    if (msg.type === 'resize') return this.d.shell.resize({ cols: msg.cols, rows: msg.rows });
    this.touch();
    this.d.shell.write(msg.data);
    const recordLine = this.d.recordLine;
    if (!recordLine) return;
    for (const line of this.recorder.input(msg.data)) {
      const seq = ++this.seq;
      this.writes = this.writes.then(() => recordLine(seq, line)).catch(() => undefined);
    }
  }

  private send(msg: TerminalServerMessage): void {
    if (this.d.ws.readyState === this.d.ws.OPEN) this.d.ws.send(JSON.stringify(msg));
  }
}
