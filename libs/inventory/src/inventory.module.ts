import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { HostMetricsHistoryService } from './host-metrics-history.service.ts';
import { HostMetricsSettingsService } from './host-metrics-settings.service.ts';
import { MachineProbeHandler } from './machine-probe.handler.ts';
import { MetricsSampleHandler } from './metrics-sample.handler.ts';
import { MetricsSampleScheduler } from './metrics-sample.scheduler.ts';

@Module({
  imports: [MachineAccessModule],
  providers: [MachineProbeHandler, MetricsSampleHandler, HostMetricsSettingsService],
  exports: [MachineProbeHandler, MetricsSampleHandler, HostMetricsSettingsService],
})
export class InventoryModule {}

/**
 * Host metrics without the SSH side (ADR 0044): the settings, the history reads (gateway) and the periodic pass
 * (scheduler).
 */
@Module({
  providers: [MetricsSampleScheduler, HostMetricsSettingsService, HostMetricsHistoryService],
  exports: [MetricsSampleScheduler, HostMetricsSettingsService, HostMetricsHistoryService],
})
export class HostMetricsModule {}
