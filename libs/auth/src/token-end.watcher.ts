import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import { PgListener } from '@su/db';
import { PLATFORM_OPTIONS, type PlatformOptions } from '@su/platform';
import { AuthService } from './auth.service.ts';
import type { Principal } from './principal.ts';

/** Triggers on user_sessions, api_clients and users NOTIFY `<table key>:<id>` here when a token may have ended. */
export const AUTH_ENDED_CHANNEL = 'su_auth_ended';
/** Sent to every watcher after the LISTEN connection came back: anything may have ended meanwhile. */
const RECHECK_ALL = '*';
/** setTimeout cannot wait longer than 2^31-1 ms; a later expiry is re-checked then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function keysOf(p: Principal): string[] {
  return p.type === 'user' ? [`user_session:${p.sessionId ?? ''}`, `user:${p.id}`] : [`api_client:${p.id}`];
}

function sameScope(a: Principal, b: Principal): boolean {
  return JSON.stringify(a.machineScope ?? null) === JSON.stringify(b.machineScope ?? null);
}

/**
 * Tells a long-lived request (the SSE stream) when its token stops authenticating: revoked, logged out, its session
 * ended by anyone, its user disabled, or expired. Driven by the database (ADR 0014): every path that ends a token
 * writes the row, a trigger NOTIFYs, and the token is checked again exactly as a new request would check it.
 */
@Injectable()
export class TokenEndWatcher implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TokenEnd');
  private readonly changed = new Subject<string>();
  private listener: PgListener | null = null;

  constructor(
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(PLATFORM_OPTIONS) private readonly opts: PlatformOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    this.listener = new PgListener(
      this.opts.databaseUrl,
      AUTH_ENDED_CHANNEL,
      (key) => this.changed.next(key),
      () => this.changed.next(RECHECK_ALL),
    );
    await this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener?.stop();
    this.changed.complete();
  }

  /**
   * Emits once, then completes, when `token` (which authenticated as `p`) no longer authenticates, or now admits
   * other machines (a changed machine scope: the stream was filtered by the old one).
   */
  ended(token: string, p: Principal): Observable<void> {
    const keys = keysOf(p);
    return new Observable<void>((sub) => {
      let timer: NodeJS.Timeout | undefined;
      const end = () => {
        sub.next();
        sub.complete();
      };
      const arm = (expiresAt: Date | null | undefined) => {
        clearTimeout(timer);
        if (!expiresAt) return;
        // A little after the instant, so the check sees the token as expired.
        timer = setTimeout(
          () => void recheck(),
          Math.min(MAX_TIMER_MS, Math.max(0, expiresAt.getTime() - Date.now() + 20)),
        );
        timer.unref();
      };
      const recheck = async () => {
        try {
          const now = await this.auth.authenticate(token);
          if (!now || !sameScope(now, p)) return end();
          arm(now.expiresAt);
        } catch (e) {
          // The database is away: the stream stays, and the reconnect's re-check decides.
          this.logger.warn(`token re-check failed: ${(e as Error).message}`);
        }
      };
      arm(p.expiresAt);
      const s = this.changed.subscribe((key) => {
        if (key === RECHECK_ALL || keys.includes(key)) void recheck();
      });
      return () => {
        clearTimeout(timer);
        s.unsubscribe();
      };
    });
  }
}
