import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
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
  DOCKER_PRUNE_MODES,
  DOCKER_SERVICE_NAME,
  DOCKER_TAG,
  MACHINE_ACTION_NAMES,
  type DockerPruneMode,
  MAX_PAGE_OFFSET,
  REQUESTER_TYPES,
  type ActionRequestStatus,
  type MachineAction,
  type RecipeValues,
} from '@su/contracts';
import { MaintenanceOptionsDto } from '@su/runs';

export const DEFAULT_REQUEST_TTL_MINUTES = 1440;
export const MAX_REQUEST_TTL_MINUTES = 10080;

/** An action's options, for a request and for a machine action run at once (the gateway's ActionDto). */
export class ActionOptionsDto {
  @ApiPropertyOptional({ type: MaintenanceOptionsDto, description: 'maintenance only: its parts and failure policy.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MaintenanceOptionsDto)
  maintenance?: MaintenanceOptionsDto;

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

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'docker_apply only: the stack to update (default: every enabled stack).',
  })
  @IsOptional()
  @IsUUID()
  stackId?: string;

  @ApiPropertyOptional({ type: [String], description: 'docker_apply only: just these services of the stack.' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @Matches(DOCKER_SERVICE_NAME, { each: true, message: 'each service must be a compose service name' })
  services?: string[];

  @ApiPropertyOptional({
    description: 'docker_apply only: roll a service back to its previous image when it does not become healthy.',
  })
  @IsOptional()
  @IsBoolean()
  rollback?: boolean;

  @ApiPropertyOptional({
    description: 'docker_apply only: how long recreated services may take to be running/healthy.',
  })
  @IsOptional()
  @IsInt()
  @Min(5)
  @Max(3600)
  healthTimeoutSeconds?: number;

  @ApiPropertyOptional({
    description: 'docker_apply only, with one service: the newer tag to move to (the compose file is changed).',
  })
  @IsOptional()
  @Matches(DOCKER_TAG, { message: 'tag must be an image tag' })
  tag?: string;

  @ApiPropertyOptional({
    enum: DOCKER_PRUNE_MODES,
    description: 'docker_prune only: safe (dangling) or aggressive (unused).',
  })
  @IsOptional()
  @IsIn(DOCKER_PRUNE_MODES)
  pruneMode?: DockerPruneMode;

  @ApiPropertyOptional({ format: 'uuid', description: 'post_install only: the recipe to run (its current version).' })
  @IsOptional()
  @IsUUID()
  recipeId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'post_install only: a past version of the recipe instead.' })
  @IsOptional()
  @IsUUID()
  recipeVersionId?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'post_install only: non-secret values given now (secret values come from the presets).',
  })
  @IsOptional()
  @IsObject()
  variables?: RecipeValues;

  @ApiPropertyOptional({ description: 'bootstrap only: the automation user to create (default su-automation).' })
  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_-]{0,30}$/, { message: 'bootstrapUser must be a user name ([a-z_][a-z0-9_-]{0,30})' })
  bootstrapUser?: string;

  @ApiPropertyOptional({ description: "bootstrap only: lock the automation user's password login too." })
  @IsOptional()
  @IsBoolean()
  disablePassword?: boolean;
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
