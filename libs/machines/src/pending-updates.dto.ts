import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBooleanString, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** A page of the fleet's pending groups (`GET /updates/pending`): counts only, the machines come per group. */
export class PendingGroupsQuery {
  @ApiPropertyOptional({ default: 200, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ default: 0, maximum: 1_000_000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({ description: 'Only security changes.' })
  @IsOptional()
  @IsBooleanString()
  securityOnly?: string;
}

/** A page of the machines that need one pending group (`GET /updates/pending/machines`). */
export class PendingGroupMachinesQuery {
  @ApiProperty({ description: "The group's dedup key (`os_family|package|from|to|origin`)." })
  @IsString()
  @Length(1, 1000)
  dedupKey!: string;

  @ApiPropertyOptional({ description: 'The held group of that key (default: the one to apply).' })
  @IsOptional()
  @IsBooleanString()
  held?: string;

  @ApiPropertyOptional({ default: 500, maximum: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ default: 0, maximum: 1_000_000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}
