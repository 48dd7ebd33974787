import { Inject, Injectable } from '@nestjs/common';
import type { JobResult } from '@su/contracts';
import { Database, HostMetricsRepository } from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { machineJob, type JobContext, type JobHandler } from '@su/platform';
import { parseMetricsSample } from './host-metrics.parser.ts';
import { recordHostMetrics } from './host-metrics.recorder.ts';
import { readHostMetricsSettings } from './host-metrics-settings.service.ts';
import { METRICS_SAMPLE_SCRIPT } from './metrics-sample.script.ts';

/**
 * machine.metrics_sample (ADR 0044): the light read-only sample over the machine's kept connection, under its lock
 * like any machine job. No raw log: a few hundred bytes every few minutes per machine would only fill raw_artifacts,
 * and the row itself is the record. A value it cannot read fails the job (metrics_unreadable); nothing is stored.
 */
@Injectable()
export class MetricsSampleHandler implements JobHandler<'machine.metrics_sample'> {
  readonly kind = 'machine.metrics_sample' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
  ) {}

  async handle(ctx: JobContext<'machine.metrics_sample'>): Promise<JobResult<'machine.metrics_sample'>> {
    const { machineId, jobId, actor } = machineJob(ctx);
    const opened = await this.connector.open(machineId, { actor, purpose: 'machine.metrics_sample', jobId, reuse: true });
    let output: string;
    try {
      const r = await opened.session.runScript(METRICS_SAMPLE_SCRIPT, {
        timeoutMs: 30_000,
        idleTimeoutMs: 20_000,
        signal: ctx.signal,
      });
      output = r.stdout;
    } finally {
      await opened.release();
    }
    const sample = parseMetricsSample(output, new Date());
    await this.db.transaction(async (tx) => {
      await recordHostMetrics(tx, machineId, 'sample', sample);
      const { diskThresholdPercent } = await readHostMetricsSettings(tx);
      await new HostMetricsRepository(tx).refreshLatest(machineId, sample, diskThresholdPercent);
    });
    const diskMaxUsedPercent = Math.max(...sample.filesystems.map((f) => f.usedPercent));
    return { collectedAt: sample.collectedAt, diskMaxUsedPercent };
  }
}
