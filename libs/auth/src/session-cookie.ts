import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { readCookie } from './oidc-browser-cookie.ts';

/**
 * The browser's login session (ADR 0019): the same `sus_` token a script gets as a bearer, carried in an HttpOnly
 * cookie so no script of the page can read it. SameSite=Strict keeps it off every cross-site request; the CSRF rule
 * below is the second lock. Secure whenever the request came over HTTPS (Express's `req.secure`, which believes
 * `X-Forwarded-Proto` only from the proxies `SU_TRUST_PROXY` names).
 */
export const SESSION_COOKIE = 'su_session';

/**
 * The header a cookie-authenticated unsafe request must carry. A page on another origin cannot add a custom header
 * to a cross-site request without a CORS preflight, which the gateway never grants: a forged form post or image
 * cannot send it.
 */
export const CSRF_HEADER = 'x-requested-with';

export interface SessionCookieOptions {
  httpOnly: true;
  sameSite: 'strict';
  secure: boolean;
  path: '/';
  expires?: Date;
}

/** What the login answer sets: the token, until the session's own expiry. */
export function sessionCookieOptions(secure: boolean, expires?: Date): SessionCookieOptions {
  return { httpOnly: true, sameSite: 'strict', secure, path: '/', ...(expires ? { expires } : {}) };
}

/** The session token from a `Cookie` header, or null. Only `sus_` tokens: API tokens never travel in cookies. */
export function sessionTokenOf(cookieHeader: string | string[] | undefined): string | null {
  const value = readCookie(typeof cookieHeader === 'string' ? cookieHeader : undefined, SESSION_COOKIE);
  return value && /^sus_[A-Za-z0-9_-]+$/.test(value) ? value : null;
}

/** Whether the request came over HTTPS (directly, or through a trusted proxy). */
export const RequestIsSecure = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): boolean => ctx.switchToHttp().getRequest<{ secure?: boolean }>().secure === true,
);
