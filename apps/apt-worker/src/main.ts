import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { APT_HANDLERS } from '@su/apt';
import { MachineProbeHandler } from '@su/inventory';
import { RebootVerifiedHandler } from '@su/reboot';
import { JobRunner, runService, SelftestHandler } from '@su/platform';
import { AptWorkerModule } from './apt-worker.module.ts';

// Consumes the apt.*, machine.* and system.* queues (JOB_DEFINITIONS owners): probe, APT analyse/apply/maintenance,
// verified reboot.
await runService({
  service: 'apt-worker',
  create: (platform, logger) => NestFactory.createApplicationContext(AptWorkerModule.forRoot(platform), { logger }),
  afterStart: async (app, config, log) => {
    const kinds = await app
      .get(JobRunner)
      .start(
        'apt-worker',
        [
          new SelftestHandler('system.selftest', 'apt-worker'),
          app.get(MachineProbeHandler),
          ...APT_HANDLERS.map((h) => app.get(h)),
          app.get(RebootVerifiedHandler),
        ],
        config.queue.workerConcurrency,
      );
    log.log(`consuming ${kinds.join(', ')}`);
  },
});
