import { Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ForMachine, RequireScope } from '@su/auth';
import { FleetStatsService } from '@su/machines';

class DaysQuery {
  @ApiPropertyOptional({ default: 14 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(90) days?: number;
}

/** Aggregates for the UI's charts, from the data already kept. */
@ApiTags('stats')
@ApiBearerAuth()
@Controller('api/v1')
export class StatsController {
  constructor(@Inject(FleetStatsService) private readonly stats: FleetStatsService) {}

  @Get('stats/fleet')
  @RequireScope('read')
  @ApiOperation({
    summary:
      "The fleet day by day (UTC): pending and security updates (each machine's latest analysis by the day's end) and jobs finished by outcome.",
  })
  fleet(@Query() q: DaysQuery) {
    return this.stats.fleet(q.days ?? 14);
  }

  @Get('machines/:id/stats')
  @RequireScope('read')
  @ForMachine()
  @ApiOperation({ summary: "A machine's update history (each analysis) and its verified reboots' durations." })
  machine(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.stats.machine(id);
  }
}
