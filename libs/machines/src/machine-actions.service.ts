import { readFile } from 'node:fs/promises';
import { BadRequestException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { MACHINE_ACTIONS, machineScopeRefusal, type Actor, type JobView, type MachineAction } from '@su/contracts';
import {
  ApiClientsRepository,
  AptPackagesRepository,
  Database,
  ExecutionsRepository,
  ImportantMessagesRepository,
  MachinesRepository,
  ReportsRepository,
  SnapshotsRepository,
} from '@su/db';
import { JobsService } from '@su/platform';

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

  /** An API client limited to a machine scope may not act outside it (403, nothing queued). */
  private async mustBeInScope(machineId: string, actor: Actor): Promise<void> {
    if (actor.type !== 'api_client' || !actor.id) return;
    const scope = await new ApiClientsRepository(this.db.prisma).machineScope(actor.id);
    if (!scope) return;
    const machine = await new MachinesRepository(this.db.prisma).findView(machineId);
    const refusal = machine
      ? machineScopeRefusal(scope, machine)
      : `machine ${machineId} is outside this API client's machine scope`;
    if (refusal) throw new ForbiddenException(refusal);
  }

  async request(
    machineId: string,
    action: MachineAction,
    opts: { packages?: string[] | undefined; maxWaitSeconds?: number | undefined },
    actor: Actor,
  ): Promise<JobView> {
    // Options that belong to another action are refused, not silently dropped.
    const misplaced = [
      ...(opts.packages && action !== 'apt_upgrade'
        ? [{ field: 'packages', reasons: ['packages is only allowed with the apt_upgrade action'] }]
        : []),
      ...(opts.maxWaitSeconds !== undefined && action !== 'reboot_verified'
        ? [{ field: 'maxWaitSeconds', reasons: ['maxWaitSeconds is only allowed with the reboot_verified action'] }]
        : []),
      // It reinstalls and configures whatever dpkg left half-done, essential packages included: a person approves it.
      ...(action === 'dpkg_repair'
        ? [
            {
              field: 'action',
              reasons: ['dpkg_repair runs only through an approved action request (POST /api/v1/action-requests)'],
            },
          ]
        : []),
    ];
    if (misplaced.length) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: `invalid request: ${misplaced.map((m) => m.field).join(', ')}`,
        errors: misplaced,
      });
    }
    await this.mustExist(machineId);
    await this.mustBeInScope(machineId, actor);
    const kind = MACHINE_ACTIONS[action];
    const payload = (
      kind === 'apt.upgrade' && opts.packages
        ? { packages: opts.packages }
        : kind === 'machine.reboot_verified' && opts.maxWaitSeconds
          ? { maxWaitSeconds: opts.maxWaitSeconds }
          : {}
    ) as never;
    return this.jobs.enqueue({ kind, payload, machineId, actor });
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

  /** Per machine, its APT sources; and which machines have an older suite, a third-party or an unsigned source. */
  async repositories() {
    const machines = await new SnapshotsRepository(this.db.prisma).latestRepositories();
    const flagged = (flag: 'olderSuite' | 'thirdParty' | 'unsigned') =>
      machines
        .filter((m) => (m.repositories as { flags?: Record<string, boolean> }[]).some((r) => r.flags?.[flag]))
        .map((m) => m.machineId);
    return {
      machines,
      flagged: { olderSuite: flagged('olderSuite'), thirdParty: flagged('thirdParty'), unsigned: flagged('unsigned') },
    };
  }

  pendingUpdates(limit: number) {
    return new AptPackagesRepository(this.db.prisma).pendingByDedupKey(limit);
  }
}
