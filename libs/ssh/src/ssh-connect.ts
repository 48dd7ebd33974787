import { Socket } from 'node:net';
import ssh2, { type Client as Ssh2Client, type ConnectConfig } from 'ssh2';
import { hostKeyInfoFromBlob, type HostKeyInfo } from './host-key-info.ts';
import { sendPerTurn } from './send-per-turn.ts';
import { KEX_ALGORITHMS, type ConnectOptions, type SshTimeouts } from './ssh-options.ts';
import { SshError, classifyConnectFailure, connectFailureMessage, type ConnectFailure } from './ssh-error.ts';

export const DEFAULT_KEEPALIVE_MS = 15_000;

// ssh2 is CommonJS and Node's export detection misses `utils`: take everything from the default export.
const { Client } = ssh2;

/**
 * One attempt to open an SSH connection: TCP, key exchange with the host key checked by the caller's verifier, then
 * authentication, all within one timer. It settles once: with `onReady(client, hostKey)` — called synchronously on
 * ssh2's "ready", so the session's own listeners are attached before any later event — or with a classified error.
 */
export class ConnectAttempt<T> {
  private readonly client: Ssh2Client = new Client();
  private readonly sock = new Socket();
  private settled = false;
  private hostKey: HostKeyInfo | null = null;
  /** The host key check's refusal, which ssh2 reports only as a generic handshake error. */
  private verdict: SshError | null = null;
  private timer: NodeJS.Timeout | undefined;
  private resolve: (value: T) => void = () => undefined;
  private reject: (e: SshError) => void = () => undefined;

  constructor(
    private readonly o: ConnectOptions,
    private readonly timeouts: SshTimeouts,
    private readonly target: string,
    private readonly onReady: (client: Ssh2Client, hostKey: HostKeyInfo) => T,
  ) {}

  run(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      // One budget for everything up to "ready": a powered-off machine (SYNs dropped) fails here, in connectMs.
      this.timer = setTimeout(() => this.failWith({ code: 'ETIMEDOUT' }), this.timeouts.connectMs);
      this.listen();
      this.sock.setNoDelay(true);
      this.sock.connect({ host: this.o.target.host, port: this.o.target.port }, () => this.handshake());
    });
  }

  private fail(err: SshError): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.client.removeAllListeners('ready');
    this.client.end();
    this.sock.destroy();
    this.reject(err);
  }

  private failWith(f: ConnectFailure): void {
    const kind = classifyConnectFailure(f);
    this.fail(new SshError(kind, connectFailureMessage(kind, this.target, this.timeouts.connectMs)));
  }

  private listen(): void {
    // Stays attached for the socket's life so a late socket error never becomes an uncaught exception.
    this.sock.on('error', (e: NodeJS.ErrnoException) => this.failWith({ code: e.code, message: e.message }));
    this.client.on('error', (e: Error & { level?: string; code?: string }) => {
      if (this.verdict) return this.fail(this.verdict);
      this.failWith({ level: e.level, code: e.code, message: e.message });
    });
    this.client.on('close', () => this.failWith({ code: 'ECONNRESET' }));
    this.client.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => {
      // PAM-only servers ask for the password through keyboard-interactive; answer every prompt with it.
      finish(prompts.map(() => this.o.auth.password ?? ''));
    });
    this.client.once('ready', () => this.ready());
  }

  private ready(): void {
    if (this.settled) return;
    // ssh2 only gets here after the verifier accepted a key, so hostKey is set; check anyway rather than assume.
    const key = this.hostKey;
    if (!key) return this.fail(new SshError('host_key_unknown', `No verified host key for ${this.target}`));
    this.settled = true;
    clearTimeout(this.timer);
    this.client.removeAllListeners('error');
    this.client.removeAllListeners('close');
    this.client.removeAllListeners('keyboard-interactive');
    this.resolve(this.onReady(this.client, key));
  }

  /** ssh2's host verifier: the key is checked once by the caller's verifier; a re-key must present the same key. */
  private readonly verifyHostKey = (blob: Buffer, verify: (ok: boolean) => void): void => {
    let info: HostKeyInfo;
    try {
      info = hostKeyInfoFromBlob(blob);
    } catch {
      this.verdict = new SshError('host_key_changed', `${this.target} sent a malformed host key; nothing was executed`);
      return verify(false);
    }
    if (this.hostKey) return verify(info.fingerprintSha256 === this.hostKey.fingerprintSha256);
    const answer = this.lateAnswer(verify);
    Promise.resolve()
      .then(() => this.o.verifyHostKey(info))
      .then(
        (v) => {
          if (v === true) {
            this.hostKey = info;
            return answer(true);
          }
          const kind = v === 'unknown' ? 'host_key_unknown' : 'host_key_changed';
          this.verdict = new SshError(
            kind,
            `${connectFailureMessage(kind, this.target, 0)} (${info.keyType} ${info.fingerprintSha256})`,
          );
          answer(false);
        },
        (e: unknown) => {
          this.verdict =
            e instanceof SshError
              ? e
              : new SshError('host_key_changed', `Host key check for ${this.target} failed; nothing was executed`);
          answer(false);
        },
      );
  };

  /**
   * ssh2's verify callback for an answer given after an await (the trust check reads the database): a connection
   * torn down meanwhile (our timer, the peer) makes ssh2 throw from inside it, which would end the whole worker.
   */
  private lateAnswer(verify: (ok: boolean) => void): (ok: boolean) => void {
    return (ok) => {
      if (this.settled) return;
      try {
        verify(ok);
      } catch {
        if (this.verdict) this.fail(this.verdict);
        else this.failWith({ code: 'ECONNRESET' });
      }
    };
  }

  /** TCP is up: start SSH over it. */
  private handshake(): void {
    if (this.settled) return;
    const { o, sock } = this;
    // TCP keepalive as a second line behind SSH keepalives: it also catches a half-open connection at idle.
    sock.setKeepAlive(true, o.keepaliveIntervalMs ?? DEFAULT_KEEPALIVE_MS);
    sendPerTurn(sock);
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
      hostVerifier: this.verifyHostKey,
    };
    try {
      this.client.connect(cfg);
    } catch {
      this.failWith({ level: 'client-authentication', message: 'privateKey' });
    }
  }
}
