import { describe, expect, it } from 'vitest';
import { parseImageReference, registryApiHost } from './image-reference.ts';

const D = 'sha256:' + 'a'.repeat(64);

function ok(input: string) {
  const r = parseImageReference(input);
  if (!r.ok) throw new Error(`expected ${input} to parse: ${r.reason}`);
  return r.reference;
}

describe('parseImageReference (Docker normalization)', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', 'latest', null, 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io', 'library/nginx', '1.25', null, 'docker.io/library/nginx:1.25'],
    ['library/nginx', 'docker.io', 'library/nginx', 'latest', null, 'docker.io/library/nginx:latest'],
    ['index.docker.io/nginx', 'docker.io', 'library/nginx', 'latest', null, 'docker.io/library/nginx:latest'],
    ['docker.io/o/r:t', 'docker.io', 'o/r', 't', null, 'docker.io/o/r:t'],
    ['grafana/grafana:11.0.0', 'docker.io', 'grafana/grafana', '11.0.0', null, 'docker.io/grafana/grafana:11.0.0'],
    ['ghcr.io/o/r:tag', 'ghcr.io', 'o/r', 'tag', null, 'ghcr.io/o/r:tag'],
    ['localhost/r', 'localhost', 'r', 'latest', null, 'localhost/r:latest'],
    [
      'localhost:5000/a/b_c__d-e.f',
      'localhost:5000',
      'a/b_c__d-e.f',
      'latest',
      null,
      'localhost:5000/a/b_c__d-e.f:latest',
    ],
    [`host:5000/r@${D}`, 'host:5000', 'r', null, D, `host:5000/r@${D}`],
    [`r:tag@${D}`, 'docker.io', 'library/r', 'tag', D, `docker.io/library/r:tag@${D}`],
    ['10.213.3.1:5000/lab/app:1.0', '10.213.3.1:5000', 'lab/app', '1.0', null, '10.213.3.1:5000/lab/app:1.0'],
  ])('%s', (input, registry, repository, tag, digest, canonical) => {
    expect(ok(input)).toEqual({ registry, repository, tag, digest, canonical });
  });

  it.each([
    ['', 'empty'],
    ['Nginx', 'lowercase'],
    ['nginx:', 'tag'],
    ['nginx:-x', 'tag'],
    ['a'.repeat(64), 'image id'],
    ['nginx@sha256:abc', 'sha256'],
    ['nginx@md5:' + 'a'.repeat(32), 'sha256'],
    ['host:port/r', 'port'],
    ['-host.io/r', 'host'],
    ['a//b', 'component'],
    ['a/b-', 'component'],
    ['a b', 'component'],
    ['a'.repeat(300), 'longer'],
    ['x'.repeat(600), 'too long'],
  ])('rejects %j with a reason mentioning %s', (input, reason) => {
    const r = parseImageReference(input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toContain(reason);
      if (input.length > 3) expect(r.reason).not.toContain(input);
    }
  });

  it('answers quickly on a name built to make a backtracking parser hang (the reason for not using the npm port)', () => {
    // No timing assertion: the point is that this returns at all (a backtracking regex does not within the test timeout).
    expect(parseImageReference('a'.repeat(250) + '!').ok).toBe(false);
    expect(parseImageReference('a-'.repeat(120) + '!').ok).toBe(false);
  });

  it('names the API host of Docker Hub', () => {
    expect(registryApiHost('docker.io')).toBe('registry-1.docker.io');
    expect(registryApiHost('ghcr.io')).toBe('ghcr.io');
  });
});
