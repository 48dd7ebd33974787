import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CreateUserDto,
  CurrentActor,
  CurrentPrincipal,
  RequireScope,
  SessionsService,
  UpdateUserDto,
  UsersService,
  type Principal,
} from '@su/auth';
import type { Actor } from '@su/contracts';

/** Users and their sessions, managed by admins (people, or admin API tokens without a machine scope). */
@ApiTags('users')
@ApiBearerAuth()
@Controller('api/v1/users')
@RequireScope('admin')
export class UsersController {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SessionsService) private readonly sessions: SessionsService,
  ) {}

  @Get()
  list() {
    return this.users.list();
  }

  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Create a user with a role (admin, operator, viewer). A generated password is in this response only; the user must change it at first login.',
  })
  async create(@Body() dto: CreateUserDto, @CurrentActor() actor: Actor) {
    const { user, generatedPassword } = await this.users.create(dto, actor);
    return generatedPassword === null ? user : { ...user, password: generatedPassword };
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a user's role (the last active admin keeps theirs)." })
  setRole(@Param('id', new ParseUUIDPipe()) id: string, @Body() dto: UpdateUserDto, @CurrentActor() actor: Actor) {
    return this.users.setRole(id, dto.role, actor);
  }

  @Post(':id/deactivate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Deactivate a user: their sessions end and they can no longer log in.' })
  deactivate(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor) {
    return this.users.deactivate(id, actor);
  }

  @Get(':id/sessions')
  @ApiOperation({ summary: "A user's active sessions." })
  listSessions(@Param('id', new ParseUUIDPipe()) id: string, @CurrentPrincipal() p: Principal) {
    return this.sessions.list(id, p.sessionId);
  }

  @Delete(':id/sessions')
  @ApiOperation({ summary: "End all of a user's sessions (except the caller's own, when it is theirs)." })
  endSessions(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() p: Principal,
    @CurrentActor() actor: Actor,
  ) {
    return this.sessions.endAll(id, actor, p.type === 'user' && p.id === id ? p.sessionId : undefined);
  }

  @Delete(':id/sessions/:sessionId')
  @HttpCode(204)
  @ApiOperation({ summary: "End one of a user's sessions." })
  async endSession(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('sessionId', new ParseUUIDPipe()) sessionId: string,
    @CurrentActor() actor: Actor,
  ) {
    await this.sessions.end(id, sessionId, actor);
  }
}
