import { Module } from '@nestjs/common';
import { CleanupService } from './cleanup.service.ts';
import { RetentionSettingsService } from './retention-settings.service.ts';
import { SystemMetricsSampler } from './system-metrics.sampler.ts';

/** Retention and clean-up runs, system metrics (issue 16, ADR 0035). */
@Module({
  providers: [RetentionSettingsService, CleanupService, SystemMetricsSampler],
  exports: [RetentionSettingsService, CleanupService, SystemMetricsSampler],
})
export class MaintenanceModule {}
