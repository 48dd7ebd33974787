export * from './tracing-sdk.ts';
// For tests that collect spans in memory (the SDK's own exporter).
export { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
