import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CurrentPrincipal,
  RequireScope,
  sessionUserOf,
  UserPreferencesDto,
  UserPreferencesService,
  UserPreferencesView,
  type Principal,
} from '@su/auth';

/** The caller's own web UI preferences (any logged-in user; API tokens have no user and answer 400). */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/v1/me/preferences')
@RequireScope('read')
export class PreferencesController {
  constructor(@Inject(UserPreferencesService) private readonly prefs: UserPreferencesService) {}

  @Get()
  @ApiOperation({ summary: 'Your web UI preferences (theme, density, language); the defaults until you save.' })
  @ApiOkResponse({ type: UserPreferencesView })
  get(@CurrentPrincipal() p: Principal) {
    return this.prefs.get(sessionUserOf(p).userId);
  }

  @Put()
  @ApiOperation({ summary: 'Save your web UI preferences (all three fields).' })
  @ApiOkResponse({ type: UserPreferencesView })
  put(@CurrentPrincipal() p: Principal, @Body() dto: UserPreferencesDto) {
    return this.prefs.put(sessionUserOf(p).userId, dto);
  }
}
