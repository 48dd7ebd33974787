import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostKeyInfoFromPublicKey } from './host-key-info.ts';
import { knownHostKeyVerifier } from './host-key-verifier.ts';

const dir = mkdtempSync(join(tmpdir(), 'su-ssh-fp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function keygen(type: string, bits?: number): { pub: string; printed: string } {
  const file = join(dir, `key_${type}_${n++}`);
  const args = ['-q', '-t', type, '-N', '', '-C', 'test@su', '-f', file, ...(bits ? ['-b', String(bits)] : [])];
  const gen = spawnSync('ssh-keygen', args, { encoding: 'utf8' });
  expect(gen.status, gen.stderr).toBe(0);
  const lf = spawnSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' });
  expect(lf.status, lf.stderr).toBe(0);
  // "256 SHA256:abc... test@su (ED25519)"
  return { pub: readFileSync(`${file}.pub`, 'utf8'), printed: lf.stdout.split(' ')[1]! };
}

describe('host key fingerprints', () => {
  it.each([['ed25519'], ['ecdsa'], ['rsa']])('%s: equals what `ssh-keygen -lf` prints', (type) => {
    const { pub, printed } = keygen(type, type === 'rsa' ? 2048 : undefined);
    const info = hostKeyInfoFromPublicKey(pub);
    expect(printed).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(info.fingerprintSha256).toBe(printed);
    expect(info.keyType).toBe(pub.split(' ')[0]);
    expect(info.publicKey).toBe(pub.split(' ').slice(0, 2).join(' '));
  });

  it('knownHostKeyVerifier: nothing on record → unknown, other key → changed, recorded key → true', async () => {
    const info = hostKeyInfoFromPublicKey(keygen('ed25519').pub);
    expect(await knownHostKeyVerifier([])(info)).toBe('unknown');
    expect(await knownHostKeyVerifier(['SHA256:other'])(info)).toBe('changed');
    expect(await knownHostKeyVerifier(['SHA256:other', info.fingerprintSha256])(info)).toBe(true);
  });
});
