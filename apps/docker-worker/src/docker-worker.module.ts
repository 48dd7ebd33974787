import { Module, type DynamicModule } from '@nestjs/common';
import { DockerJobsModule } from '@su/docker';
import { PlatformModule, type PlatformOptions } from '@su/platform';
import { RunsModule } from '@su/runs';

@Module({})
export class DockerWorkerModule {
  static forRoot(platform: PlatformOptions): DynamicModule {
    return { module: DockerWorkerModule, imports: [PlatformModule.forService(platform), RunsModule, DockerJobsModule] };
  }
}
