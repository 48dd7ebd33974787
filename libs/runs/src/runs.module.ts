import { Module } from '@nestjs/common';
import { MaintenanceRunsService } from './maintenance/maintenance-runs.service.ts';
import { RunJobCloseHook } from './run-close.hook.ts';
import { ScheduleRunAdvancer } from './schedule-run-advancer.service.ts';

/**
 * Runs: a schedule run's life and the action requests jobs carry out. Every service that closes jobs (workers, the
 * gateway's cancel, the scheduler's reconciler) imports it, so its close hook is registered with the runtime.
 */
@Module({
  providers: [ScheduleRunAdvancer, RunJobCloseHook, MaintenanceRunsService],
  exports: [ScheduleRunAdvancer, RunJobCloseHook, MaintenanceRunsService],
})
export class RunsModule {}
