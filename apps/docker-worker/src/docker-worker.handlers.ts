import type { INestApplicationContext } from '@nestjs/common';
import { DOCKER_HANDLERS } from '@su/docker';
import { SelftestHandler, type JobHandler } from '@su/platform';

/** Every handler the docker-worker registers (one per job kind it owns; JobRunner checks the set at start). */
export function dockerWorkerHandlers(app: INestApplicationContext): JobHandler[] {
  return [
    new SelftestHandler('docker.selftest', 'docker-worker'),
    ...DOCKER_HANDLERS.map((h) => app.get(h)),
  ] as JobHandler[];
}
