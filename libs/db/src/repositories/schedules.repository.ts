import type { MaintenanceOptions } from '@su/contracts';
import type { DbClient } from '../database.ts';
import { Prisma } from '../generated/prisma/client.ts';

export interface ScheduleScope {
  all?: boolean;
  tags?: string[];
  machineIds?: string[];
  excludeMachineIds?: string[];
}

export interface ScheduleFields {
  name: string;
  enabled: boolean;
  cron: string;
  timezone: string;
  scope: ScheduleScope;
  actions: string[];
  concurrency: number;
  approvalPolicy: string;
  windowMinutes: number | null;
  /** Which ends of its runs are notified (`finished`, `failed`); read by the notification dispatcher (ADR 0035). */
  notifyOn?: string[];
  nextRunAt: Date | null;
  /** The options of its `maintenance` step (ADR 0031); absent or null: the defaults. */
  maintenance?: MaintenanceOptions | null;
}

export interface ScheduleView extends Omit<ScheduleFields, 'nextRunAt' | 'notifyOn'> {
  notifyOn: string[];
  id: string;
  nextRunAt: string | null;
  lastRunAt: string | null;
  createdAt: string;
  updatedAt: string;
}

type Row = Prisma.ScheduleGetPayload<object>;
function toView(r: Row): ScheduleView {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    cron: r.cron,
    timezone: r.timezone,
    scope: r.scopeJson as ScheduleScope,
    actions: r.actionsJson as string[],
    concurrency: r.concurrency,
    approvalPolicy: r.approvalPolicy,
    windowMinutes: r.windowMinutes,
    maintenance: (r.maintenanceOptions as MaintenanceOptions | null) ?? null,
    notifyOn: Array.isArray(r.notifyOnJson) ? (r.notifyOnJson as string[]) : ['failed'],
    nextRunAt: r.nextRunAt?.toISOString() ?? null,
    lastRunAt: r.lastRunAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function data(f: ScheduleFields) {
  return {
    name: f.name,
    enabled: f.enabled,
    cron: f.cron,
    timezone: f.timezone,
    scopeJson: f.scope as Prisma.InputJsonValue,
    actionsJson: f.actions,
    concurrency: f.concurrency,
    approvalPolicy: f.approvalPolicy,
    windowMinutes: f.windowMinutes,
    maintenanceOptions: f.maintenance ? (f.maintenance as Prisma.InputJsonValue) : Prisma.DbNull,
    notifyOnJson: f.notifyOn ?? ['failed'],
    nextRunAt: f.nextRunAt,
  };
}

export class SchedulesRepository {
  constructor(private readonly db: DbClient) {}

  async create(f: ScheduleFields): Promise<ScheduleView> {
    return toView(await this.db.schedule.create({ data: data(f) }));
  }

  async update(id: string, f: ScheduleFields): Promise<ScheduleView> {
    return toView(await this.db.schedule.update({ where: { id }, data: data(f) }));
  }

  async find(id: string): Promise<ScheduleView | null> {
    const r = await this.db.schedule.findUnique({ where: { id } });
    return r && toView(r);
  }

  async list(): Promise<ScheduleView[]> {
    return (await this.db.schedule.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] })).map(toView);
  }

  /** When each enabled schedule fires next (what the scheduler's timer waits for). */
  async enabledNextRuns(): Promise<{ id: string; nextRunAt: Date | null }[]> {
    return this.db.schedule.findMany({ where: { enabled: true }, select: { id: true, nextRunAt: true } });
  }

  /**
   * The schedule, locked until the transaction ends, when it is enabled and due at `now`. Two schedulers that reach
   * the same slot take turns here; the second then finds next_run_at already moved on.
   */
  async lockDue(id: string, now: Date): Promise<(Omit<ScheduleView, 'nextRunAt'> & { nextRunAt: Date }) | null> {
    const rows = await this.db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id FROM schedules WHERE id = $1::uuid AND enabled AND next_run_at <= $2 FOR UPDATE`,
      id,
      now,
    );
    if (!rows.length) return null;
    const r = await this.db.schedule.findUniqueOrThrow({ where: { id } });
    // The row was selected for `next_run_at <= now` under its lock, so it has one.
    if (!r.nextRunAt) return null;
    return { ...toView(r), nextRunAt: r.nextRunAt };
  }

  async setNextRun(id: string, nextRunAt: Date | null): Promise<void> {
    await this.db.schedule.update({ where: { id }, data: { nextRunAt } });
  }

  /** Enabled schedules without a next run (for example after a restore): the scheduler computes one. */
  async enabledWithoutNextRun(): Promise<{ id: string; cron: string; timezone: string }[]> {
    return this.db.schedule.findMany({
      where: { enabled: true, nextRunAt: null },
      select: { id: true, cron: true, timezone: true },
    });
  }

  /** Jobs keep their history; their schedule_id becomes null (FK on delete set null). */
  async delete(id: string): Promise<boolean> {
    return (await this.db.schedule.deleteMany({ where: { id } })).count === 1;
  }
}
