import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RouterHolder } from './allowed-methods.ts';
import { answerClientErrorsAsProblems } from './client-error.ts';
import { jsonBodyOptions } from './json-body.ts';
import { jsonOnly } from './json-only.middleware.ts';
import { ProblemDetailsFilter } from './problem-details.filter.ts';
import { RequestInputPipe } from './request-input.pipe.ts';
import { securityHeaders } from './security-headers.ts';
import { createValidationPipe } from './validation.pipe.ts';

/**
 * Everything between the socket and a controller, in order: Node's own refusals as problem details, security headers, JSON-only bodies capped in size and
 * depth before parsing, NUL/null refusal then whitelisting validation on every argument, and one error format.
 * The application must be created with `bodyParser: false` (this installs the only body parser).
 */
export function applyHttpEdge(app: NestExpressApplication): void {
  app.use(securityHeaders);
  app.use(jsonOnly);
  app.useBodyParser('json', jsonBodyOptions());
  app.useGlobalPipes(new RequestInputPipe(), createValidationPipe());
  // The router is read for 405s; its typings (by @types/express, when installed) do not name its route stack.
  app.useGlobalFilters(new ProblemDetailsFilter(app.getHttpAdapter().getInstance() as unknown as RouterHolder));
  answerClientErrorsAsProblems(app.getHttpServer());
}
