import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { DockerLogsService } from './docker-logs.service.ts';
import { DockerRegistriesService } from './docker-registries.service.ts';
import { DockerStacksService } from './docker-stacks.service.ts';

/** What the gateway needs of Docker: stacks and roots, registries, logs. */
@Module({
  imports: [MachineAccessModule],
  providers: [DockerStacksService, DockerRegistriesService, DockerLogsService],
  exports: [DockerStacksService, DockerRegistriesService, DockerLogsService],
})
export class DockerApiModule {}
