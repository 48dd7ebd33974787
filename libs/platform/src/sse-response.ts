import type { Observable, Subscription } from 'rxjs';
import { METRICS } from '@su/telemetry';

/** The part of an HTTP response an SSE stream writes to (Express's response has it). */
export interface SseResponse {
  setHeader(name: string, value: string): unknown;
  flushHeaders(): void;
  write(chunk: string): boolean;
  end(): unknown;
  on(event: 'close', listener: () => void): unknown;
}

export interface SseEvent {
  id: string;
  type: string;
  data: unknown;
}

/**
 * Writes `events` to `res` as Server-Sent Events, with a comment line every `keepaliveMs` (so proxies and clients see
 * the stream alive when nothing happens), and ends the response when `until` emits (the token ended) or the events
 * end. A failure of the source ends the stream with a bare `error` event (no detail: it could carry internals).
 */
export function writeSse(
  res: SseResponse,
  events: Observable<SseEvent>,
  opts: { keepaliveMs: number; until: Observable<unknown> },
): void {
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('connection', 'keep-alive');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  let open = true;
  METRICS.sseClients.inc();
  const subs: Subscription[] = [];
  const finish = () => {
    if (!open) return;
    open = false;
    METRICS.sseClients.dec();
    clearInterval(keepalive);
    subs.forEach((s) => s.unsubscribe());
    res.end();
  };
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), opts.keepaliveMs);
  res.on('close', finish);
  subs.push(opts.until.subscribe(finish));
  subs.push(
    events.subscribe({
      next: (e) => res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`),
      error: () => {
        res.write('event: error\ndata: {"message":"the event stream failed; reconnect with Last-Event-ID"}\n\n');
        finish();
      },
      complete: finish,
    }),
  );
  // Either may have ended the stream while subscribing.
  if (!open) subs.forEach((s) => s.unsubscribe());
}
