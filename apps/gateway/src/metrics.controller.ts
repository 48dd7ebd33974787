import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '@su/auth';
import { MetricsExpositionService } from '@su/platform';
import { METRICS_CONTENT_TYPE } from '@su/telemetry';

/** Prometheus scrape target (docs/adr/0034): fleet-level, for a token with `metrics:read` (or `admin`). */
@ApiTags('metrics')
@ApiBearerAuth()
@Controller()
export class MetricsController {
  constructor(@Inject(MetricsExpositionService) private readonly metrics: MetricsExpositionService) {}

  @Get('metrics')
  @RequireScope('metrics:read')
  @Header('content-type', METRICS_CONTENT_TYPE)
  @Header('cache-control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOperation({
    summary:
      'Metrics in the Prometheus text format: jobs by kind and status, job durations, queue depth and age, machine lock waits, SSH latencies, errors by kind, SSE clients, database pools, scheduler firing delay (every service process).',
  })
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
