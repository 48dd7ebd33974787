import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { DOCKER_PRUNE_MODES, DOCKER_STACK_CHOICES, type DockerPruneMode, type DockerStackChoice } from '@su/contracts';

/** An absolute path without `..`, spaces at the ends, control characters or a trailing slash (but `/`). */
export const ROOT_PATH = /^\/(?:[^/\p{Cc}]+(?:\/[^/\p{Cc}]+)*)?$/u;

export class CreateDockerRootDto {
  @ApiProperty({ example: '/opt/stacks', description: 'An absolute directory on the machine.' })
  @IsString()
  @MaxLength(1024)
  @Matches(ROOT_PATH, { message: 'path must be an absolute directory path' })
  path!: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    description: "How many directory levels below the root are searched (default: the machine's).",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10)
  scanDepth?: number;
}

export class UpdateDockerRootDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(10) scanDepth?: number;
}

export class DockerStackChoiceDto {
  @ApiProperty({ enum: DOCKER_STACK_CHOICES, description: 'enabled (checked and applied), ignored, or candidate.' })
  @IsIn(DOCKER_STACK_CHOICES)
  status!: DockerStackChoice;
}

export class DockerSettingsDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() enabled?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(10) scanDepth?: number;

  @ApiPropertyOptional({ enum: DOCKER_PRUNE_MODES })
  @IsOptional()
  @IsIn(DOCKER_PRUNE_MODES)
  pruneMode?: DockerPruneMode;
}

export class DockerRegistryDto {
  @ApiProperty({ example: 'ghcr.io', description: 'The registry as image references name it (host, optional :port).' })
  @IsString()
  @Matches(/^[a-z0-9]([a-z0-9.-]{0,252}[a-z0-9])?(:\d{1,5})?$/i, { message: 'host must be a registry host[:port]' })
  host!: string;

  @ApiPropertyOptional({ default: false, description: 'Plain HTTP (only for a registry on a trusted network).' })
  @IsOptional()
  @IsBoolean()
  insecure?: boolean;

  @ApiPropertyOptional({ description: 'Most requests to this registry in one check.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  requestBudget?: number;
}

/** Write-only: the password is encrypted at once and never returned. */
export class DockerRegistryCredentialsDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(256) username!: string;

  @ApiProperty({ description: 'Password or token; never returned.' })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  password!: string;
}

export class DockerLogsQuery {
  @ApiPropertyOptional({ default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2000)
  lines?: number;
}

export class DockerAlertsQuery {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only the open alerts (default true).' })
  @IsOptional()
  @IsIn(['true', 'false'])
  open?: string;
}
