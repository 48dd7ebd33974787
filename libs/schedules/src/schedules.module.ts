import { Module } from '@nestjs/common';
import { RunsModule } from '@su/runs';
import { ScheduleFiringService } from './schedule-firing.service.ts';
import { SchedulerLeaderService } from './scheduler-leader.service.ts';
import { SchedulesService } from './schedules.service.ts';

@Module({ providers: [SchedulesService], exports: [SchedulesService] })
export class SchedulesModule {}

/** What the scheduler service runs: leader election, firing, maintenance tasks. */
@Module({
  imports: [RunsModule],
  providers: [ScheduleFiringService, SchedulerLeaderService],
  exports: [ScheduleFiringService, SchedulerLeaderService],
})
export class SchedulerCoreModule {}
