import { BadRequestException, Controller, Headers, Inject, Sse, type MessageEvent } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { map, type Observable } from 'rxjs';
import { RequireScope } from '@su/auth';
import { LiveEventsService } from '@su/platform';

const MAX_EVENT_ID = 2n ** 63n - 1n;

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/v1/events')
export class EventsController {
  constructor(@Inject(LiveEventsService) private readonly live: LiveEventsService) {}

  @Sse('stream')
  @RequireScope('read')
  @ApiOperation({
    summary: 'Server-Sent Events: job status and machine state changes as they happen; resume with Last-Event-ID.',
  })
  stream(@Headers('last-event-id') lastEventId?: string): Observable<MessageEvent> {
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
    return this.live
      .stream(lastEventId === undefined ? null : BigInt(lastEventId))
      .pipe(map((e) => ({ id: e.id, type: e.type, data: e })));
  }
}
