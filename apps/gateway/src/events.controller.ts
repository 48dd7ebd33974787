import { BadRequestException, Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { map } from 'rxjs';
import {
  CurrentBearer,
  CurrentMachineScope,
  CurrentPrincipal,
  RequireScope,
  ScopeFiltered,
  TokenEndWatcher,
  type Principal,
} from '@su/auth';
import type { AppConfig } from '@su/config';
import type { MachineScope } from '@su/contracts';
import { APP_CONFIG, LiveEventsService, writeSse, type SseResponse } from '@su/platform';

const MAX_EVENT_ID = 2n ** 63n - 1n;

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/v1/events')
export class EventsController {
  constructor(
    @Inject(LiveEventsService) private readonly live: LiveEventsService,
    @Inject(TokenEndWatcher) private readonly tokens: TokenEndWatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('stream')
  @RequireScope('read')
  @ScopeFiltered()
  @ApiProduces('text/event-stream')
  @ApiOperation({
    summary:
      'Server-Sent Events: job status and machine state changes as they happen (of the machines in the caller’s scope; discovery progress to admins only); resume with Last-Event-ID. Ends when the token or session ends; a comment line keeps it alive.',
  })
  stream(
    @Headers('last-event-id') lastEventId: string | undefined,
    @CurrentMachineScope() scope: MachineScope | null,
    @CurrentPrincipal() principal: Principal,
    @CurrentBearer() token: string,
    @Res() res: SseResponse,
  ): void {
    // Event ids are PostgreSQL bigints: 19 digits may still be beyond 2^63 - 1.
    if (lastEventId !== undefined && !(/^\d{1,19}$/.test(lastEventId) && BigInt(lastEventId) <= MAX_EVENT_ID)) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid request: Last-Event-ID',
        errors: [
          { field: 'Last-Event-ID', reasons: ['Last-Event-ID must be the id of an event received from this stream'] },
        ],
      });
    }
    const events = this.live
      .stream(lastEventId === undefined ? null : BigInt(lastEventId), { scopes: principal.scopes, machineScope: scope })
      .pipe(map((e) => ({ id: e.id, type: e.type, data: e })));
    writeSse(res, events, {
      keepaliveMs: this.config.sseKeepaliveSeconds * 1000,
      until: this.tokens.ended(token, principal),
    });
  }
}
