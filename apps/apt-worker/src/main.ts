import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { MachineProbeHandler } from '@su/inventory';
import { JobRunner, runService, SelftestHandler } from '@su/platform';
import { AptWorkerModule } from './apt-worker.module.ts';

// Consumes the apt.* and machine.* queues (see JOB_DEFINITIONS owners); APT handlers arrive with their issues.
await runService({
  service: 'apt-worker',
  create: (platform, logger) => NestFactory.createApplicationContext(AptWorkerModule.forRoot(platform), { logger }),
  afterStart: async (app, config, log) => {
    const kinds = await app.get(JobRunner).start('apt-worker', [new SelftestHandler('system.selftest', 'apt-worker'), app.get(MachineProbeHandler)], config.queue.workerConcurrency);
    log.log(`consuming ${kinds.join(', ')}`);
  },
});
