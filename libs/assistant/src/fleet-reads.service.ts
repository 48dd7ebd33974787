import { readFile } from 'node:fs/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { MachineScope } from '@su/contracts';
import {
  AptPackagesRepository,
  AssistantReadsRepository,
  Database,
  ExecutionsRepository,
  ReportsRepository,
  ScheduleRunsRepository,
  SchedulesRepository,
  type ExecutionView,
  type OpenMessageFilter,
} from '@su/db';
import { dockerUpdateGroups } from './docker-update-groups.ts';

/** The most groups read before paging: more pending changes than this is a fleet to filter, not to list. */
const GROUPS_MAX = 2_000;

/** What the assistant's tools read of the fleet, each read through the caller's machine scope. */
@Injectable()
export class FleetReadsService {
  constructor(@Inject(Database) private readonly db: Database) {}

  private get reads() {
    return new AssistantReadsRepository(this.db.prisma);
  }

  pendingUpdates(scope: MachineScope | null) {
    return new AptPackagesRepository(this.db.prisma).pendingByDedupKey(GROUPS_MAX, scope);
  }

  async dockerUpdates(scope: MachineScope | null) {
    return dockerUpdateGroups(await this.reads.dockerUpdates(scope));
  }

  openMessages(f: OpenMessageFilter) {
    return this.reads.openMessages(f);
  }

  /** Each schedule with the status of its last run. */
  async schedules() {
    const runs = new ScheduleRunsRepository(this.db.prisma);
    const all = await new SchedulesRepository(this.db.prisma).list();
    return Promise.all(
      all.map(async (s) => {
        const [last] = await runs.listBySchedule(s.id, 1);
        return {
          id: s.id,
          name: s.name,
          enabled: s.enabled,
          cron: s.cron,
          timezone: s.timezone,
          actions: s.actions,
          scope: s.scope,
          approvalPolicy: s.approvalPolicy,
          nextRunAt: s.nextRunAt,
          lastRun: last
            ? { id: last.id, status: last.status, firedAt: last.firedAt, finishedAt: last.finishedAt }
            : null,
        };
      }),
    );
  }

  recentReports(scope: MachineScope | null, limit: number) {
    return this.reads.recentReports(scope, limit);
  }

  /** A machine's report and its Markdown (null when missing or its file is gone). */
  async report(machineId: string, reportId?: string) {
    const repo = new ReportsRepository(this.db.prisma);
    const r = reportId ? await repo.find(machineId, reportId) : (await repo.listByMachine(machineId, 1))[0];
    const markdown = r && (await readFile(r.path, 'utf8').catch(() => null));
    return r && markdown !== null && markdown !== undefined ? { report: r, markdown } : null;
  }

  /** A machine's execution (the latest finished one, of `action` when given), and its raw log when still kept. */
  async execution(
    machineId: string,
    q: { executionId?: string | undefined; action?: string | undefined },
  ): Promise<{ execution: ExecutionView; rawLog: { text: string; bytes: number } | null } | null> {
    const id = q.executionId ?? (await this.reads.latestExecutionId(machineId, q.action));
    const e = id ? await new ExecutionsRepository(this.db.prisma).find(id) : null;
    if (!e || e.machineId !== machineId) return null;
    const raw = await this.reads.rawLogOf(e.id);
    const text = raw && (await readFile(raw.path, 'utf8').catch(() => null));
    return {
      execution: e,
      rawLog: raw && typeof text === 'string' ? { text, bytes: Number(raw.bytes ?? Buffer.byteLength(text)) } : null,
    };
  }
}
