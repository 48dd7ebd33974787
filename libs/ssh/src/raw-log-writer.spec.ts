import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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

  it('gathers many small chunks into the same file and sha256 as written one by one, across the flush size', async () => {
    const path = join(dir, 'b.log');
    const w = new RawLogWriter({ path, maxBytes: 1024 * 1024 });
    const chunks = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}\n`);
    for (const c of chunks) w.write(c);
    await w.close();
    const expected = chunks.join('');
    expect(readFileSync(path, 'utf8')).toBe(expected);
    expect(Buffer.byteLength(expected)).toBeGreaterThan(64 * 1024); // crossed the flush size at least once
    expect(w.result()).toMatchObject({ bytes: Buffer.byteLength(expected), truncated: false });
    expect(w.result().sha256).toBe(createHash('sha256').update(expected).digest('hex'));
  });

  it('writes what a still-open session said to the file soon, without waiting for the end', async () => {
    const path = join(dir, 'c.log');
    const w = new RawLogWriter({ path, maxBytes: 1024 });
    w.write('still running\n');
    let seen = '';
    for (let i = 0; i < 100 && seen === ''; i++) {
      await sleep(100);
      seen = readFileSync(path, 'utf8');
    }
    expect(seen).toBe('still running\n');
    await w.close();
  });
});
