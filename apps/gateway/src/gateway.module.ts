import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ApprovalsModule } from '@su/approvals';
import { AssistantModule } from '@su/assistant';
import { AuthGuard, AuthModule, RetryAfterInterceptor } from '@su/auth';
import { DiscoveryModule } from '@su/discovery';
import { DockerApiModule } from '@su/docker';
import { HostMetricsModule } from '@su/inventory';
import { MachineAccessModule } from '@su/machine-access';
import { MachinesModule } from '@su/machines';
import { MaintenanceModule } from '@su/maintenance';
import { NotificationsModule } from '@su/notifications';
import { PostInstallModule } from '@su/post-install';
import { RunsModule } from '@su/runs';
import { SchedulesModule } from '@su/schedules';
import { TerminalModule } from '@su/terminal';
import { LiveEventsService, PlatformModule, ReadinessService, type PlatformOptions } from '@su/platform';
import { ActionRequestsController } from './action-requests.controller.ts';
import { ApiClientsController } from './api-clients.controller.ts';
import { ApprovalSettingsController } from './approval-settings.controller.ts';
import { AuthController } from './auth.controller.ts';
import { HealthController } from './health.controller.ts';
import { DockerController } from './docker.controller.ts';
import { EventsController } from './events.controller.ts';
import { JobsController } from './jobs.controller.ts';
import { MachineAccessController } from './machine-access.controller.ts';
import { MachineHistoryController } from './machine-history.controller.ts';
import { StatsController } from './stats.controller.ts';
import { MetricsController } from './metrics.controller.ts';
import { MachinesController } from './machines.controller.ts';
import { AssistantUsageController } from './mcp/assistant-usage.controller.ts';
import { McpController } from './mcp/mcp.controller.ts';
import { OidcController } from './oidc.controller.ts';
import { PreferencesController } from './preferences.controller.ts';
import { SchedulesController } from './schedules.controller.ts';
import { SessionsController } from './sessions.controller.ts';
import { TotpController } from './totp.controller.ts';
import { UsersController } from './users.controller.ts';
import { PostInstallController } from './post-install.controller.ts';
import { NotificationsController } from './notifications.controller.ts';
import { MaintenanceController } from './maintenance.controller.ts';
import { TerminalController } from './terminal.controller.ts';
import { DiscoveryController } from './discovery.controller.ts';
import { HostMetricsController } from './host-metrics.controller.ts';

@Module({})
export class GatewayModule {
  static forRoot(platform: PlatformOptions): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        PlatformModule.forService(platform),
        RunsModule,
        AuthModule,
        MachinesModule,
        MachineAccessModule,
        SchedulesModule,
        ApprovalsModule,
        DockerApiModule,
        PostInstallModule,
        AssistantModule,
        NotificationsModule,
        MaintenanceModule,
        TerminalModule,
        DiscoveryModule,
        HostMetricsModule,
      ],
      controllers: [
        HealthController,
        AuthController,
        OidcController,
        SessionsController,
        PreferencesController,
        TotpController,
        UsersController,
        ApiClientsController,
        MachinesController,
        MachineAccessController,
        MachineHistoryController,
        StatsController,
        MetricsController,
        JobsController,
        EventsController,
        SchedulesController,
        ActionRequestsController,
        ApprovalSettingsController,
        DockerController,
        PostInstallController,
        McpController,
        AssistantUsageController,
        NotificationsController,
        MaintenanceController,
        TerminalController,
        DiscoveryController,
        HostMetricsController,
      ],
      // Every route is authenticated unless marked @Public(); scopes, the assistant rule and machine scopes are
      // checked by the same guard (ADR 0014).
      providers: [
        { provide: APP_GUARD, useExisting: AuthGuard },
        // Throttled password attempts answer 429 with Retry-After.
        { provide: APP_INTERCEPTOR, useClass: RetryAfterInterceptor },
        LiveEventsService,
        ReadinessService,
      ],
    };
  }
}
