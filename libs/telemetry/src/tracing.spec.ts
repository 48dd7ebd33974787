import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, startTracingWith, type TracingHandle } from '@su/telemetry-sdk';
import { SPAN_ATTR } from './span-attributes.ts';
import { currentTraceCarrier, withCarriedContext } from './trace-carrier.ts';
import { withJobContext } from './job-context.ts';
import { inSpan } from './tracing.ts';

describe('tracing without an SDK', () => {
  it('runs the work as a plain call and carries nothing in a job', async () => {
    expect(await inSpan('x', {}, async () => currentTraceCarrier())).toBeUndefined();
  });
});

describe('tracing with the SDK', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle;
  beforeAll(async () => {
    tracing = await startTracingWith('spec', exporter, { batch: false });
  });
  afterAll(() => tracing.shutdown());

  it('continues a trace from the carrier a job holds, and starts a new one from a malformed carrier', async () => {
    exporter.reset();
    const carrier = await inSpan('send', {}, async () => currentTraceCarrier());
    expect(carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    await withCarriedContext(carrier, () => inSpan('process', {}, async () => undefined));
    await withCarriedContext({ traceparent: 'not-a-traceparent' }, () => inSpan('orphan', {}, async () => undefined));
    const [send, processed, orphan] = exporter.getFinishedSpans();
    expect(processed!.spanContext().traceId).toBe(send!.spanContext().traceId);
    expect(processed!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
    expect(orphan!.parentSpanContext).toBeUndefined();
    expect(orphan!.spanContext().traceId).not.toBe(send!.spanContext().traceId);
  });

  it("copies the job's kind and machine onto spans inside it, and records a failure's kind but not its message", async () => {
    exporter.reset();
    const failing = Object.assign(new Error('stderr said: secret-output'), { errorKind: 'apt_lock_busy' });
    await expect(
      withJobContext({ jobId: 'j1', kind: 'apt.update_analyze', machineId: 'm1' }, () =>
        inSpan('ssh command', { withJob: true }, async () => {
          throw failing;
        }),
      ),
    ).rejects.toBe(failing);
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes).toEqual({
      [SPAN_ATTR.jobId]: 'j1',
      [SPAN_ATTR.jobKind]: 'apt.update_analyze',
      [SPAN_ATTR.machineId]: 'm1',
      [SPAN_ATTR.errorKind]: 'apt_lock_busy',
    });
    expect(span!.status.code).toBe(2);
    expect(JSON.stringify({ s: span!.status, e: span!.events })).not.toContain('secret-output');
  });
});
