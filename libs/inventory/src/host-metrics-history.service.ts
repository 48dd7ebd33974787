import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { HOST_METRICS_RESOLUTIONS, type HostMetricsHistory, type HostMetricsResolution } from '@su/contracts';
import { Database, HostMetricsRepository, MachinesRepository } from '@su/db';

const DAY_MS = 86_400_000;
/** The longest range one request may ask for. */
export const MAX_RANGE_DAYS = 400;
/** Rows as stored only over a short range: beyond it, a bucketed resolution. */
const RAW_MAX_MS = 2 * DAY_MS;
/** The most points one answer carries. */
const MAX_POINTS = 2000;

function fieldError(field: string, reason: string): BadRequestException {
  return new BadRequestException({ message: `invalid ${field}`, errors: [{ field, reasons: [reason] }] });
}

/** The finest resolution that keeps the range within MAX_POINTS (rows as stored for two days or less). */
export function autoResolution(rangeMs: number): HostMetricsResolution {
  if (rangeMs <= RAW_MAX_MS) return 'raw';
  const fits = (['5m', '1h', '1d'] as const).find((r) => rangeMs / (HOST_METRICS_RESOLUTIONS[r] * 1000) <= MAX_POINTS);
  return fits ?? '1d';
}

/** A machine's host metrics over a time range, at a resolution (ADR 0044). */
@Injectable()
export class HostMetricsHistoryService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async history(
    machineId: string,
    q: { from?: string; to?: string; resolution?: HostMetricsResolution },
  ): Promise<HostMetricsHistory> {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - DAY_MS);
    const range = to.getTime() - from.getTime();
    if (range <= 0) throw fieldError('from', 'must be before to');
    if (range > MAX_RANGE_DAYS * DAY_MS) throw fieldError('from', `the range may span at most ${MAX_RANGE_DAYS} days`);
    const resolution = q.resolution ?? autoResolution(range);
    const bucket = HOST_METRICS_RESOLUTIONS[resolution];
    if (resolution === 'raw' && range > RAW_MAX_MS) throw fieldError('resolution', 'raw covers at most 2 days');
    if (bucket > 0 && range / (bucket * 1000) > MAX_POINTS)
      throw fieldError('resolution', `too fine for the range (at most ${MAX_POINTS} points)`);
    if (!(await new MachinesRepository(this.db.prisma).exists(machineId)))
      throw new NotFoundException(`machine ${machineId} not found`);
    const points = await new HostMetricsRepository(this.db.prisma).history(machineId, from, to, bucket, MAX_POINTS);
    return { machineId, from: from.toISOString(), to: to.toISOString(), resolution, points };
  }
}
