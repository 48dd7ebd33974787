import { readFile } from 'node:fs/promises';
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import {
  MACHINE_ACTIONS,
  type Actor,
  type JobView,
  type MachineAction,
  type MachineActionDefinition,
  type MachineScope,
} from '@su/contracts';
import {
  Database,
  ExecutionsRepository,
  ImportantMessagesRepository,
  MachinesRepository,
  PendingUpdatesRepository,
  RawArtifactsRepository,
  ReportsRepository,
  SnapshotsRepository,
} from '@su/db';
import { JobsService } from '@su/platform';
import { jobOfAction, misplacedActionOptions, type ActionOptions } from '@su/runs';
import type { PendingGroupMachinesQuery, PendingGroupsQuery } from './pending-updates.dto.ts';

/**
 * Actions a person must approve even when an operator asks: dpkg_repair reinstalls and configures whatever dpkg left
 * half-done, essential packages included (ADR 0018).
 */
function approvalOnly(action: MachineAction): { field: string; reasons: string[] }[] {
  const definition: MachineActionDefinition = MACHINE_ACTIONS[action];
  return definition.approvalOnly
    ? [
        {
          field: 'action',
          reasons: [`${action} runs only through an approved action request (POST /api/v1/action-requests)`],
        },
      ]
    : [];
}

/** Actions on a machine (queued as jobs) and what they left behind (snapshots, executions, messages, reports). */
@Injectable()
export class MachineActionsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  private async mustExist(machineId: string): Promise<void> {
    if (!(await new MachinesRepository(this.db.prisma).exists(machineId)))
      throw new NotFoundException(`machine ${machineId} not found`);
  }

  async request(machineId: string, action: MachineAction, opts: ActionOptions, actor: Actor): Promise<JobView> {
    const misplaced = [...misplacedActionOptions(action, opts), ...approvalOnly(action)];
    if (misplaced.length) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: `invalid request: ${misplaced.map((m) => m.field).join(', ')}`,
        errors: misplaced,
      });
    }
    // The caller's machine scope was checked by the guard before this (ADR 0014).
    await this.mustExist(machineId);
    return this.jobs.enqueue({ ...jobOfAction(action, opts), machineId, actor });
  }

  async latestSnapshot(machineId: string, kind: string) {
    await this.mustExist(machineId);
    const s = await new SnapshotsRepository(this.db.prisma).latest(machineId, kind);
    if (!s) throw new NotFoundException(`no ${kind} snapshot for machine ${machineId} yet`);
    return s;
  }

  async snapshots(machineId: string, kind: string | undefined, limit: number) {
    await this.mustExist(machineId);
    return new SnapshotsRepository(this.db.prisma).list(machineId, kind, limit);
  }

  async executions(machineId: string, limit: number) {
    await this.mustExist(machineId);
    return new ExecutionsRepository(this.db.prisma).listByMachine(machineId, limit);
  }

  async messages(machineId: string, includeAcknowledged: boolean, limit: number) {
    await this.mustExist(machineId);
    return new ImportantMessagesRepository(this.db.prisma).listByMachine(machineId, limit, includeAcknowledged);
  }

  async acknowledge(machineId: string, messageId: string, actor: Actor): Promise<void> {
    if (
      !(await new ImportantMessagesRepository(this.db.prisma).acknowledge(
        machineId,
        messageId,
        actor.label ?? actor.id ?? 'unknown',
      ))
    ) {
      throw new NotFoundException(`message ${messageId} not found on machine ${machineId}`);
    }
  }

  async reports(machineId: string, limit: number) {
    await this.mustExist(machineId);
    return new ReportsRepository(this.db.prisma).listByMachine(machineId, limit);
  }

  async reportFile(machineId: string, reportId: string): Promise<{ title: string; markdown: string }> {
    const r = await new ReportsRepository(this.db.prisma).find(machineId, reportId);
    if (!r) throw new NotFoundException(`report ${reportId} not found`);
    return { title: r.title, markdown: await readFile(r.path, 'utf8') };
  }

  /**
   * A job's raw log as the session wrote it: already redacted (the job's secrets never reach the file). 404 when the
   * artifact is not this machine's, or retention removed it.
   */
  async rawLog(machineId: string, artifactId: string): Promise<string> {
    const a = await new RawArtifactsRepository(this.db.prisma).findRawLog(machineId, artifactId);
    const text = a && (await readFile(a.path, 'utf8').catch(() => null));
    if (text === null || text === undefined) throw new NotFoundException(`raw log ${artifactId} not found`);
    return text;
  }

  /** Per machine (of `scope`, when given), its APT sources; and which machines have an older suite, a third-party or an unsigned source. */
  async repositories(scope: MachineScope | null) {
    const machines = await new SnapshotsRepository(this.db.prisma).latestRepositories(scope);
    const flagged = (flag: 'olderSuite' | 'thirdParty' | 'unsigned') =>
      machines
        .filter((m) => (m.repositories as { flags?: Record<string, boolean> }[]).some((r) => r.flags?.[flag]))
        .map((m) => m.machineId);
    return {
      machines,
      flagged: { olderSuite: flagged('olderSuite'), thirdParty: flagged('thirdParty'), unsigned: flagged('unsigned') },
    };
  }

  /** Fleet-wide groups, counted (no machine ids: those come per group); with `scope`, only its machines count. */
  pendingUpdates(q: PendingGroupsQuery, scope: MachineScope | null) {
    return new PendingUpdatesRepository(this.db.prisma).groups({
      limit: q.limit ?? 200,
      offset: q.offset ?? 0,
      securityOnly: q.securityOnly === 'true',
      scope,
    });
  }

  /** The machines that need one group, by page (those of `scope` only). */
  pendingUpdateMachines(q: PendingGroupMachinesQuery, scope: MachineScope | null) {
    return new PendingUpdatesRepository(this.db.prisma).groupMachines({
      dedupKey: q.dedupKey,
      held: q.held === 'true',
      limit: q.limit ?? 500,
      offset: q.offset ?? 0,
      scope,
    });
  }
}
