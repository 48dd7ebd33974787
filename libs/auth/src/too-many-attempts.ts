import {
  createParamDecorator,
  HttpException,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, throwError, type Observable } from 'rxjs';

/** 429 for throttled password attempts; the interceptor below turns `retryAfterSeconds` into `Retry-After`. */
export class TooManyAttemptsException extends HttpException {
  constructor(
    readonly retryAfterSeconds: number,
    what: string,
  ) {
    super(
      {
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many ${what}; try again in ${retryAfterSeconds} s`,
      },
      429,
    );
  }
}

/** Sets `Retry-After` on the response of a TooManyAttemptsException (exception bodies cannot carry headers). */
@Injectable()
export class RetryAfterInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((e: unknown) => {
        if (e instanceof TooManyAttemptsException) {
          ctx
            .switchToHttp()
            .getResponse<{ setHeader(name: string, value: string): void }>()
            .setHeader('Retry-After', String(e.retryAfterSeconds));
        }
        return throwError(() => e);
      }),
    );
  }
}

/** The client address: the socket's, or X-Forwarded-For's as Express reads it under SU_TRUST_PROXY. */
export const ClientAddress = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<{ ip?: string; socket?: { remoteAddress?: string } }>();
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
});
