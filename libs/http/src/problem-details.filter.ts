import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { allowedMethods, type RouterHolder } from './allowed-methods.ts';
import { problem, problemOf, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details.ts';

interface Req {
  method: string;
  path: string;
  route?: { path?: unknown };
}

interface Res {
  headersSent: boolean;
  setHeader(name: string, value: string): void;
  status(code: number): Res;
  end(body?: string): void;
}

/** A server fault for the log: its kind, the first line of its message (capped) and its frames, never a dump. */
function describeFault(e: unknown): string {
  if (!(e instanceof Error)) return typeof e;
  const first = (e.message.split('\n', 1)[0] ?? '').slice(0, 300);
  const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  return [`${e.name}: ${first}`, ...frames.slice(0, 15)].join('\n');
}

/**
 * The one error format: every error of every route (the guard, pipes, handlers, the body parser, unknown routes)
 * leaves as RFC 9457 problem details. A wrong method on a known path is a 405 with `Allow`. Client errors are not
 * logged (their messages never carry the client's values anyway); server faults are, without the query they ran.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpErrors');

  constructor(private readonly app: RouterHolder) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Req>();
    const res = host.switchToHttp().getResponse<Res>();
    // No route matched (Nest's not-found handler): its message would quote the URL.
    const thrown = problemOf(exception);
    const body = thrown.status === 404 && !req.route ? this.unmatched(req, res) : thrown;
    if (body.status >= 500) {
      const route = typeof req.route?.path === 'string' ? req.route.path : '(no route)';
      this.log.error(`${req.method} ${route} answered ${body.status}: ${describeFault(exception)}`);
    }
    if (res.headersSent) return res.end();
    if (body.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    res.setHeader('content-type', PROBLEM_CONTENT_TYPE);
    res.status(body.status).end(JSON.stringify(body));
  }

  private unmatched(req: Req, res: Res): ProblemDetails {
    const allow = allowedMethods(this.app, req.path);
    if (allow.length === 0) return problem(404, 'no resource at this path');
    res.setHeader('Allow', allow.join(', '));
    return problem(405, `this path answers ${allow.join(', ')} only`);
  }
}
