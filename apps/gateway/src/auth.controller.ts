import { Body, Controller, Get, HttpCode, Inject, Post, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AssistantMayCall,
  AuthService,
  CurrentPrincipal,
  LoginDto,
  loginSessionView,
  NoMachineData,
  Public,
  RequireScope,
  type Principal,
} from '@su/auth';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange username and password for a bearer token.' })
  async login(@Body() dto: LoginDto) {
    const res = await this.auth.login(dto.username, dto.password);
    if (!res) throw new UnauthorizedException('wrong username or password');
    return loginSessionView(res);
  }

  @Post('logout')
  @RequireScope('read')
  @NoMachineData()
  @AssistantMayCall()
  @HttpCode(204)
  @ApiBearerAuth()
  async logout(@CurrentPrincipal() p: Principal) {
    await this.auth.logout(p);
  }

  @Get('me')
  @NoMachineData()
  @ApiBearerAuth()
  me(@CurrentPrincipal() p: Principal) {
    return { type: p.type, id: p.id, label: p.label, scopes: p.scopes };
  }
}
