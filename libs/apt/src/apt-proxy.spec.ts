import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APT_PROXY_URL } from '@su/contracts';
import { analysisScript } from './analysis.script.ts';
import { aptUpdateArgv, applyUpgradeArgv, simulateArgv } from './apt-commands.ts';
import { APT_PROXY_CONF_PATH, proxyConfContent, proxyFileScript, proxyOptions } from './apt-proxy.ts';

const URL = 'http://10.0.0.1:3142/';

describe('APT proxy', () => {
  it('runtime mode names the proxy on the commands that fetch, and only there', () => {
    const proxy = { mode: 'runtime' as const, url: URL };
    expect(aptUpdateArgv({ lockTimeoutSeconds: 5, proxy })).toEqual([
      'env',
      'LC_ALL=C',
      'apt-get',
      '-o',
      'DPkg::Lock::Timeout=5',
      '-o',
      `Acquire::http::Proxy=${URL}`,
      'update',
    ]);
    expect(applyUpgradeArgv({ proxy })).toContain(`Acquire::http::Proxy=${URL}`);
    expect(simulateArgv('upgrade').join(' ')).not.toContain('Proxy');
    for (const mode of ['direct', 'persistent'] as const)
      expect(applyUpgradeArgv({ proxy: { mode, url: URL } }).join(' ')).not.toContain('Proxy');
  });

  it('persistent mode writes our file with fixed content; other modes remove it', () => {
    expect(proxyConfContent(URL)).toContain(`Acquire::http::Proxy "${URL}";`);
    expect(proxyFileScript({ mode: 'direct', url: URL })).toBe(`rm -f ${APT_PROXY_CONF_PATH}`);
    expect(proxyFileScript({ mode: 'runtime', url: URL })).toBe(`rm -f ${APT_PROXY_CONF_PATH}`);
    expect(analysisScript({ proxy: { mode: 'persistent', url: URL } })).toContain(APT_PROXY_CONF_PATH);
    expect(analysisScript({})).not.toContain(APT_PROXY_CONF_PATH);
  });

  it('the persistent script, run by a real shell, writes exactly the content', () => {
    const dir = mkdtempSync(join(tmpdir(), 'apt-proxy-'));
    const script = proxyFileScript({ mode: 'persistent', url: URL }).replaceAll(APT_PROXY_CONF_PATH, join(dir, 'f'));
    execFileSync('sh', ['-c', script]);
    expect(readFileSync(join(dir, 'f'), 'utf8')).toBe(proxyConfContent(URL));
  });

  it('refuses a URL with user info, quotes, spaces, a path or another scheme, even when stored', () => {
    for (const bad of [
      'http://user:secret@proxy:3142/',
      'http://proxy:3142/"; evil',
      "http://proxy'x/",
      'http://proxy 3142/',
      'http://proxy:3142/path',
      'https://proxy:3142/',
      'ftp://proxy/',
      'http://',
    ]) {
      expect(APT_PROXY_URL.test(bad)).toBe(false);
      expect(() => proxyOptions({ mode: 'runtime', url: bad })).toThrow('invalid apt proxy url');
      expect(() => proxyFileScript({ mode: 'persistent', url: bad })).toThrow('invalid apt proxy url');
    }
    for (const good of [URL, 'http://apt-cache.home.arpa:3142', 'http://[fd00::1]:3142/', 'http://cache/'])
      expect(APT_PROXY_URL.test(good)).toBe(true);
    expect(() => proxyOptions({ mode: 'runtime', url: null })).toThrow();
  });
});
