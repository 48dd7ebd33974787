import { context, propagation, trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

// The SDK's packages are imported when tracing starts, not with this module: a service without an OTLP endpoint
// (the default) never loads them, and the bundles keep these imports dynamic (ADR 0053: a worker's memory).

export interface TracingHandle {
  /** Exports what is pending, then stops; the global API falls back to its no-op tracer. */
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK for this process (docs/adr/0034): the async-hooks context manager (so a span
 * follows its awaits), the W3C trace-context propagator (the traceparent a job carries), and a tracer provider whose
 * spans go to `exporter`. The libs use only `@opentelemetry/api`; until this runs they get its no-op tracer.
 */
export async function startTracingWith(
  service: string,
  exporter: SpanExporter,
  opts: { batch: boolean },
): Promise<TracingHandle> {
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }, sdk] =
    await Promise.all([
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace'),
    ]);
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const processor = opts.batch ? new sdk.BatchSpanProcessor({ exporter }) : new sdk.SimpleSpanProcessor({ exporter });
  const provider = new sdk.TracerProvider({
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
export async function startTracing(service: string, otlpEndpoint: string | undefined): Promise<TracingHandle | null> {
  if (!otlpEndpoint) return null;
  const url = `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return startTracingWith(service, new OTLPTraceExporter({ url }), { batch: true });
}
