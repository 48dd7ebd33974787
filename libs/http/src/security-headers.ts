import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

type Middleware = (req: IncomingMessage & { path: string }, res: ServerResponse, next: (e?: unknown) => void) => void;

/** The API serves JSON only: nothing in it may load, run or frame anything. */
const apiHeaders = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

/**
 * The OpenAPI page runs Swagger UI from its own files: helmet's default policy (same-origin scripts) fits it, less
 * `upgrade-insecure-requests`, which would break the page served over plain HTTP on a LAN (no TLS proxy).
 */
const docsHeaders = helmet({
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

/**
 * The web UI (ADR 0019): scripts, fonts, images and connections from its own origin only — no inline script, no eval,
 * nothing framed, no plugin. Styles allow inline: the component library sets CSS variables in a `<style>` element and
 * `style` attributes, which cannot run code.
 */
const uiHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
});

const isDocsPage = (path: string) => path === '/api/docs' || path.startsWith('/api/docs/');
/** Everything the API answers (the MCP endpoint included); the rest of the origin is the web UI's. */
export const isApiPath = (path: string) =>
  path === '/api' ||
  path === '/mcp' ||
  path.startsWith('/mcp/') ||
  path.startsWith('/api/') ||
  path === '/health' ||
  path.startsWith('/health/') ||
  path === '/ready' ||
  path.startsWith('/ready/') ||
  path === '/metrics';

const headersFor = (path: string) => (isDocsPage(path) ? docsHeaders : isApiPath(path) ? apiHeaders : uiHeaders);

/**
 * Security headers on every response (nosniff, frame denial, referrer policy, CSP), and `no-store` on every response:
 * tokens travel in API responses (login, API client creation), and nothing this API answers is worth caching.
 */
export const securityHeaders: Middleware = (req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  headersFor(req.path)(req, res, next);
};
