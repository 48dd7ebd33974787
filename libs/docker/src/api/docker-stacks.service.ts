import { BadRequestException, ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Actor, DockerRootView, DockerStackChoice, MachineScope } from '@su/contracts';
import {
  Database,
  DockerAlertsRepository,
  DockerImageEventsRepository,
  DockerRootsRepository,
  DockerSettingsRepository,
  DockerStacksRepository,
  MachineEventsRepository,
  MachinesRepository,
} from '@su/db';
import { JobsService } from '@su/platform';
import type { CreateDockerRootDto, DockerSettingsDto, UpdateDockerRootDto } from './docker-api.dto.ts';

/** The API side of Docker on a machine: roots, stacks and their choice, settings, alerts, image history. */
@Injectable()
export class DockerStacksService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(JobsService) private readonly jobs: JobsService,
  ) {}

  private async mustExist(machineId: string): Promise<void> {
    if (!(await new MachinesRepository(this.db.prisma).exists(machineId)))
      throw new NotFoundException(`machine ${machineId} not found`);
  }

  async roots(machineId: string): Promise<DockerRootView[]> {
    await this.mustExist(machineId);
    return new DockerRootsRepository(this.db.prisma).list(machineId);
  }

  async addRoot(machineId: string, dto: CreateDockerRootDto, actor: Actor): Promise<DockerRootView> {
    await this.mustExist(machineId);
    if (dto.path.split('/').includes('..') || dto.path.split('/').includes('.'))
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid request: path',
        errors: [{ field: 'path', reasons: ['path must not contain . or .. components'] }],
      });
    return this.db.transaction(async (tx) => {
      const repo = new DockerRootsRepository(tx);
      if (await repo.findByPath(machineId, dto.path))
        throw new ConflictException(`root ${dto.path} is already declared for this machine`);
      const root = await repo.insert(machineId, {
        path: dto.path,
        enabled: dto.enabled ?? true,
        scanDepth: dto.scanDepth ?? null,
      });
      await this.audit(tx, machineId, actor, 'docker.root_added', `compose root ${dto.path} added`, {
        rootId: root.id,
      });
      return root;
    });
  }

  async updateRoot(machineId: string, rootId: string, dto: UpdateDockerRootDto, actor: Actor) {
    await this.mustRoot(machineId, rootId);
    return this.db.transaction(async (tx) => {
      const root = await new DockerRootsRepository(tx).update(rootId, dto);
      await this.audit(tx, machineId, actor, 'docker.root_changed', `compose root ${root.path} changed`, { rootId });
      return root;
    });
  }

  async deleteRoot(machineId: string, rootId: string, actor: Actor): Promise<void> {
    const root = await this.mustRoot(machineId, rootId);
    await this.db.transaction(async (tx) => {
      await new DockerRootsRepository(tx).delete(rootId);
      await this.audit(tx, machineId, actor, 'docker.root_removed', `compose root ${root.path} removed`, { rootId });
    });
  }

  private async mustRoot(machineId: string, rootId: string): Promise<DockerRootView> {
    await this.mustExist(machineId);
    const root = await new DockerRootsRepository(this.db.prisma).find(machineId, rootId);
    if (!root) throw new NotFoundException(`root ${rootId} not found on machine ${machineId}`);
    return root;
  }

  async stacks(machineId: string) {
    await this.mustExist(machineId);
    return new DockerStacksRepository(this.db.prisma).list(machineId);
  }

  async stack(machineId: string, stackId: string) {
    await this.mustExist(machineId);
    const s = await new DockerStacksRepository(this.db.prisma).find(machineId, stackId);
    if (!s) throw new NotFoundException(`stack ${stackId} not found on machine ${machineId}`);
    return s;
  }

  async setChoice(machineId: string, stackId: string, choice: DockerStackChoice, actor: Actor) {
    const s = await this.stack(machineId, stackId);
    await this.db.transaction(async (tx) => {
      await new DockerStacksRepository(tx).setChoice(stackId, choice);
      await this.audit(tx, machineId, actor, 'docker.stack_status', `stack ${s.name}: ${choice}`, { stackId, choice });
    });
    return this.stack(machineId, stackId);
  }

  async settings(machineId: string) {
    await this.mustExist(machineId);
    return new DockerSettingsRepository(this.db.prisma).get(machineId);
  }

  async updateSettings(machineId: string, dto: DockerSettingsDto, actor: Actor) {
    await this.mustExist(machineId);
    await this.db.transaction(async (tx) => {
      await new DockerSettingsRepository(tx).update(machineId, dto);
      await this.audit(tx, machineId, actor, 'docker.settings_changed', 'Docker settings changed', {
        fields: Object.keys(dto),
      });
    });
    return this.settings(machineId);
  }

  async alerts(machineId: string, openOnly: boolean) {
    await this.mustExist(machineId);
    return new DockerAlertsRepository(this.db.prisma).list(machineId, openOnly, 200);
  }

  async acknowledgeAlert(machineId: string, alertId: string, actor: Actor): Promise<void> {
    await this.mustExist(machineId);
    const ok = await new DockerAlertsRepository(this.db.prisma).acknowledge(
      machineId,
      alertId,
      actor.label ?? actor.id ?? actor.type,
      new Date(),
    );
    if (!ok) throw new NotFoundException(`no unacknowledged alert ${alertId} on machine ${machineId}`);
  }

  async imageEvents(machineId: string, limit: number) {
    await this.mustExist(machineId);
    return new DockerImageEventsRepository(this.db.prisma).listByMachine(machineId, limit);
  }

  fleetUpdates(scope: MachineScope | null) {
    return new DockerStacksRepository(this.db.prisma).fleetUpdates(scope);
  }

  /** A check of every image of the fleet at once: one registry request per unique reference. */
  fleetCheck(actor: Actor) {
    return this.jobs.enqueue({ kind: 'docker.check', payload: {}, machineId: null, actor });
  }

  private audit(
    tx: Parameters<Parameters<Database['transaction']>[0]>[0],
    machineId: string,
    actor: Actor,
    eventType: string,
    message: string,
    payload: object,
  ) {
    return new MachineEventsRepository(tx).insert({ machineId, eventType, actor, message, payload });
  }
}
