import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { Database, LiveEventsRepository, PgListener, type LiveEventView } from '@su/db';
import { liveEventsInScope, type LiveEventsViewer } from './live-events.scope-filter.ts';
import type { PlatformOptions } from './platform.module.ts';
import { PLATFORM_OPTIONS } from './tokens.ts';

export const LIVE_EVENTS_CHANNEL = 'su_live_events';
/** How long a hole in the event ids is waited for (a transaction that took its id and has not committed yet). */
const GAP_GRACE_MS = 2_000;
const GAP_RECHECK_MS = 50;

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
  /** When the hole the stream waits at was first seen (deliverInOrder). */
  private gapSince: number | null = null;
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
          if (this.deliverInOrder(rows)) {
            setTimeout(() => this.catchUp(), GAP_RECHECK_MS).unref();
            return;
          }
          if (rows.length < 500) return;
        }
      } catch (e) {
        this.logger.warn(`live events: ${(e as Error).message}`);
      }
    });
  }

  /**
   * Sends the rows up to the first hole in their ids and says whether it stopped at one. Ids are taken when a row is
   * inserted, but rows become visible when their transaction commits: a later id can be seen first, and moving past
   * the missing one would lose it for good (a client saw a job go from queued to done without running). A hole is
   * waited for up to GAP_GRACE_MS; one still open then was rolled back (a sequence never gives its id again).
   */
  private deliverInOrder(rows: LiveEventView[]): boolean {
    for (const r of rows) {
      const id = BigInt(r.id);
      if (id !== this.last + 1n && !this.gapGivenUp()) return true;
      this.gapSince = null;
      this.last = id;
      this.events.next(r);
    }
    return false;
  }

  private gapGivenUp(): boolean {
    this.gapSince ??= Date.now();
    return Date.now() - this.gapSince > GAP_GRACE_MS;
  }

  /**
   * The stream for one client, limited to what it may see (`liveEventsInScope`: the event types its scopes allow, the
   * machines of its machine scope): with `lastEventId`, what it missed first (from the table), then live events, with
   * no gap and no duplicate between the two.
   */
  stream(lastEventId: bigint | null, viewer: LiveEventsViewer): Observable<LiveEventView> {
    return this.unfiltered(lastEventId).pipe(liveEventsInScope(this.db, viewer));
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
        // The table is replayed only up to what the live fan-out has already passed in order: a later row may sit
        // above a hole whose transaction has not committed yet, and sending it first would lose the hole's event
        // (emit drops ids at or below the last sent). What comes after arrives live, in order, from the buffer.
        const upTo = this.last;
        void (async () => {
          try {
            for (;;) {
              const rows = await new LiveEventsRepository(this.db.prisma).after(sent, 500, upTo);
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
