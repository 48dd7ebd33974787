import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';

/** W3C trace context as it travels inside a queued job's data (`traceparent`, optional `tracestate`). */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

// version-traceid-spanid-flags (W3C Trace Context §3.2); anything else in a job's data is ignored.
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The active span's context to carry in a job; undefined without an SDK (nothing to carry, nothing stored). */
export function currentTraceCarrier(): TraceCarrier | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const { traceparent, tracestate } = carrier;
  if (!traceparent) return undefined;
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/**
 * The context a job was sent from, read back from its data. Malformed or absent: the root context (a new trace), never
 * an error — a job must run whatever a producer wrote there.
 */
export function contextFromCarrier(raw: unknown): Context {
  const c = raw as Partial<TraceCarrier> | null | undefined;
  if (!c || typeof c !== 'object' || typeof c.traceparent !== 'string' || !TRACEPARENT.test(c.traceparent))
    return ROOT_CONTEXT;
  const carrier: Record<string, string> = { traceparent: c.traceparent };
  if (typeof c.tracestate === 'string' && c.tracestate.length <= 512) carrier['tracestate'] = c.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/** Runs `fn` as a continuation of the trace in `raw` (see contextFromCarrier). */
export function withCarriedContext<T>(raw: unknown, fn: () => T): T {
  return context.with(contextFromCarrier(raw), fn);
}
