import { Body, Controller, Get, Header, HttpCode, Inject, Post, Res, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AllowedWhilePasswordChangePending,
  AssistantMayCall,
  AuthService,
  ChangePasswordDto,
  ClientAddress,
  CurrentActor,
  CurrentPrincipal,
  LoginDto,
  LoginService,
  loginSessionView,
  NoMachineData,
  PasswordChangeService,
  Public,
  RequestIsSecure,
  RequireScope,
  SESSION_COOKIE,
  sessionCookieOptions,
  sessionUserOf,
  TooManyAttemptsException,
  unauthorized,
  type Principal,
} from '@su/auth';
import type { Actor } from '@su/contracts';

/** The part of Express's response the cookie needs (the gateway does not depend on Express's types). */
interface CookieResponse {
  cookie(name: string, value: string, options: ReturnType<typeof sessionCookieOptions>): unknown;
  clearCookie(name: string, options: ReturnType<typeof sessionCookieOptions>): unknown;
}

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(LoginService) private readonly logins: LoginService,
    @Inject(PasswordChangeService) private readonly passwords: PasswordChangeService,
  ) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Exchange username and password (and a TOTP code, when the user has a second factor) for a bearer token, also set as an HttpOnly SameSite=Strict cookie for browsers. Repeated failures answer 429 with Retry-After.',
  })
  async login(
    @Body() dto: LoginDto,
    @ClientAddress() address: string,
    @RequestIsSecure() secure: boolean,
    @Res({ passthrough: true }) res: CookieResponse,
  ) {
    const out = await this.logins.login({ ...dto, address });
    switch (out.kind) {
      case 'throttled':
        throw new TooManyAttemptsException(out.retryAfterSeconds, 'failed logins');
      case 'refused':
        throw new UnauthorizedException('wrong username or password');
      case 'totp_required':
        throw unauthorized('this user has a second factor: send totpCode', 'totp_required');
      case 'totp_invalid':
        throw unauthorized('wrong, expired or already used totpCode', 'totp_invalid');
    }
    res.cookie(SESSION_COOKIE, out.token, sessionCookieOptions(secure, out.expiresAt));
    return loginSessionView(out);
  }

  @Post('logout')
  @RequireScope('read')
  @NoMachineData()
  @AssistantMayCall()
  @AllowedWhilePasswordChangePending()
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'End this login session and clear its cookie. API tokens answer 400: an admin revokes them via /api-clients.',
  })
  async logout(
    @CurrentPrincipal() p: Principal,
    @RequestIsSecure() secure: boolean,
    @Res({ passthrough: true }) res: CookieResponse,
  ) {
    await this.auth.logout(p);
    res.clearCookie(SESSION_COOKIE, sessionCookieOptions(secure));
  }

  @Get('me')
  @NoMachineData()
  @AllowedWhilePasswordChangePending()
  @ApiBearerAuth()
  me(@CurrentPrincipal() p: Principal) {
    return {
      type: p.type,
      id: p.id,
      label: p.label,
      scopes: p.scopes,
      ...(p.type === 'user' ? { mustChangePassword: p.mustChangePassword ?? false } : {}),
    };
  }

  @Post('password')
  @RequireScope('read')
  @AllowedWhilePasswordChangePending()
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Change your own password (the current one is required). Every other session of yours ends; this one stays.',
  })
  async changePassword(
    @Body() dto: ChangePasswordDto,
    @CurrentPrincipal() p: Principal,
    @ClientAddress() address: string,
    @CurrentActor() actor: Actor,
  ) {
    const { userId, sessionId } = sessionUserOf(p);
    return this.passwords.change({ userId, sessionId, ...dto, address }, actor);
  }
}
