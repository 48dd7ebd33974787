import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RawLogWriter } from './raw-log-writer.ts';

const dir = mkdtempSync(join(tmpdir(), 'su-ssh-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('RawLogWriter', () => {
  it('caps the file on a UTF-8 boundary, reports bytes and the sha256 of exactly the file', async () => {
    const path = join(dir, 'a.log');
    const w = new RawLogWriter({ path, maxBytes: 10 });
    w.write('abcdefgh');
    w.write('éé'); // 4 bytes; only one fits whole
    w.write('more');
    await w.close();
    const file = readFileSync(path);
    expect(file.toString('utf8')).toBe('abcdefghé');
    const r = w.result();
    expect(r).toEqual({ path, bytes: 10, truncated: true, sha256: createHash('sha256').update(file).digest('hex') });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});
