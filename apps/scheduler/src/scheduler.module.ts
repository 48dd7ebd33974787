import { Module, type DynamicModule } from '@nestjs/common';
import { ApprovalsModule } from '@su/approvals';
import { HostMetricsModule } from '@su/inventory';
import { MaintenanceModule } from '@su/maintenance';
import { NotificationsModule } from '@su/notifications';
import { PlatformModule, type PlatformOptions } from '@su/platform';
import { RunsModule } from '@su/runs';
import { SchedulerCoreModule } from '@su/schedules';

@Module({})
export class SchedulerModule {
  static forRoot(platform: PlatformOptions): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [PlatformModule.forService(platform), RunsModule, SchedulerCoreModule, ApprovalsModule, NotificationsModule, MaintenanceModule, HostMetricsModule],
    };
  }
}
