import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import {
  MAINTENANCE_APT_MODES,
  MAINTENANCE_FAILURE_POLICIES,
  MAINTENANCE_PRUNE_MODES,
  MAINTENANCE_REBOOT_MODES,
  type MaintenanceOptions,
} from '@su/contracts';

// The one HTTP shape of a maintenance run's options: an action request, an action run at once and a schedule take it.

/** What a maintenance run does (ADR 0031); every field has a default. */
export class MaintenanceOptionsDto implements MaintenanceOptions {
  @ApiPropertyOptional({ enum: MAINTENANCE_APT_MODES, default: 'upgrade' })
  @IsOptional()
  @IsIn(MAINTENANCE_APT_MODES)
  apt?: (typeof MAINTENANCE_APT_MODES)[number];

  @ApiPropertyOptional({ enum: MAINTENANCE_REBOOT_MODES, default: 'if_required' })
  @IsOptional()
  @IsIn(MAINTENANCE_REBOOT_MODES)
  reboot?: (typeof MAINTENANCE_REBOOT_MODES)[number];

  @ApiPropertyOptional({ default: true, description: 'Apply the image updates of the enabled stacks.' })
  @IsOptional()
  @IsBoolean()
  docker?: boolean;

  @ApiPropertyOptional({ enum: MAINTENANCE_PRUNE_MODES, default: 'safe' })
  @IsOptional()
  @IsIn(MAINTENANCE_PRUNE_MODES)
  prune?: (typeof MAINTENANCE_PRUNE_MODES)[number];

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() autoremove?: boolean;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() clean?: boolean;

  @ApiPropertyOptional({ enum: MAINTENANCE_FAILURE_POLICIES, default: 'stop' })
  @IsOptional()
  @IsIn(MAINTENANCE_FAILURE_POLICIES)
  failurePolicy?: (typeof MAINTENANCE_FAILURE_POLICIES)[number];
}
