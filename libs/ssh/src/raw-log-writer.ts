import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface RawLogOptions {
  /** File to write (created with mode 0600; an existing file is replaced). */
  path: string;
  /** Hard cap on the bytes written; what comes after is dropped and `truncated` is set. */
  maxBytes: number;
}

/** What ends up in `raw_artifacts`: the sha256 is of exactly the bytes in the file. */
export interface RawLogResult {
  path: string;
  bytes: number;
  sha256: string;
  truncated: boolean;
}

/** Bytes held before they are written: a job's whole output is usually less, so one write instead of dozens. */
const FLUSH_BYTES = 64 * 1024;
/** …and never held longer than this, so a long run's file on disk stays close to what the machine said. */
const FLUSH_AFTER_MS = 1_000;

/**
 * Append-only raw log of a session with a byte cap and a running sha256. It only ever receives text that was already
 * redacted (the session redacts before calling `write`), so nothing here needs to know about secrets.
 * Output arrives in many small chunks (an SSH channel's packets); each went to the file as a write of its own, one
 * system call per chunk in a worker running a thousand jobs (ADR 0059). They are gathered and written together.
 */
export class RawLogWriter {
  private readonly stream: WriteStream;
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private truncated = false;
  private closed: Promise<void> | null = null;
  private failure: Error | null = null;
  private readonly opts: RawLogOptions;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(opts: RawLogOptions) {
    this.opts = opts;
    if (!(opts.maxBytes > 0)) throw new Error('rawLog.maxBytes must be > 0');
    mkdirSync(dirname(opts.path), { recursive: true });
    this.stream = createWriteStream(opts.path, { flags: 'w', mode: 0o600 });
    // A failing disk must not crash the worker; the failure is reported by close().
    this.stream.on('error', (e) => (this.failure ??= e));
  }

  write(text: string): void {
    if (this.closed || this.truncated || text.length === 0) return;
    let buf = Buffer.from(text, 'utf8');
    const room = this.opts.maxBytes - this.bytes;
    if (buf.length > room) {
      // Cut on a UTF-8 character boundary so the file stays valid text.
      let cut = room;
      while (cut > 0 && ((buf[cut] ?? 0) & 0xc0) === 0x80) cut--;
      buf = buf.subarray(0, cut);
      this.truncated = true;
    }
    if (buf.length === 0) return;
    this.hash.update(buf);
    this.bytes += buf.length;
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_AFTER_MS).unref();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pendingBytes === 0) return;
    const [only] = this.pending;
    this.stream.write(this.pending.length === 1 && only ? only : Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }

  result(): RawLogResult {
    return {
      path: this.opts.path,
      bytes: this.bytes,
      sha256: this.hash.copy().digest('hex'),
      truncated: this.truncated,
    };
  }

  /** Flushes and closes the file; the result is final afterwards. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve, reject) => {
      this.flush();
      this.stream.end(() => (this.failure ? reject(this.failure) : resolve()));
    });
    return this.closed;
  }
}
