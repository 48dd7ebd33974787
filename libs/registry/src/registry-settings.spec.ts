import { describe, expect, it } from 'vitest';
import { normalizeRegistryName, resolveRegistry, type RegistrySettings } from './registry-settings.ts';

describe('registry settings', () => {
  it("treats Docker Hub's other names as docker.io", () => {
    expect(normalizeRegistryName('registry-1.docker.io')).toBe('docker.io');
    expect(normalizeRegistryName('Index.Docker.io')).toBe('docker.io');
    expect(normalizeRegistryName('ghcr.io')).toBe('ghcr.io');
  });

  it('is HTTPS with the default budget unless configured; plain HTTP only when insecure', () => {
    const configured = new Map<string, RegistrySettings>([
      ['10.0.0.5:5000', { registry: '10.0.0.5:5000', insecure: true, requestBudget: 7 }],
    ]);
    expect(resolveRegistry('docker.io', configured, 200)).toEqual({
      registry: 'docker.io',
      baseUrl: 'https://registry-1.docker.io',
      insecure: false,
      credentials: null,
      requestBudget: 200,
    });
    expect(resolveRegistry('10.0.0.5:5000', configured, 200)).toMatchObject({
      baseUrl: 'http://10.0.0.5:5000',
      requestBudget: 7,
    });
  });
});
