// The reverse proxy of the lab's compose test (apps/gateway/src/containers.lab-spec.ts, docs/adr/0036): in front of
// the gateway replicas, it sends each request to the next address Docker's DNS gives for UPSTREAM (round robin), skips
// one that refuses the connection (a stopped gateway), streams responses as they come (Server-Sent Events included),
// and names the replica that answered in `x-upstream`. Node only, so it runs from the project's own image; production
// puts its own TLS proxy (nginx, Caddy, HAProxy…) there instead (README, "TLS").
import { lookup } from 'node:dns/promises';
import http from 'node:http';

const [host, port] = (process.env.UPSTREAM ?? 'gateway:8080').split(':');
const listen = Number(process.env.PROXY_PORT ?? 8080);
let next = 0;

async function upstreams() {
  return (await lookup(host, { all: true, family: 4 })).map((a) => a.address).sort();
}

function forward(req, res, body, addrs, start, attempt) {
  const addr = addrs[(start + attempt) % addrs.length];
  const up = http.request({ host: addr, port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
    res.writeHead(ur.statusCode ?? 502, { ...ur.headers, 'x-upstream': addr });
    res.flushHeaders();
    ur.pipe(res);
    // The replica went away mid-response (an event stream): end the client's too, so it reconnects.
    ur.on('aborted', () => res.destroy());
    ur.on('error', () => res.destroy());
  });
  up.on('error', () => {
    if (res.headersSent) res.destroy();
    else if (attempt + 1 < addrs.length) forward(req, res, body, addrs, start, attempt + 1);
    else res.writeHead(502, { 'content-type': 'text/plain' }).end('no gateway answers\n');
  });
  res.on('close', () => up.destroy());
  up.end(body);
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      let addrs;
      try {
        addrs = await upstreams();
      } catch {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('no gateway resolves\n');
        return;
      }
      forward(req, res, Buffer.concat(chunks), addrs, next++, 0);
    });
  })
  .listen(listen, '0.0.0.0');
