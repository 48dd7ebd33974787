import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Database, LiveEventsRepository } from '@su/db';
import { JobRunner, MachineLockService, runService } from '@su/platform';
import { SchedulerLeaderService } from '@su/schedules';
import { SchedulerModule } from './scheduler.module.ts';

// Fires schedules and runs maintenance while it leads; several scheduler processes may run (one leads, the others
// stand by). It owns no queue; registering an empty set still checks that no job kind is assigned to it.
await runService({
  service: 'scheduler',
  create: (platform, logger) => NestFactory.createApplicationContext(SchedulerModule.forRoot(platform), { logger }),
  afterStart: async (app, config) => {
    await app.get(JobRunner).start('scheduler', [], config.queue.workerConcurrency);
    const leader = app.get(SchedulerLeaderService);
    const db = app.get(Database);
    const locks = app.get(MachineLockService);
    leader.addTask('reclaim expired machine locks', 15_000, () => locks.reconcileExpired());
    leader.addTask('prune live events', 10 * 60_000, () =>
      new LiveEventsRepository(db.prisma).deleteOlderThan(
        new Date(Date.now() - config.liveEventsRetentionHours * 3600_000),
      ),
    );
    leader.start();
  },
});
