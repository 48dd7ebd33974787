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

  it('reads the trusted reverse proxies (a hop count or addresses), and refuses anything else', () => {
    expect(loadConfig({}).http.trustProxy).toBeUndefined();
    expect(loadConfig({ SU_TRUST_PROXY: '1' }).http.trustProxy).toBe(1);
    expect(loadConfig({ SU_TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::1' }).http.trustProxy).toBe(
      'loopback, 10.0.0.0/8, fd00::1',
    );
    for (const bad of ['yes', '10.0.0.0/33', 'proxy.example'])
      expect(() => loadConfig({ SU_TRUST_PROXY: bad })).toThrow(/SU_TRUST_PROXY: must be a hop count/);
  });

  it('reads the telemetry settings: tracing off without an OTLP endpoint, a bad endpoint named', () => {
    expect(loadConfig({}).telemetry).toEqual({ otlpEndpoint: undefined, metricsPublishSeconds: 15 });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).telemetry.otlpEndpoint).toBeUndefined();
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', SU_METRICS_PUBLISH_SECONDS: '5' }).telemetry,
    ).toEqual({ otlpEndpoint: 'http://127.0.0.1:4318', metricsPublishSeconds: 5 });
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc:collector' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });

  it('warns on unknown SU_ variables and treats empty values as unset', () => {
    const c = loadConfig({ SU_HTTP_PROT: '1', DATABASE_URL: '' });
    expect(c.warnings).toEqual(['unknown variable SU_HTTP_PROT is ignored']);
    expect(c.databaseUrl).toBeUndefined();
  });

  it('reads login throttling and proxy trust, with safe defaults, and names a bad value', () => {
    const d = loadConfig({});
    expect(d.login).toEqual({
      freeFailures: 5,
      baseDelaySeconds: 1,
      maxDelaySeconds: 900,
      accountFreeFailures: 20,
      accountMaxDelaySeconds: 30,
      addressFreeFailures: 30,
      resetMinutes: 15,
    });
    expect(d.http.trustProxy).toBeUndefined();
    const c = loadConfig({ SU_LOGIN_ACCOUNT_MAX_DELAY_SECONDS: '5', SU_TRUST_PROXY: '1' });
    expect(c.login.accountMaxDelaySeconds).toBe(5);
    expect(c.http.trustProxy).toBe(1);
    expect(() => loadConfig({ SU_LOGIN_FREE_FAILURES: '0' })).toThrow(/SU_LOGIN_FREE_FAILURES/);
  });
});
