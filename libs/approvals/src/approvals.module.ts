import { Module } from '@nestjs/common';
import { ActionRequestsService } from './action-requests.service.ts';
import { ApprovalSettingsService } from './approval-settings.service.ts';

@Module({
  providers: [ActionRequestsService, ApprovalSettingsService],
  exports: [ActionRequestsService, ApprovalSettingsService],
})
export class ApprovalsModule {}
