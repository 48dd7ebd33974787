import { describe, expect, it } from 'vitest';
import { MarkerScanner } from './marker-scanner.ts';
import { StreamRedactor, redactAll, secretVariants } from './secret-redactor.ts';

const PW = 'lab-admin-pw';

/** Feeds `text` cut at every given position and returns what the redactor let out. */
function streamed(text: string, cuts: number[], secrets: string[]): string {
  const r = new StreamRedactor(secretVariants(secrets));
  let out = '';
  let prev = 0;
  for (const c of [...cuts, text.length]) {
    out += r.push(text.slice(prev, c));
    prev = c;
  }
  return out + r.end();
}

describe('redaction', () => {
  it('redacts whole occurrences, longest secret first', () => {
    expect(redactAll(`pw=${PW} again ${PW}`, secretVariants([PW]))).toBe('pw=[REDACTED] again [REDACTED]');
    expect(redactAll('abcdefgh', secretVariants(['abcd', 'abcdefgh']))).toBe('[REDACTED]');
  });

  it('ignores secrets shorter than 4 characters and empty values', () => {
    expect(secretVariants(['abc', '', null, undefined])).toEqual([]);
  });

  it('redacts a secret split across two chunks, at every possible split point', () => {
    const text = `before ${PW} after`;
    for (let cut = 0; cut <= text.length; cut++) expect(streamed(text, [cut], [PW])).toBe('before [REDACTED] after');
  });

  it('redacts a secret split across many one-character chunks', () => {
    const text = `x${PW}y${PW}`;
    const cuts = Array.from({ length: text.length }, (_, i) => i);
    expect(streamed(text, cuts, [PW])).toBe('x[REDACTED]y[REDACTED]');
  });

  it('lets ordinary output through without delay and flushes a dangling prefix at the end', () => {
    const r = new StreamRedactor(secretVariants([PW]));
    expect(r.push('hello\n')).toBe('hello\n');
    expect(r.push('ends with lab-ad')).toBe('ends with ');
    expect(r.end()).toBe('lab-ad');
  });

  it('redacts the lines of a PEM private key when they appear on their own', () => {
    const key = [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
      'QyNTUxOQAAACBxQm9pZmFrZWtleWZvcnRlc3RzMTIzNDU2Nzg5MDEyMzQ1NgAAAJ',
      '-----END OPENSSH PRIVATE KEY-----',
      '',
    ].join('\n');
    const out = streamed(`leak: ${key.split('\n')[2]}\r\n`, [20], [key]);
    expect(out).toBe('leak: [REDACTED]\r\n');
    expect(redactAll(key, secretVariants([key]))).toBe('[REDACTED]');
  });
});

describe('MarkerScanner', () => {
  it('strips markers split across chunks and reports them in order', () => {
    const seen: string[] = [];
    const s = new MarkerScanner(['<P>', '<READY>'], (m) => seen.push(m));
    let out = '';
    for (const c of ['<', 'P>Sorry, try again.\n<P', '><RE', 'ADY>done <R', 'x']) out += s.push(c);
    out += s.end();
    expect(seen).toEqual(['<P>', '<P>', '<READY>']);
    expect(out).toBe('Sorry, try again.\ndone <Rx');
  });
});
