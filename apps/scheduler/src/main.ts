import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { JobRunner, runService } from '@su/platform';
import { SchedulerModule } from './scheduler.module.ts';

// Fires schedules and runs maintenance (issue 6). It owns no queue yet; registering an empty set still checks that
// no job kind is assigned to the scheduler without a handler.
await runService({
  service: 'scheduler',
  create: (platform, logger) => NestFactory.createApplicationContext(SchedulerModule.forRoot(platform), { logger }),
  afterStart: async (app, config) => {
    await app.get(JobRunner).start('scheduler', [], config.queue.workerConcurrency);
  },
});
