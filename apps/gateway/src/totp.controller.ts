import { Body, Controller, Header, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ClientAddress,
  CurrentActor,
  CurrentPrincipal,
  RequireScope,
  sessionUserOf,
  TotpConfirmDto,
  TotpDisableDto,
  TotpEnrollDto,
  TotpService,
  type Principal,
} from '@su/auth';
import type { Actor } from '@su/contracts';

/** The caller's optional second factor (TOTP, any authenticator app). */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/v1/auth/totp')
@RequireScope('read')
export class TotpController {
  constructor(@Inject(TotpService) private readonly totp: TotpService) {}

  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Start enrolment: returns the secret and its otpauth:// URI once (stored encrypted). Login needs codes only after POST /auth/totp/confirm.',
  })
  enroll(@Body() dto: TotpEnrollDto, @CurrentPrincipal() p: Principal, @ClientAddress() address: string) {
    return this.totp.enroll(sessionUserOf(p).userId, dto.password, address);
  }

  @Post('confirm')
  @HttpCode(204)
  @ApiOperation({ summary: 'Confirm enrolment with a code from the app; from now on login asks for a code.' })
  async confirm(@Body() dto: TotpConfirmDto, @CurrentPrincipal() p: Principal, @CurrentActor() actor: Actor) {
    await this.totp.confirm(sessionUserOf(p).userId, dto.code, actor);
  }

  @Post('disable')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove the second factor (password and a current code required).' })
  async disable(
    @Body() dto: TotpDisableDto,
    @CurrentPrincipal() p: Principal,
    @ClientAddress() address: string,
    @CurrentActor() actor: Actor,
  ) {
    await this.totp.disable(sessionUserOf(p).userId, dto.password, dto.code, address, actor);
  }
}
