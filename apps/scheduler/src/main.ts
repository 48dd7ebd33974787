import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { JobRunner, runService } from '@su/platform';
import { startSchedulerServices } from './scheduler.maintenance.ts';
import { SchedulerModule } from './scheduler.module.ts';
import { startTracing } from '@su/telemetry-sdk';

// Fires schedules and runs maintenance while it leads; several scheduler processes may run (one leads, the others
// stand by). It sends notifications (ADR 0035) but owns no job queue; registering an empty set still checks that
// no job kind is assigned to it.
await runService({
  service: 'scheduler',
  tracing: startTracing,
  create: (platform, logger) => NestFactory.createApplicationContext(SchedulerModule.forRoot(platform), { logger }),
  afterStart: async (app, config) => {
    await app.get(JobRunner).start('scheduler', [], config.queue.workerConcurrency);
    await startSchedulerServices(app, config);
  },
});
