import { Body, Controller, Get, Inject, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApprovalSettingsDto, ApprovalSettingsService } from '@su/approvals';
import { CurrentActor, RequireScope } from '@su/auth';
import type { Actor } from '@su/contracts';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('api/v1/settings/approvals')
export class ApprovalSettingsController {
  constructor(@Inject(ApprovalSettingsService) private readonly settings: ApprovalSettingsService) {}

  @Get()
  @RequireScope('read')
  get() {
    return this.settings.get();
  }

  @Put()
  @RequireScope('admin')
  @ApiOperation({ summary: 'Set how approvals are decided (requireDistinctApprover: the requester may not approve).' })
  set(@Body() dto: ApprovalSettingsDto, @CurrentActor() actor: Actor) {
    return this.settings.set({ requireDistinctApprover: dto.requireDistinctApprover }, actor);
  }
}
