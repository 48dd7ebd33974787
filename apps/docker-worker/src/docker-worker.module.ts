import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type PlatformOptions } from '@su/platform';

@Module({})
export class DockerWorkerModule {
  static forRoot(platform: PlatformOptions): DynamicModule {
    return { module: DockerWorkerModule, imports: [PlatformModule.forService(platform)] };
  }
}
