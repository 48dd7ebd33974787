import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { AssistantUsageService } from '@su/assistant';
import { RequireScope } from '@su/auth';

class UsageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 366, default: 30 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(366)
  days?: number;
}

@ApiTags('assistant')
@ApiBearerAuth()
@Controller('api/v1/assistant')
export class AssistantUsageController {
  constructor(@Inject(AssistantUsageService) private readonly usage: AssistantUsageService) {}

  @Get('usage')
  @RequireScope('admin')
  // Fleet-level (no machine binding): a machine-scoped token is refused (ADR 0014).
  @ApiOperation({
    summary:
      "The assistant's token usage per UTC day and API client (as its clients report it through MCP report_usage), with the raw log bytes behind its answers, the reduced bytes it received and their ratio (raw / reduced).",
  })
  perDay(@Query() q: UsageQuery) {
    return this.usage.perDay(q.days ?? 30);
  }
}
