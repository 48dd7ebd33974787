import { Controller, Get, Headers, Inject, Req, Res } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiSeeOtherResponse, ApiTags } from '@nestjs/swagger';
import {
  loginSessionView,
  OIDC_BROWSER_COOKIE,
  OidcLoginService,
  Public,
  readCookie,
  SESSION_COOKIE,
  sessionCookieOptions,
  type BrowserCookie,
} from '@su/auth';

/** The few parts of Express's response these routes use (the gateway does not depend on Express's types). */
interface OidcResponse {
  cookie(name: string, value: string, options: BrowserCookie['options']): unknown;
  cookie(name: string, value: string, options: ReturnType<typeof sessionCookieOptions>): unknown;
  clearCookie(name: string, options: { path: string }): unknown;
  json(body: unknown): unknown;
  redirect(status: number, url: string): void;
  setHeader(name: string, value: string): unknown;
}

@ApiTags('auth')
@Controller('api/v1/auth/oidc')
export class OidcController {
  constructor(@Inject(OidcLoginService) private readonly oidc: OidcLoginService) {}

  @Get('login')
  @Public()
  @ApiOperation({
    summary: 'Start a sign-in through the configured OpenID Connect provider (404 when none is configured).',
  })
  @ApiFoundResponse({ description: 'Redirect to the provider; sets an HttpOnly cookie binding the sign-in.' })
  async login(@Res() res: OidcResponse): Promise<void> {
    const { redirectUrl, cookie } = await this.oidc.start();
    res.setHeader('Cache-Control', 'no-store');
    res.cookie(cookie.name, cookie.value, cookie.options);
    res.redirect(302, redirectUrl);
  }

  @Get('callback')
  @Public()
  @ApiOperation({
    summary:
      'Where the provider sends the browser back: completes the sign-in. A browser (Accept: text/html) gets the session cookie and a 303 to the web UI; other callers get the session as JSON, like POST /auth/login.',
  })
  @ApiQuery({ name: 'code', required: false, type: String })
  @ApiQuery({ name: 'state', required: true, type: String })
  @ApiOkResponse({ description: 'The session: a bearer token shown once, its expiry and the user.' })
  @ApiSeeOtherResponse({ description: 'Signed in: the session cookie is set and the browser goes to the web UI.' })
  async callback(
    @Req() req: { originalUrl: string; secure?: boolean },
    @Headers('cookie') cookies: string | undefined,
    @Headers('accept') accept: string | undefined,
    @Res() res: OidcResponse,
  ): Promise<void> {
    // Set before anything can fail: the answer may carry a token, and the pending sign-in is single-use either way.
    res.setHeader('Cache-Control', 'no-store');
    res.clearCookie(OIDC_BROWSER_COOKIE, { path: this.oidc.browserCookiePath() });
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    const session = await this.oidc.finish(query, readCookie(cookies, OIDC_BROWSER_COOKIE));
    if (!accept?.includes('text/html')) {
      res.json(loginSessionView(session));
      return;
    }
    // ADR 0017's web UI takeover (ADR 0019): the token goes into the HttpOnly cookie only, never into the page.
    res.cookie(SESSION_COOKIE, session.token, sessionCookieOptions(req.secure === true, session.expiresAt));
    res.redirect(303, '/');
  }
}
