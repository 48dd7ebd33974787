import { describe, expect, it } from 'vitest';
import { LineSplitter, parseAptStatusLine, withoutStatusLines } from './apt-progress.parser.ts';

describe('apt Status-Fd progress', () => {
  it('parses download and dpkg progress lines', () => {
    expect(parseAptStatusLine('dlstatus:1:12.5:Retrieving file 1 of 3')).toEqual({
      phase: 'download',
      percent: 12.5,
      package: null,
      text: 'Retrieving file 1 of 3',
    });
    expect(parseAptStatusLine('pmstatus:homelab-demo:42.8571:Unpacking homelab-demo (all)')).toEqual({
      phase: 'install',
      percent: 42.9,
      package: 'homelab-demo',
      text: 'Unpacking homelab-demo (all)',
    });
    expect(parseAptStatusLine('pmstatus:libc6:amd64:50:Configuring libc6:amd64')).toMatchObject({
      percent: 50,
      package: 'libc6',
      text: 'Configuring libc6:amd64',
    });
    expect(parseAptStatusLine('Unpacking homelab-demo (1.1) over (1.0) ...')).toBeNull();
  });

  it('removes the status lines from the stream it shares, and splits chunks into lines', () => {
    expect(withoutStatusLines('E: oops\npmstatus:a:10:Installing a\nW: x')).toBe('E: oops\nW: x');
    const s = new LineSplitter();
    expect(s.push('pmstatus:a:1')).toEqual([]);
    expect(s.push('0:x\npmstat')).toEqual(['pmstatus:a:10:x']);
  });
});
