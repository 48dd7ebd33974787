import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { CurrentActor, CurrentMachineScope, ForJob, RequireScope, ScopeFiltered } from '@su/auth';
import { JOB_KINDS, JOB_STATUSES, MAX_PAGE_OFFSET, type Actor, type MachineScope } from '@su/contracts';
import { JobsService } from '@su/platform';
import { MaintenanceRunsService } from '@su/runs';

class ListJobsQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() machineId?: string;
  @ApiPropertyOptional({ enum: JOB_STATUSES }) @IsOptional() @IsIn(JOB_STATUSES) status?: string;
  @ApiPropertyOptional({ enum: JOB_KINDS }) @IsOptional() @IsIn(JOB_KINDS) kind?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() scheduleId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() requestId?: string;
  @ApiPropertyOptional({ description: 'Created at or after (ISO 8601).' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ description: 'Created before (ISO 8601).' }) @IsOptional() @IsISO8601() to?: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(MAX_PAGE_OFFSET) offset?: number;
}

class SelftestDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) echo?: string;
  @ApiPropertyOptional({ enum: ['apt-worker', 'docker-worker'], default: 'apt-worker' })
  @IsOptional()
  @IsIn(['apt-worker', 'docker-worker'])
  worker?: 'apt-worker' | 'docker-worker';
}

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/v1')
export class JobsController {
  constructor(
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(MaintenanceRunsService) private readonly maintenance: MaintenanceRunsService,
  ) {}

  @Get('jobs')
  @RequireScope('read')
  @ScopeFiltered()
  @ApiOperation({
    summary:
      'Jobs, newest first, as summaries: no payload or result (GET /jobs/:id has them). A machine-scoped client sees only the jobs of its machines.',
  })
  list(@Query() q: ListJobsQuery, @CurrentMachineScope() scope: MachineScope | null) {
    return this.jobs.list({
      scope,
      machineId: q.machineId,
      status: q.status,
      kind: q.kind,
      scheduleId: q.scheduleId,
      requestId: q.requestId,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      limit: q.limit ?? 50,
      offset: q.offset ?? 0,
    });
  }

  @Get('jobs/:id')
  @RequireScope('read')
  @ForJob()
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const job = await this.jobs.find(id);
    if (!job) throw new NotFoundException(`job ${id} not found`);
    return job;
  }

  @Get('jobs/:id/maintenance')
  @RequireScope('read')
  @ForJob()
  @ApiOperation({
    summary:
      'A maintenance run (job kind machine.maintenance): its parts, the part in progress, each part’s jobs and executions, and why a part was skipped.',
  })
  maintenanceRun(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.maintenance.get(id);
  }

  @Post('jobs/:id/cancel')
  @RequireScope('operate')
  @ForJob()
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel: a queued job at once; a running one stops its remote command and ends cancelled.' })
  cancel(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor) {
    return this.jobs.cancel(id, actor);
  }

  @Post('jobs/:id/retry')
  @RequireScope('operate')
  @ForJob()
  @ApiOperation({ summary: 'Run a failed or cancelled job again, as a new job linked to it.' })
  retry(@Param('id', new ParseUUIDPipe()) id: string, @CurrentActor() actor: Actor) {
    return this.jobs.retry(id, actor);
  }

  @Post('system/selftest')
  @RequireScope('operate')
  @ApiOperation({ summary: 'Queue a self-test job that a worker answers: proves API → queue → worker → jobs row.' })
  selftest(@Body() dto: SelftestDto, @CurrentActor() actor: Actor) {
    const kind = dto.worker === 'docker-worker' ? 'docker.selftest' : 'system.selftest';
    return this.jobs.enqueue({ kind, payload: dto.echo === undefined ? {} : { echo: dto.echo }, actor });
  }
}
