import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration } from 'oidc-provider';

/** An account at the test provider: its id is the login typed into the provider's form and the token's `sub`. */
export interface TestAccount {
  preferredUsername: string;
  groups: string[];
}

export interface TestProvider {
  issuer: string;
  close: () => Promise<void>;
}

/**
 * A real OpenID Connect provider (`oidc-provider`, with its development login and consent pages) on 127.0.0.1 and
 * a random port, with one confidential client. Profile and group claims are released on the userinfo endpoint
 * (the provider's default), so the gateway must fetch them there.
 */
export async function startTestProvider(opts: {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accounts: Record<string, TestAccount>;
  /** Publish another key (same key id) than the one tokens are signed with, as a forger's provider would. */
  publishWrongKey?: boolean;
}): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], groups: ['groups'] },
    cookies: { keys: ['test-provider-cookie-key'] },
    jwks: { keys: [signingKey()] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    features: { devInteractions: { enabled: true } },
    findAccount: (_ctx, id) => {
      const account = opts.accounts[id];
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({ sub: id, preferred_username: account.preferredUsername, groups: account.groups }),
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  const handle = provider.callback();
  const wrongKeys = JSON.stringify({ keys: [publicPart(signingKey())] });
  server.on('request', (req, res) => {
    if (opts.publishWrongKey && req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/jwk-set+json' }).end(wrongKeys);
      return;
    }
    void handle(req, res);
  });
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function signingKey(): JsonWebKey & { kid: string } {
  return { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'k1' };
}

function publicPart(jwk: JsonWebKey & { kid: string }): Record<string, unknown> {
  return { kty: jwk.kty, n: jwk.n, e: jwk.e, kid: jwk.kid, use: 'sig', alg: 'RS256' };
}

export interface BrowserResponse {
  status: number;
  location: string | null;
  setCookies: string[];
  body: string;
  /** The parsed JSON answer; loosely typed on purpose, as the tests check its shape with expect(). */
  json: any;
  cacheControl: string | null;
}

/**
 * The browser side of the flow: a cookie jar per origin (paths ignored, expiry honoured), redirects followed by
 * hand, and a host map standing in for a TLS reverse proxy (the gateway's public URL → its test address).
 */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  constructor(private readonly hostMap: Record<string, string> = {}) {}

  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; accept?: string } = {},
  ): Promise<BrowserResponse> {
    const target = new URL(url);
    const cookies = this.jar.get(target.origin);
    const dialled = this.hostMap[target.origin]
      ? `${this.hostMap[target.origin]}${target.pathname}${target.search}`
      : url;
    const res = await fetch(dialled, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(cookies?.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(init.accept ? { accept: init.accept } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    const setCookies = res.headers.getSetCookie();
    this.store(target.origin, setCookies);
    const body = await res.text();
    const location = res.headers.get('location');
    return {
      status: res.status,
      location: location === null ? null : new URL(location, url).toString(),
      setCookies,
      body,
      json: (res.headers.get('content-type') ?? '').includes('json') && body ? JSON.parse(body) : null,
      cacheControl: res.headers.get('cache-control'),
    };
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  private store(origin: string, setCookies: string[]): void {
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const expired = attrs.some(
        (a) => /^max-age=(0|-\d+)$/i.test(a) || (/^expires=/i.test(a) && new Date(a.slice(8)).getTime() <= Date.now()),
      );
      if (expired) cookies.delete(name);
      else cookies.set(name, pair!.slice(eq + 1));
    }
    this.jar.set(origin, cookies);
  }
}

/** The one form of a provider page: its action and every named input's value. */
export function parseForm(html: string, pageUrl: string): { action: string; fields: Record<string, string> } {
  const form = /<form\b[^>]*\baction="([^"]*)"/i.exec(html);
  if (!form) throw new Error(`no form on ${pageUrl}: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of html.matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0])?.[1];
    if (name) fields[name] = /\bvalue="([^"]*)"/i.exec(input[0])?.[1] ?? '';
  }
  return { action: new URL(form[1]!.replaceAll('&amp;', '&'), pageUrl).toString(), fields };
}
