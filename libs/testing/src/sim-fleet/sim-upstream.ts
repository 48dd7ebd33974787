import { performance } from 'node:perf_hooks';
import ssh2, { type Client } from 'ssh2';
import type { ExecRequest } from './sim-exec.ts';
import { quoteWords } from './shell-words.ts';

/** A real machine the simulator forwards to while recording (a lab machine; its user has passwordless sudo). */
export interface UpstreamMachine {
  name: string;
  host: string;
  port: number;
  username: string;
  privateKey: string;
}

export interface UpstreamAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
  ms: number;
}

/**
 * One kept SSH connection to the real machine; each forwarded command runs on its own channel as the product would
 * have run it there (`sudo -n --` in front when the product asked for sudo), and its answer is timed.
 */
export class SimUpstream {
  private client: Promise<Client> | null = null;

  constructor(readonly machine: UpstreamMachine) {}

  async run(req: ExecRequest): Promise<UpstreamAnswer> {
    const client = await this.connect();
    const line = quoteWords(req.sudo ? ['sudo', '-n', '--', ...req.argv] : req.argv);
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      client.exec(line, (err, ch) => {
        if (err) return reject(err);
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let code = -1;
        ch.on('data', (b: Buffer) => out.push(b));
        ch.stderr.on('data', (b: Buffer) => errOut.push(b));
        ch.on('exit', (c: number | null) => (code = c ?? -1));
        ch.on('close', () =>
          resolve({
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(errOut).toString('utf8'),
            exitCode: code,
            ms: Math.round(performance.now() - t0),
          }),
        );
        ch.end(req.stdin);
      });
    });
  }

  close(): void {
    void this.client?.then((c) => c.end()).catch(() => undefined);
    this.client = null;
  }

  private connect(): Promise<Client> {
    this.client ??= new Promise<Client>((resolve, reject) => {
      const c = new ssh2.Client();
      c.once('ready', () => resolve(c));
      c.once('error', (e) => {
        this.client = null;
        reject(e);
      });
      c.once('close', () => (this.client = null));
      const { host, port, username, privateKey } = this.machine;
      c.connect({ host, port, username, privateKey, readyTimeout: 20_000 });
    });
    return this.client;
  }
}
