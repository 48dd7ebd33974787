import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, IsUUID, Length, Matches, MaxLength } from 'class-validator';

export const PROFILE_RISKS = ['low', 'high'] as const;
export const RECIPE_SOURCE_TYPES = ['apt_packages', 'official_external', 'custom'] as const;
export const PRESET_SCOPES = ['global', 'machine', 'profile'] as const;

export class CreateProfileDto {
  @ApiProperty() @IsString() @Length(1, 120) label!: string;
  @ApiProperty() @IsString() @Matches(/^[a-z0-9_-]{1,40}$/) category!: string;
  @ApiPropertyOptional({ enum: PROFILE_RISKS, description: 'high: runs only through an approved action request.' })
  @IsOptional()
  @IsIn(PROFILE_RISKS)
  risk?: (typeof PROFILE_RISKS)[number];
}

export class RecipeVersionDto {
  @ApiProperty({ description: 'Mustache template of the script; values are shell-quoted.' })
  @IsString()
  @MaxLength(65536)
  template!: string;
  @ApiProperty({ description: 'Variables (typed), optional check command, sudo, timeoutSeconds.' })
  @IsObject()
  manifest!: Record<string, unknown>;
}

export class CreateRecipeDto extends RecipeVersionDto {
  @ApiProperty() @IsString() @Length(1, 120) label!: string;
  @ApiPropertyOptional({ enum: RECIPE_SOURCE_TYPES }) @IsOptional() @IsIn(RECIPE_SOURCE_TYPES) sourceType?: string;
}

export class RenderDto {
  @ApiPropertyOptional({ description: 'A past version; default the current one.' })
  @IsOptional()
  @IsUUID()
  versionId?: string;
  @ApiPropertyOptional({ description: 'Values given now; they win over presets and defaults.' })
  @IsOptional()
  @IsObject()
  variables?: Record<string, unknown>;
}

export class CreatePresetDto {
  @ApiProperty({ enum: PRESET_SCOPES }) @IsIn(PRESET_SCOPES) scope!: (typeof PRESET_SCOPES)[number];
  @ApiPropertyOptional() @IsOptional() @IsUUID() machineId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() profileId?: string;
  @ApiProperty() @IsString() @Length(1, 120) name!: string;
  @ApiProperty({ description: 'Non-secret values.' }) @IsObject() variables!: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'Secret values: stored encrypted, never returned.' })
  @IsOptional()
  @IsObject()
  secrets?: Record<string, string>;
}
