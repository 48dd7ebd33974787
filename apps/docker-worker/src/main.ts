import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { JobRunner, runService, SelftestHandler } from '@su/platform';
import { DockerWorkerModule } from './docker-worker.module.ts';

// Consumes the docker.* queues.
await runService({
  service: 'docker-worker',
  create: (platform, logger) => NestFactory.createApplicationContext(DockerWorkerModule.forRoot(platform), { logger }),
  afterStart: async (app, config, log) => {
    const kinds = await app
      .get(JobRunner)
      .start(
        'docker-worker',
        [new SelftestHandler('docker.selftest', 'docker-worker')],
        config.queue.workerConcurrency,
      );
    log.log(`consuming ${kinds.join(', ')}`);
  },
});
