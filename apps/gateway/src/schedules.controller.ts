import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { AssistantMayCall, CurrentActor, RequireScope } from '@su/auth';
import type { Actor } from '@su/contracts';
import { ScheduleDto, SchedulePreviewDto, SchedulesService } from '@su/schedules';

const uuid = new ParseUUIDPipe();

class PreviewQuery {
  @ApiPropertyOptional({ default: 5 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(50) count?: number;
}

@ApiTags('schedules')
@ApiBearerAuth()
@Controller('api/v1/schedules')
export class SchedulesController {
  constructor(@Inject(SchedulesService) private readonly schedules: SchedulesService) {}

  @Get()
  @RequireScope('read')
  list() {
    return this.schedules.list();
  }

  @Post()
  @RequireScope('admin')
  @ApiOperation({
    summary:
      'Create a schedule (5-field cron in an IANA time zone); a bad cron or time zone answers 400 with the reason.',
  })
  create(@Body() dto: ScheduleDto, @CurrentActor() actor: Actor) {
    return this.schedules.create(dto, actor);
  }

  @Post('preview')
  @HttpCode(200)
  @RequireScope('read')
  @AssistantMayCall()
  @ApiOperation({
    summary:
      "Preview a schedule before saving it: its next instants in its time zone (the scheduler's own cron evaluation) and the machines its scope matches now. Saves nothing.",
  })
  previewDraft(@Body() dto: SchedulePreviewDto) {
    return this.schedules.previewDraft(dto);
  }

  @Get(':id')
  @RequireScope('read')
  get(@Param('id', uuid) id: string) {
    return this.schedules.get(id);
  }

  @Get(':id/preview')
  @RequireScope('read')
  @ApiOperation({ summary: 'The next instants the schedule fires at.' })
  preview(@Param('id', uuid) id: string, @Query() q: PreviewQuery) {
    return this.schedules.preview(id, q.count ?? 5);
  }

  @Get(':id/runs')
  @RequireScope('read')
  @ApiOperation({ summary: "The schedule's runs, newest slot first, each with every machine's progress." })
  runs(@Param('id', uuid) id: string, @Query() q: PreviewQuery) {
    return this.schedules.runs(id, q.count ?? 20);
  }

  @Get('runs/:runId')
  @RequireScope('read')
  @ApiOperation({ summary: "One run: its slot, status, and each machine's status and current step." })
  run(@Param('runId', uuid) runId: string) {
    return this.schedules.run(runId);
  }

  @Put(':id')
  @RequireScope('admin')
  update(@Param('id', uuid) id: string, @Body() dto: ScheduleDto, @CurrentActor() actor: Actor) {
    return this.schedules.update(id, dto, actor);
  }

  @Delete(':id')
  @RequireScope('admin')
  @HttpCode(204)
  async remove(@Param('id', uuid) id: string, @CurrentActor() actor: Actor) {
    await this.schedules.remove(id, actor);
  }
}
