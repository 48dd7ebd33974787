import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Actor } from '@su/contracts';
import {
  Database,
  MachineEventsRepository,
  ScheduleRunsRepository,
  SchedulesRepository,
  type RunView,
  type ScheduleFields,
  type ScheduleView,
} from '@su/db';
import { nextRuns } from './cron-spec.ts';
import type { ScheduleDto } from './schedule.dto.ts';
import type { SchedulePreview, SchedulePreviewDto } from './schedule-preview.dto.ts';

/**
 * Schedules CRUD. `next_run_at` is computed on every save from the cron and the time zone, so the UI shows when a
 * schedule will fire. Firing and fan-out are the scheduler service's (ScheduleFiringService).
 */
@Injectable()
export class SchedulesService {
  constructor(@Inject(Database) private readonly db: Database) {}

  private async fields(dto: ScheduleDto): Promise<ScheduleFields> {
    const scope = dto.scope;
    const bad = (field: string, reason: string) =>
      new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: `invalid request: ${field}`,
        errors: [{ field, reasons: [reason] }],
      });
    if (!scope.all && !scope.tags?.length && !scope.machineIds?.length)
      throw bad('scope', 'scope must name all machines, tags or machine ids');
    // A machine id that names no machine is a mistake to report now, not a run that silently skips it.
    for (const field of ['machineIds', 'excludeMachineIds'] as const) {
      const unknown = await new ScheduleRunsRepository(this.db.prisma).unknownMachines(scope[field] ?? []);
      if (unknown.length) throw bad(`scope.${field}`, `no such machine: ${unknown.join(', ')}`);
    }
    if (dto.maintenance && !dto.actions.includes('maintenance'))
      throw bad('maintenance', 'maintenance options need the maintenance action among the actions');
    const enabled = dto.enabled ?? true;
    const timezone = dto.timezone ?? 'UTC';
    return {
      name: dto.name,
      enabled,
      cron: dto.cron.trim(),
      timezone,
      scope,
      actions: dto.actions,
      concurrency: dto.concurrency ?? 1,
      approvalPolicy: dto.approvalPolicy ?? 'none',
      windowMinutes: dto.windowMinutes ?? null,
      maintenance: dto.maintenance ? { ...dto.maintenance } : null,
      notifyOn: [...new Set(dto.notifyOn ?? ['failed'])],
      nextRunAt: enabled ? (nextRuns(dto.cron.trim(), timezone, new Date())[0] ?? null) : null,
    };
  }

  async create(dto: ScheduleDto, actor: Actor): Promise<ScheduleView> {
    const f = await this.fields(dto);
    return this.db.transaction(async (tx) => {
      const s = await new SchedulesRepository(tx).create(f);
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'schedule.created',
        actor,
        message: `schedule "${s.name}" (${s.cron} ${s.timezone}) created`,
        payload: { scheduleId: s.id },
      });
      return s;
    });
  }

  async update(id: string, dto: ScheduleDto, actor: Actor): Promise<ScheduleView> {
    const f = await this.fields(dto);
    return this.db.transaction(async (tx) => {
      const repo = new SchedulesRepository(tx);
      if (!(await repo.find(id))) throw new NotFoundException(`schedule ${id} not found`);
      const s = await repo.update(id, f);
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'schedule.updated',
        actor,
        message: `schedule "${s.name}" updated`,
        payload: { scheduleId: id },
      });
      return s;
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await new SchedulesRepository(tx).delete(id))) throw new NotFoundException(`schedule ${id} not found`);
      await new MachineEventsRepository(tx).insert({
        machineId: null,
        eventType: 'schedule.deleted',
        severity: 'warning',
        actor,
        message: `schedule ${id} deleted`,
        payload: { scheduleId: id },
      });
    });
  }

  list(): Promise<ScheduleView[]> {
    return new SchedulesRepository(this.db.prisma).list();
  }

  async get(id: string): Promise<ScheduleView> {
    const s = await new SchedulesRepository(this.db.prisma).find(id);
    if (!s) throw new NotFoundException(`schedule ${id} not found`);
    return s;
  }

  async runs(id: string, limit: number): Promise<RunView[]> {
    await this.get(id);
    return new ScheduleRunsRepository(this.db.prisma).listBySchedule(id, limit);
  }

  async run(runId: string): Promise<RunView> {
    const r = await new ScheduleRunsRepository(this.db.prisma).find(runId);
    if (!r) throw new NotFoundException(`schedule run ${runId} not found`);
    return r;
  }

  /** The next `count` instants, for a person checking what a cron means in its time zone. */
  async preview(id: string, count: number): Promise<string[]> {
    const s = await this.get(id);
    return nextRuns(s.cron, s.timezone, new Date(), count).map((d) => d.toISOString());
  }

  /**
   * What a schedule being written would do: its next instants (the same croner evaluation the scheduler fires by) and
   * the machines its scope matches now. Nothing is saved.
   */
  async previewDraft(dto: SchedulePreviewDto): Promise<SchedulePreview> {
    const cron = dto.cron.trim();
    const next = nextRuns(cron, dto.timezone ?? 'UTC', new Date(), dto.count ?? 5);
    const machineIds = await new ScheduleRunsRepository(this.db.prisma).machinesInScope(dto.scope);
    return { nextRuns: next.map((d) => d.toISOString()), machineIds };
  }
}
