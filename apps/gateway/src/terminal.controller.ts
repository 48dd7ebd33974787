import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { CurrentActor, RequireScope } from '@su/auth';
import type { Actor } from '@su/contracts';
import { TerminalSessionsService, TerminalSettingsDto, TerminalSettingsService } from '@su/terminal';

const uuid = new ParseUUIDPipe();

class TerminalSessionsQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() machineId?: string;
  @ApiPropertyOptional({ enum: ['open', 'closed'] }) @IsOptional() @IsIn(['open', 'closed']) status?:
    | 'open'
    | 'closed';
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

/**
 * The web SSH terminal's settings and recorded sessions (ADR 0043). The terminal itself is a WebSocket,
 * `GET /api/v1/machines/{id}/terminal` with `Upgrade: websocket`, handled by terminal-upgrade.ts.
 */
@ApiTags('terminal')
@ApiBearerAuth()
@Controller('api/v1')
export class TerminalController {
  constructor(
    @Inject(TerminalSettingsService) private readonly settings: TerminalSettingsService,
    @Inject(TerminalSessionsService) private readonly sessions: TerminalSessionsService,
  ) {}

  @Get('settings/terminal')
  @RequireScope('read')
  @ApiOperation({ summary: 'Whether web terminals may be opened, their idle timeout, maximum duration, input logging.' })
  getSettings() {
    return this.settings.get();
  }

  @Put('settings/terminal')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Turn the web terminal on or off and set its limits and input logging.' })
  setSettings(@Body() dto: TerminalSettingsDto, @CurrentActor() actor: Actor) {
    return this.settings.set(
      {
        enabled: dto.enabled,
        idleTimeoutSeconds: dto.idleTimeoutSeconds,
        maxDurationSeconds: dto.maxDurationSeconds,
        logInput: dto.logInput,
      },
      actor,
    );
  }

  @Get('terminal/sessions')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Web terminal sessions, newest first: who, when, how long, why each ended.' })
  list(@Query() q: TerminalSessionsQuery) {
    return this.sessions.list({
      ...(q.machineId ? { machineId: q.machineId } : {}),
      ...(q.status ? { status: q.status } : {}),
      limit: q.limit ?? 100,
    });
  }

  @Get('terminal/sessions/:id')
  @RequireScope('admin')
  get(@Param('id', uuid) id: string) {
    return this.sessions.find(id);
  }

  @Get('terminal/sessions/:id/commands')
  @RequireScope('admin')
  @ApiOperation({ summary: "A session's input lines (when its input logging was on); password-prompt input is never kept." })
  commands(@Param('id', uuid) id: string) {
    return this.sessions.commands(id);
  }

  @Post('terminal/sessions/:id/close')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({ summary: 'End an open terminal session (recorded as closed_by_admin).' })
  close(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    return this.sessions.close(id, actor);
  }
}
