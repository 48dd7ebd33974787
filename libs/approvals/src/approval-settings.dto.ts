import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';

export class ApprovalSettingsDto {
  @ApiProperty({ description: 'When true, the person or client who asked for an action may not approve it.' })
  @IsBoolean()
  requireDistinctApprover!: boolean;
}
