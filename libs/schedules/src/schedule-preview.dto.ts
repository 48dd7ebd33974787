import { ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ScheduleDto } from './schedule.dto.ts';

/** A schedule being written (not saved yet): its cron, time zone and scope, checked as a saved one would be. */
export class SchedulePreviewDto extends PickType(ScheduleDto, ['cron', 'timezone', 'scope'] as const) {
  @ApiPropertyOptional({ default: 5 }) @IsOptional() @IsInt() @Min(1) @Max(50) count?: number;
}

export interface SchedulePreview {
  /** The next instants it would fire at (ISO 8601), computed by the scheduler's own cron library. */
  nextRuns: string[];
  /** The machines its scope matches right now, in the order a run would take them. */
  machineIds: string[];
}
