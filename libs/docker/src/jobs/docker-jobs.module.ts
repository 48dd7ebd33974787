import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { DockerApplyHandler } from './docker-apply.handler.ts';
import { DockerApplyService } from './docker-apply.service.ts';
import { DockerCheckHandler } from './docker-check.handler.ts';
import { DockerPruneHandler } from './docker-prune.handler.ts';
import { DockerScanHandler } from './docker-scan.handler.ts';
import { RegistryDigests } from './registry-digests.ts';

const HANDLERS = [DockerScanHandler, DockerCheckHandler, DockerApplyHandler, DockerPruneHandler];

@Module({
  imports: [MachineAccessModule],
  providers: [RegistryDigests, DockerApplyService, ...HANDLERS],
  exports: HANDLERS,
})
export class DockerJobsModule {}

export const DOCKER_HANDLERS = HANDLERS;
