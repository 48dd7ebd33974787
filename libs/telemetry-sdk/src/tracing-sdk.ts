import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  TracerProvider,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';

export interface TracingHandle {
  /** Exports what is pending, then stops; the global API falls back to its no-op tracer. */
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK for this process (docs/adr/0034): the async-hooks context manager (so a span
 * follows its awaits), the W3C trace-context propagator (the traceparent a job carries), and a tracer provider whose
 * spans go to `exporter`. The libs use only `@opentelemetry/api`; until this runs they get its no-op tracer.
 */
export function startTracingWith(service: string, exporter: SpanExporter, opts: { batch: boolean }): TracingHandle {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const processor = opts.batch ? new BatchSpanProcessor({ exporter }) : new SimpleSpanProcessor({ exporter });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.namespace': 'system-update' }),
    spanProcessors: [processor],
  });
  trace.setGlobalTracerProvider(provider);
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * The services' tracing: OTLP over HTTP to `<endpoint>/v1/traces` when an endpoint is configured, in batches;
 * nothing at all otherwise (no SDK, no context manager: the API stays a no-op and costs nothing).
 */
export function startTracing(service: string, otlpEndpoint: string | undefined): TracingHandle | null {
  if (!otlpEndpoint) return null;
  const url = `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  return startTracingWith(service, new OTLPTraceExporter({ url }), { batch: true });
}
