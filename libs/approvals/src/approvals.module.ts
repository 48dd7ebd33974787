import { Module } from '@nestjs/common';
import { RunsModule } from '@su/runs';
import { ActionRequestsService } from './action-requests.service.ts';
import { ApprovalSettingsService } from './approval-settings.service.ts';

@Module({
  imports: [RunsModule],
  providers: [ActionRequestsService, ApprovalSettingsService],
  exports: [ActionRequestsService, ApprovalSettingsService],
})
export class ApprovalsModule {}
