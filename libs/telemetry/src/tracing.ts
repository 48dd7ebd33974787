import { SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { currentJobAttributes } from './job-context.ts';
import { errorKindOf, SPAN_ATTR } from './span-attributes.ts';

/** The instrumentation scope of every span the product makes (the service is the resource's `service.name`). */
export const TRACER_NAME = 'system-update';

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** Copy the current job's attributes (job id and kind, machine) onto this span. */
  withJob?: boolean;
}

/**
 * Runs `fn` inside a new active span that ends when `fn` settles. A failure marks the span as an error with the
 * product's error kind only: an error message may quote remote output, so it is never recorded. Without an SDK
 * (no OTEL_EXPORTER_OTLP_ENDPOINT) the API's no-op tracer makes this a plain call.
 */
export function inSpan<T>(name: string, opts: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const attributes = { ...(opts.withJob ? currentJobAttributes() : {}), ...opts.attributes };
  return trace
    .getTracer(TRACER_NAME)
    .startActiveSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes }, async (span) => {
      try {
        return await fn(span);
      } catch (e) {
        markFailed(span, errorKindOf(e));
        throw e;
      } finally {
        span.end();
      }
    });
}

/** Marks a span failed with a classified kind (no message: see inSpan). */
export function markFailed(span: Span, errorKind: string): void {
  span.setAttribute(SPAN_ATTR.errorKind, errorKind);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

export { SpanKind };
export type { Span };

/**
 * Starts a span, makes it active for what `fn` starts (synchronously or through promises), and leaves ending it to
 * the caller: for work whose end is an event (an HTTP response's `close`), not a promise.
 */
export function withOpenSpan(name: string, opts: SpanOptions, fn: (span: Span) => void): void {
  trace.getTracer(TRACER_NAME).startActiveSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes ?? {} }, fn);
}
