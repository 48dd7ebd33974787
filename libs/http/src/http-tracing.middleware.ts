import { markFailed, METRICS, SpanKind, withCarriedContext, withOpenSpan } from '@su/telemetry';

interface TracedRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  baseUrl?: string;
  route?: { path?: unknown };
}

interface TracedResponse {
  statusCode: number;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * The server span of each request (the root of the trace a job continues). Named by its route template
 * (`POST /api/v1/machines/:id/actions`), never the path or query, which may hold names or a token; a caller's
 * `traceparent` header is continued. Installed after the body parser: the parser resumes the chain from the
 * socket's events, which would lose the active span. Without an SDK it only counts 5xx answers.
 */
export function httpTracing(req: TracedRequest, res: TracedResponse, next: () => void): void {
  const carrier = { traceparent: header(req, 'traceparent'), tracestate: header(req, 'tracestate') };
  withCarriedContext(carrier, () =>
    withOpenSpan(
      `HTTP ${req.method}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } },
      (span) => {
        res.once('close', () => {
          const route = routeOf(req);
          if (route) {
            span.updateName(`${req.method} ${route}`);
            span.setAttribute('http.route', route);
          }
          span.setAttribute('http.response.status_code', res.statusCode);
          if (res.statusCode >= 500) {
            markFailed(span, 'internal_error');
            METRICS.errors.inc({ source: 'http', kind: 'internal_error' });
          }
          span.end();
        });
        next();
      },
    ),
  );
}

function header(req: TracedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function routeOf(req: TracedRequest): string | null {
  const path = req.route?.path;
  return typeof path === 'string' ? `${req.baseUrl ?? ''}${path}` : null;
}
