import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { HOST_METRICS_RESOLUTIONS, type HostMetricsResolution } from '@su/contracts';

export class HostMetricsQueryDto {
  @ApiPropertyOptional({ description: 'ISO 8601; default: 24 hours before `to`.' })
  @IsOptional()
  @IsDateString()
  from?: string;
  @ApiPropertyOptional({ description: 'ISO 8601, exclusive; default: now.' })
  @IsOptional()
  @IsDateString()
  to?: string;
  @ApiPropertyOptional({
    enum: Object.keys(HOST_METRICS_RESOLUTIONS),
    description: 'Bucket size (each point averages its bucket); default: the finest that keeps 2,000 points or fewer.',
  })
  @IsOptional()
  @IsIn(Object.keys(HOST_METRICS_RESOLUTIONS))
  resolution?: HostMetricsResolution;
}

export class HostMetricsSettingsDto {
  @ApiProperty({ description: 'Seconds between two periodic samples of a machine; 0 turns the periodic sample off.' })
  @IsInt()
  @Min(0)
  @Max(86_400)
  sampleIntervalSeconds!: number;
  @ApiProperty({ description: 'A file system at or above this use (percent) raises an important message.' })
  @IsInt()
  @Min(1)
  @Max(100)
  diskThresholdPercent!: number;
}
