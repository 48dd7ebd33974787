import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, ForMachine, RequireScope } from '@su/auth';
import type { Actor } from '@su/contracts';
import {
  HostMetricsHistoryService,
  HostMetricsQueryDto,
  HostMetricsSettingsDto,
  HostMetricsSettingsService,
} from '@su/inventory';

/** Host metrics over time (issue 20, ADR 0044): a machine's history and the fleet's sampling settings. */
@ApiTags('host-metrics')
@ApiBearerAuth()
@Controller('api/v1')
export class HostMetricsController {
  constructor(
    @Inject(HostMetricsHistoryService) private readonly history: HostMetricsHistoryService,
    @Inject(HostMetricsSettingsService) private readonly settings: HostMetricsSettingsService,
  ) {}

  @Get('machines/:id/metrics')
  @RequireScope('read')
  @ForMachine()
  @ApiOperation({
    summary:
      "A machine's CPU load, memory, disk use per file system and uptime over [from, to), each point the average of its bucket.",
  })
  machine(@Param('id', new ParseUUIDPipe()) id: string, @Query() q: HostMetricsQueryDto) {
    return this.history.history(id, q);
  }

  @Get('settings/host-metrics')
  @RequireScope('read')
  getSettings() {
    return this.settings.get();
  }

  @Put('settings/host-metrics')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Set the periodic sample interval (0: off) and the disk-use threshold of the disk message.' })
  setSettings(@Body() dto: HostMetricsSettingsDto, @CurrentActor() actor: Actor) {
    return this.settings.set(
      { sampleIntervalSeconds: dto.sampleIntervalSeconds, diskThresholdPercent: dto.diskThresholdPercent },
      actor,
    );
  }
}
