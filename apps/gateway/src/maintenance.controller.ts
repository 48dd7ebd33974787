import { Body, Controller, Get, Inject, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, RequireScope } from '@su/auth';
import type { Actor } from '@su/contracts';
import {
  CleanupRequestDto,
  CleanupService,
  RetentionSettingsDto,
  RetentionSettingsService,
  SystemMetricsQueryDto,
  SystemMetricsSampler,
} from '@su/maintenance';

@ApiTags('maintenance')
@ApiBearerAuth()
@Controller('api/v1/maintenance')
export class MaintenanceController {
  constructor(
    @Inject(RetentionSettingsService) private readonly retention: RetentionSettingsService,
    @Inject(CleanupService) private readonly cleanup: CleanupService,
    @Inject(SystemMetricsSampler) private readonly metrics: SystemMetricsSampler,
  ) {}

  @Get('retention')
  @RequireScope('read')
  getRetention() {
    return this.retention.get();
  }

  @Put('retention')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Set the retention rules the daily clean-up applies.' })
  setRetention(@Body() dto: RetentionSettingsDto, @CurrentActor() actor: Actor) {
    const { hostMetrics, terminal, ...rest } = dto;
    return this.retention.set(
      {
        ...rest,
        history: { ...dto.history },
        ...(hostMetrics ? { hostMetrics: { ...hostMetrics } } : {}),
        ...(terminal ? { terminal: { ...terminal } } : {}),
      },
      actor,
    );
  }

  @Post('cleanup')
  @RequireScope('admin')
  @ApiOperation({
    summary: 'Run the clean-up now: dry_run says what would go (counts and bytes), apply deletes exactly that.',
  })
  runCleanup(@Body() dto: CleanupRequestDto) {
    return this.cleanup.run(dto.mode, 'manual');
  }

  @Get('cleanup/runs')
  @RequireScope('read')
  cleanupRuns() {
    return this.cleanup.list(100);
  }

  @Get('system-metrics')
  @RequireScope('read')
  @ApiOperation({ summary: "The product's own health samples (CPU, memory per service, database, WAL, data directory)." })
  systemMetrics(@Query() q: SystemMetricsQueryDto) {
    const since = q.since ? new Date(q.since) : new Date(Date.now() - 86_400_000);
    return this.metrics.list(since, q.limit ?? 500);
  }
}
