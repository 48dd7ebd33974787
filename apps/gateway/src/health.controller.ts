import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Query,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipalOrNull, Public, type Principal } from '@su/auth';
import { ReadinessService } from '@su/platform';

@ApiTags('health')
@Controller()
@Public()
export class HealthController {
  constructor(@Inject(ReadinessService) private readonly readiness: ReadinessService) {}

  @Get(['health', 'api/v1/health'])
  @ApiOperation({ summary: 'Liveness: the process answers.' })
  health() {
    return { status: 'ok' };
  }

  /**
   * Readiness: database and queue answer (public, read-only). With `?deep=1`, also a `system.selftest` job must make
   * the round trip through the apt-worker within 5 s; that writes a job, so it needs a token, and concurrent deep
   * checks share one job.
   */
  @Get(['ready', 'api/v1/ready'])
  @HttpCode(200)
  @ApiQuery({
    name: 'deep',
    required: false,
    enum: ['1', 'true'],
    description: 'Also a job round trip (needs a token).',
  })
  @ApiOperation({ summary: 'Readiness: database + queue (deep=1, with a token: a job round trip through a worker).' })
  async ready(@Query('deep') deep: string | undefined, @CurrentPrincipalOrNull() principal: Principal | null) {
    const isDeep = deep === '1' || deep === 'true';
    if (isDeep && !principal)
      throw new UnauthorizedException('the deep readiness check needs a bearer token (Authorization: Bearer <token>)');
    const r = isDeep ? await this.readiness.deep() : await this.readiness.shallow();
    // The checks that passed, and the worker's if it failed; a failing dependency's own message stays out of a
    // public answer.
    if (!r.ready) throw new ServiceUnavailableException({ message: 'not ready', checks: r.checks });
    return { status: 'ready', checks: r.checks };
  }
}
