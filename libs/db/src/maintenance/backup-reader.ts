import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/** Reads a backup file line by line, front to back (see backup-format.ts). */
export class BackupReader {
  private readonly it: AsyncIterableIterator<string>;

  constructor(path: string) {
    const input = createReadStream(path).pipe(createGunzip());
    this.it = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  async next(): Promise<string> {
    const r = await this.it.next();
    if (r.done) throw new Error('the backup file ends early (truncated or incomplete)');
    return r.value;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}
