import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { JobRunner, runService } from '@su/platform';
import { dockerWorkerHandlers } from './docker-worker.handlers.ts';
import { DockerWorkerModule } from './docker-worker.module.ts';
import { startTracing } from '@su/telemetry-sdk';

// Consumes the docker.* queues: scan, check (registries, centrally), apply, prune.
await runService({
  service: 'docker-worker',
  tracing: startTracing,
  create: (platform, logger) => NestFactory.createApplicationContext(DockerWorkerModule.forRoot(platform), { logger }),
  afterStart: async (app, config, log) => {
    const kinds = await app
      .get(JobRunner)
      .start('docker-worker', dockerWorkerHandlers(app), config.queue.workerConcurrency);
    log.log(`consuming ${kinds.join(', ')}`);
  },
});
