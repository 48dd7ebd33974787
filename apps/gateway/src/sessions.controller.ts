import { Controller, Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, CurrentPrincipal, RequireScope, SessionsService, sessionUserOf, type Principal } from '@su/auth';
import type { Actor } from '@su/contracts';

/** The caller's own login sessions (any logged-in user). Another user's sessions are under /users/{id}/sessions. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('api/v1/auth/sessions')
@RequireScope('read')
export class SessionsController {
  constructor(@Inject(SessionsService) private readonly sessions: SessionsService) {}

  @Get()
  @ApiOperation({ summary: 'Your active sessions (created, last used, expiry, which one is this); never a token.' })
  list(@CurrentPrincipal() p: Principal) {
    const { userId, sessionId } = sessionUserOf(p);
    return this.sessions.list(userId, sessionId);
  }

  @Delete()
  @ApiOperation({ summary: 'End all your other sessions; this one stays.' })
  endOthers(@CurrentPrincipal() p: Principal, @CurrentActor() actor: Actor) {
    const { userId, sessionId } = sessionUserOf(p);
    return this.sessions.endAll(userId, actor, sessionId);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'End one of your sessions (this one too, like logout).' })
  async end(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() p: Principal,
    @CurrentActor() actor: Actor,
  ) {
    await this.sessions.end(sessionUserOf(p).userId, id, actor);
  }
}
