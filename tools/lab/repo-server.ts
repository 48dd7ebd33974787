// The lab repository's web server (ADR 0058): serves the lab's APT archives as a Debian mirror does — a
// Last-Modified on every file, apt's If-Modified-Since answered 304, connections kept alive — so that apt's refresh
// takes its normal "Hit" path when nothing changed, as against a real mirror. busybox httpd, used before, ignores
// If-Modified-Since: every refresh fetched the Release files again. (apt rebuilds its caches after every refresh
// either way; ADR 0058 measured it.)
// Usage: node repo-server.ts HOST PORT ROOT   (stdout: the address listened on, then one line per request: method,
// path, status)
import { createServer } from 'node:http';
import serveStatic from 'serve-static';

const [host, port, root] = process.argv.slice(2);
if (!host || !port || !root) {
  console.error('usage: repo-server.ts HOST PORT ROOT');
  process.exit(2);
}

// No index pages, no directory redirects: a mirror's clients ask for files only. `send` answers conditional and
// range requests.
const serve = serveStatic(root, { index: false, redirect: false, cacheControl: false, fallthrough: true });

const server = createServer((req, res) => {
  res.on('finish', () => console.log(`${req.method ?? '?'} ${req.url ?? '?'} ${res.statusCode}`));
  serve(req, res, () => {
    res.statusCode = 404;
    res.end();
  });
});
// Port 0 takes a free one; the first line says which (the test reads it).
server.listen(Number(port), host, () => {
  const a = server.address();
  console.log(`listening on ${typeof a === 'object' && a ? `${a.address}:${a.port}` : String(a)}`);
});
