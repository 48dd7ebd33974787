import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { MachineScope } from '@su/contracts';
import { Database, LiveEventsRepository, PgListener, type LiveEventView } from '@su/db';
import { liveEventsInScope } from './live-events.scope-filter.ts';
import type { PlatformOptions } from './platform.module.ts';
import { PLATFORM_OPTIONS } from './tokens.ts';

export const LIVE_EVENTS_CHANNEL = 'su_live_events';

/**
 * Job and machine-state changes as they happen, for the SSE stream. Triggers write `live_events` and NOTIFY its id;
 * one LISTEN connection per gateway fetches the new rows in order and fans them out to every open stream.
 */
@Injectable()
export class LiveEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LiveEvents');
  private readonly events = new Subject<LiveEventView>();
  private listener: PgListener | null = null;
  private last = 0n;
  private fetching: Promise<void> = Promise.resolve();

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(PLATFORM_OPTIONS) private readonly opts: PlatformOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    this.last = await new LiveEventsRepository(this.db.prisma).lastId();
    this.listener = new PgListener(
      this.opts.databaseUrl,
      LIVE_EVENTS_CHANNEL,
      () => this.catchUp(),
      () => this.catchUp(),
    );
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener?.stop();
    this.events.complete();
  }

  /** Serialised, so events go out in id order even when notifications arrive in a burst. */
  private catchUp(): void {
    this.fetching = this.fetching.then(async () => {
      try {
        for (;;) {
          const rows = await new LiveEventsRepository(this.db.prisma).after(this.last, 500);
          for (const r of rows) {
            this.last = BigInt(r.id);
            this.events.next(r);
          }
          if (rows.length < 500) return;
        }
      } catch (e) {
        this.logger.warn(`live events: ${(e as Error).message}`);
      }
    });
  }

  /**
   * The stream for one client, limited to the machines of its scope (null: all, machine-less events included): with
   * `lastEventId`, what it missed first (from the table), then live events, with
   * no gap and no duplicate between the two.
   */
  stream(lastEventId: bigint | null, scope: MachineScope | null = null): Observable<LiveEventView> {
    return this.unfiltered(lastEventId).pipe(liveEventsInScope(this.db, scope));
  }

  private unfiltered(lastEventId: bigint | null): Observable<LiveEventView> {
    return new Observable<LiveEventView>((sub) => {
      let sent = lastEventId ?? this.last;
      let replaying = lastEventId !== null;
      const buffered: LiveEventView[] = [];
      const emit = (e: LiveEventView) => {
        if (BigInt(e.id) > sent) {
          sent = BigInt(e.id);
          sub.next(e);
        }
      };
      // The service stopping (gateway shutdown) ends every stream, so open connections do not hold the server.
      const live = this.events.subscribe({
        next: (e) => (replaying ? buffered.push(e) : emit(e)),
        complete: () => sub.complete(),
      });
      if (replaying) {
        void (async () => {
          try {
            for (;;) {
              const rows = await new LiveEventsRepository(this.db.prisma).after(sent, 500);
              rows.forEach(emit);
              if (rows.length < 500) break;
            }
          } catch (e) {
            sub.error(e);
            return;
          }
          replaying = false;
          buffered.splice(0).forEach(emit);
        })();
      }
      return () => live.unsubscribe();
    });
  }
}
