import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { JobRunner, runService, workerConcurrency } from '@su/platform';
import { aptWorkerHandlers } from './apt-worker.handlers.ts';
import { AptWorkerModule } from './apt-worker.module.ts';
import { startTracing } from '@su/telemetry-sdk';

// Consumes the apt.*, machine.* and system.* queues (JOB_DEFINITIONS owners): probe, APT analyse/apply/maintenance,
// verified reboot.
await runService({
  service: 'apt-worker',
  tracing: startTracing,
  create: (platform, logger) => NestFactory.createApplicationContext(AptWorkerModule.forRoot(platform), { logger }),
  afterStart: async (app, config, log) => {
    const kinds = await app.get(JobRunner).start('apt-worker', aptWorkerHandlers(app), workerConcurrency(config));
    log.log(`consuming ${kinds.join(', ')}`);
  },
});
