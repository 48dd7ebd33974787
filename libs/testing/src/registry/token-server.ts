// A real token server for the registry's `auth: token` (the Docker token protocol): GET /token?service=&scope=
// answers a JWT signed (RS256) with a key whose self-signed certificate (made here with openssl) is the
// registry's rootcertbundle and rides in the token's x5c header. Credentials (Basic) give pull on any repository;
// anonymous requests get pull only under `public/`; wrong credentials get 401. Counts the tokens it issued.
import { execFileSync } from 'node:child_process';
import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundle: string;
  /** Token requests received: scope asked and whether credentials came with it. */
  requests: { scope: string; user: string | null; granted: boolean }[];
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function makeCertificate(dir: string): { key: string; certFile: string; certDer: string } {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=su-test-token-issuer',
    ],
    { stdio: 'ignore' },
  );
  const certDer = new X509Certificate(readFileSync(certFile)).raw.toString('base64');
  return { key: readFileSync(keyFile, 'utf8'), certFile, certDer };
}

function sign(key: string, certDer: string, claims: object): string {
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer] }));
  const payload = b64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(key);
  return `${header}.${payload}.${b64url(signature)}`;
}

function basicUser(req: IncomingMessage): { user: string; password: string } | null {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return null;
  const raw = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = raw.indexOf(':');
  return i < 0 ? null : { user: raw.slice(0, i), password: raw.slice(i + 1) };
}

export async function startTokenServer(
  dir: string,
  account: { username: string; password: string },
  opts: { expiresIn?: number; listenHost?: string } = {},
): Promise<TokenServer> {
  const { key, certFile, certDer } = makeCertificate(dir);
  const service = 'su-test-registry';
  const issuer = 'su-test-issuer';
  const requests: TokenServer['requests'] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scope = url.searchParams.get('scope') ?? '';
    const creds = basicUser(req);
    if (creds && (creds.user !== account.username || creds.password !== account.password)) {
      requests.push({ scope, user: creds.user, granted: false });
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const [, name = '', actions = ''] = scope.split(':');
    const granted = creds !== null || name.startsWith('public/');
    requests.push({ scope, user: creds?.user ?? null, granted });
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = opts.expiresIn ?? 300;
    const access = granted
      ? [{ type: 'repository', name, actions: actions.split(',').filter((a) => a === 'pull') }]
      : [];
    const token = sign(key, certDer, {
      iss: issuer,
      sub: creds?.user ?? '',
      aud: service,
      exp: now + expiresIn,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: expiresIn }));
  });
  const listenHost = opts.listenHost ?? '127.0.0.1';
  await new Promise<void>((r) => server.listen(0, listenHost, r));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://${listenHost}:${port}/token`,
    service,
    issuer,
    rootCertBundle: certFile,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
