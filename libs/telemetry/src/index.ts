export * from './span-attributes.ts';
export * from './tracing.ts';
export * from './job-context.ts';
export * from './trace-carrier.ts';
export * from './process-metrics.ts';
export * from './metrics-exposition.ts';
