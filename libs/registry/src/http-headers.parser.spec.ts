import { describe, expect, it } from 'vitest';
import { parseAuthChallenge, parseNextLink, parseRetryAfter } from './http-headers.parser.ts';

describe('parseAuthChallenge', () => {
  it('reads a Docker Hub style Bearer challenge', () => {
    expect(
      parseAuthChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/nginx:pull',
      },
    });
  });
  it('reads Basic with a realm, unquoted values and escapes', () => {
    expect(parseAuthChallenge('Basic realm="Registry \\"x\\""')).toEqual({
      scheme: 'basic',
      params: { realm: 'Registry "x"' },
    });
    expect(parseAuthChallenge('bearer realm=https://a/t, service=s')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://a/t', service: 's' },
    });
  });
  it('ignores schemes we do not speak and absent or oversized headers', () => {
    expect(parseAuthChallenge('Digest realm="x"')).toBeNull();
    expect(parseAuthChallenge(null)).toBeNull();
    expect(parseAuthChallenge('Bearer realm="' + 'x'.repeat(5000) + '"')).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 12:00:07 GMT', now)).toBe(7000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('returns null for absent or unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-1', now)).toBeNull();
  });
});

describe('parseNextLink', () => {
  const base = 'http://127.0.0.1:5000/v2/r/tags/list?n=2';
  it('resolves the rel="next" target against the request', () => {
    expect(parseNextLink('</v2/r/tags/list?last=b&n=2>; rel="next"', base)).toBe(
      'http://127.0.0.1:5000/v2/r/tags/list?last=b&n=2',
    );
    expect(parseNextLink('<https://x/a>; rel="prev", <https://x/b>; rel=next', base)).toBe('https://x/b');
  });
  it('returns null without a next link', () => {
    expect(parseNextLink(null, base)).toBeNull();
    expect(parseNextLink('<https://x/a>; rel="prev"', base)).toBeNull();
  });
});
