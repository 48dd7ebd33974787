import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  ACTION_REQUEST_STATUSES,
  MACHINE_ACTION_NAMES,
  MAX_PAGE_OFFSET,
  REQUESTER_TYPES,
  type ActionRequestStatus,
  type MachineAction,
} from '@su/contracts';

export const DEFAULT_REQUEST_TTL_MINUTES = 1440;
export const MAX_REQUEST_TTL_MINUTES = 10080;

/** An action's options, for a request and for a machine action run at once (the gateway's ActionDto). */
export class ActionOptionsDto {
  @ApiPropertyOptional({ type: [String], description: 'apt_upgrade only: upgrade just these packages.' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  // Debian package names are short (the longest in Debian is under 70 characters); :arch adds a few.
  @MaxLength(128, { each: true })
  @Matches(/^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?$/, {
    each: true,
    message: 'each package must be a Debian package name (optionally :arch)',
  })
  packages?: string[];

  @ApiPropertyOptional({
    description:
      'reboot_verified only: how long the machine may stay unreachable (default: learnt from its previous reboots).',
  })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(3600)
  maxWaitSeconds?: number;
}

export class CreateActionRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  machineId!: string;

  @ApiProperty({ enum: MACHINE_ACTION_NAMES })
  @IsIn(MACHINE_ACTION_NAMES, { message: `action must be one of: ${MACHINE_ACTION_NAMES.join(', ')}` })
  action!: MachineAction;

  @ApiPropertyOptional({ type: ActionOptionsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ActionOptionsDto)
  options?: ActionOptionsDto;

  @ApiPropertyOptional({ description: 'Why; default: the action, the machine and the plan in a few words.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  summary?: string;

  @ApiPropertyOptional({ default: DEFAULT_REQUEST_TTL_MINUTES, maximum: MAX_REQUEST_TTL_MINUTES })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_REQUEST_TTL_MINUTES)
  expiresInMinutes?: number;

  @ApiPropertyOptional({
    default: false,
    description:
      'apt_upgrade / apt_dist_upgrade: still apply if the plan grew (new packages) since it was approved; never if an approved change is gone or changed.',
  })
  @IsOptional()
  @IsBoolean()
  allowPlanSuperset?: boolean;
}

export class DecisionDto {
  @ApiPropertyOptional({ description: 'Why (kept with the decision).' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class ListActionRequestsQuery {
  @ApiPropertyOptional({ enum: ACTION_REQUEST_STATUSES })
  @IsOptional()
  @IsIn(ACTION_REQUEST_STATUSES)
  status?: ActionRequestStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  machineId?: string;

  @ApiPropertyOptional({ enum: REQUESTER_TYPES })
  @IsOptional()
  @IsIn(REQUESTER_TYPES)
  requestedByType?: string;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_PAGE_OFFSET)
  offset?: number;
}
