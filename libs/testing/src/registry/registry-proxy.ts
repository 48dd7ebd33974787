// A real HTTP reverse proxy in front of a registry that answers 429 (with the Retry-After it is given) to the first
// `limited` requests, then forwards (optionally without the digest header, or paginating tag lists). It records every request with the time it arrived and what it answered.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  path: string;
  at: number;
  status: number;
}

export interface RateLimitProxy {
  host: string;
  requests: ProxiedRequest[];
  /** Answers 429 to the next `count` requests with this Retry-After value (null: no header). */
  limitNext(count: number, retryAfter: string | null): void;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Drop Docker-Content-Digest from answers (a registry that does not send it on HEAD). */
  stripDigest?: boolean;
  /**
   * Serve `/v2/<name>/tags/list?n=&last=` in pages with a Link rel="next" header, as distribution 3 and Docker Hub
   * do: Debian's docker-registry 2.8 ignores `n` for tags and always answers the whole list.
   */
  paginateTags?: boolean;
  /** Address to listen on (default 127.0.0.1; a lab spec may give the lab bridge's). */
  listenHost?: string;
}

const TAGS_LIST = /^\/v2\/(.+)\/tags\/list(?:\?|$)/;

async function servePage(upstream: string, name: string, url: URL, res: ServerResponse): Promise<number> {
  const up = await fetch(`http://${upstream}/v2/${name}/tags/list`);
  if (!up.ok) {
    res.writeHead(up.status, { 'content-type': 'application/json' }).end(await up.text());
    return up.status;
  }
  const all = (((await up.json()) as { tags?: string[] }).tags ?? []).sort();
  const n = Number(url.searchParams.get('n') ?? all.length);
  const last = url.searchParams.get('last');
  const rest = last === null ? all : all.filter((t) => t > last);
  const page = rest.slice(0, n);
  const lastOfPage = page.at(-1);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (rest.length > page.length && lastOfPage !== undefined) {
    headers['link'] = `</v2/${name}/tags/list?last=${encodeURIComponent(lastOfPage)}&n=${n}>; rel="next"`;
  }
  res.writeHead(200, headers).end(JSON.stringify({ name, tags: page }));
  return 200;
}

export async function startRateLimitProxy(upstream: string, opts: ProxyOptions = {}): Promise<RateLimitProxy> {
  const requests: ProxiedRequest[] = [];
  let limited = 0;
  let retryAfter: string | null = null;
  const [upHost, upPort] = upstream.split(':') as [string, string];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const entry = { method: req.method ?? '', path: req.url ?? '', at: Date.now(), status: 0 };
    requests.push(entry);
    if (limited > 0) {
      limited--;
      entry.status = 429;
      res.writeHead(429, retryAfter === null ? {} : { 'retry-after': retryAfter }).end('too many requests');
      return;
    }
    const tags = TAGS_LIST.exec(entry.path);
    if (opts.paginateTags && req.method === 'GET' && tags?.[1]) {
      void servePage(upstream, tags[1], new URL(entry.path, 'http://x'), res).then((status) => (entry.status = status));
      return;
    }
    const up = request(
      {
        host: upHost,
        port: Number(upPort),
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream },
      },
      (upRes) => {
        entry.status = upRes.statusCode ?? 0;
        const headers = { ...upRes.headers };
        if (opts.stripDigest) delete headers['docker-content-digest'];
        res.writeHead(upRes.statusCode ?? 502, headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  const listenHost = opts.listenHost ?? '127.0.0.1';
  await new Promise<void>((r) => server.listen(0, listenHost, r));
  return {
    host: `${listenHost}:${(server.address() as AddressInfo).port}`,
    requests,
    limitNext: (count, value) => {
      limited = count;
      retryAfter = value;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
