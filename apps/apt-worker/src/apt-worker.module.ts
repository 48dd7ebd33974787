import { Module, type DynamicModule } from '@nestjs/common';
import { AptJobsModule } from '@su/apt';
import { InventoryModule } from '@su/inventory';
import { RebootJobsModule } from '@su/reboot';
import { PlatformModule, type PlatformOptions } from '@su/platform';
import { PostInstallJobsModule } from '@su/post-install';
import { MaintenanceJobsModule, RunsModule } from '@su/runs';

@Module({})
export class AptWorkerModule {
  static forRoot(platform: PlatformOptions): DynamicModule {
    return {
      module: AptWorkerModule,
      imports: [
        PlatformModule.forService(platform),
        RunsModule,
        InventoryModule,
        AptJobsModule,
        RebootJobsModule,
        PostInstallJobsModule,
        MaintenanceJobsModule,
      ],
    };
  }
}
