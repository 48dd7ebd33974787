import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsIn, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';

export class HistoryRetentionDto {
  @ApiProperty() @IsInt() @Min(1) @Max(10_000) keepLastPerMachine!: number;
  @ApiProperty() @IsInt() @Min(1) @Max(3650) keepDays!: number;
}

export class HostMetricsRetentionDto {
  @ApiProperty() @IsInt() @Min(1) @Max(3650) rawDays!: number;
  @ApiProperty() @IsInt() @Min(1) @Max(3650) hourlyDays!: number;
}

export class TerminalRetentionDto {
  @ApiProperty({ description: 'Closed terminal sessions opened longer ago than this go, with their input lines.' })
  @IsInt()
  @Min(1)
  @Max(3650)
  sessionsDays!: number;
  @ApiProperty({ description: 'Logged terminal input lines older than this go.' })
  @IsInt()
  @Min(1)
  @Max(3650)
  commandsDays!: number;
}

export class RetentionSettingsDto {
  @ApiProperty({ type: HistoryRetentionDto })
  @ValidateNested()
  @Type(() => HistoryRetentionDto)
  history!: HistoryRetentionDto;
  @ApiProperty() @IsInt() @Min(1) @Max(3650) rawArtifactsDays!: number;
  @ApiProperty() @IsInt() @Min(1) @Max(3650) reportsDays!: number;
  @ApiProperty() @IsInt() @Min(1) @Max(3650) machineEventsDays!: number;
  @ApiProperty() @IsInt() @Min(1) @Max(3650) auditDays!: number;
  @ApiProperty() @IsInt() @Min(1) @Max(24 * 365) liveEventsHours!: number;
  @ApiPropertyOptional({ type: HostMetricsRetentionDto, description: 'Absent: the stored (or default) rule stays.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => HostMetricsRetentionDto)
  hostMetrics?: HostMetricsRetentionDto;
  @ApiPropertyOptional({ type: TerminalRetentionDto, description: 'Absent: the stored (or default) rule stays.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => TerminalRetentionDto)
  terminal?: TerminalRetentionDto;
}

export class CleanupRequestDto {
  @ApiProperty({ enum: ['dry_run', 'apply'] }) @IsIn(['dry_run', 'apply']) mode!: 'dry_run' | 'apply';
}

export class SystemMetricsQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601; default: the last 24 hours.' }) @IsOptional() @IsDateString()
  since?: string;
  @ApiPropertyOptional({ default: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit?: number;
}
