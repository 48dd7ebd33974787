import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('applies defaults', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(8080);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.queue.listenNotify).toBe(true);
  });

  it('names every bad variable and why', () => {
    let err: unknown;
    try {
      loadConfig({ SU_HTTP_PORT: '70000', DATABASE_URL: 'mysql://x', SU_MASTER_KEY: 'short' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as ConfigError).message;
    expect(msg).toMatch(/SU_HTTP_PORT/);
    expect(msg).toMatch(/DATABASE_URL: must be a postgres/);
    expect(msg).toMatch(/SU_MASTER_KEY: must be 32 bytes/);
  });

  it('warns on unknown SU_ variables and treats empty values as unset', () => {
    const c = loadConfig({ SU_HTTP_PROT: '1', DATABASE_URL: '' });
    expect(c.warnings).toEqual(['unknown variable SU_HTTP_PROT is ignored']);
    expect(c.databaseUrl).toBeUndefined();
  });
});
