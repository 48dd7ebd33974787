import { randomUUID } from 'node:crypto';
import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import type {
  Actor,
  MachineCredentialsInput,
  MachineEventView,
  MachineListSort,
  MachineScope,
  MachineView,
} from '@su/contracts';
import { Database, MachineEventsRepository, MachinesRepository, type Tx } from '@su/db';
import { credentialFieldsGiven, encryptCredentials, HostKeyTrustService } from '@su/machine-access';
import { JobsService } from '@su/platform';
import { SecretBox } from '@su/security';
import type { HostKeyInfo } from '@su/ssh';
import type { CreateMachineDto, UpdateMachineDto } from './machine.dto.ts';

export interface CreateMachineOptions {
  seenHostKey?: HostKeyInfo;
  onCreated?: (tx: Tx, machineId: string) => Promise<void>;
}

/** Machine inventory: every change is written with its audit event in one transaction. */
@Injectable()
export class MachinesService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(JobsService) private readonly jobs: JobsService,
    @Inject(HostKeyTrustService) private readonly hostKeys: HostKeyTrustService,
  ) {}

  /**
   * `opts.seenHostKey`: a host key the admin was shown (discovery), trusted before the first probe connects;
   * `opts.onCreated` runs in the same transaction (e.g. the discovery candidate marked as added).
   */
  async create(dto: CreateMachineDto, actor: Actor, opts: CreateMachineOptions = {}): Promise<MachineView> {
    const id = randomUUID();
    await this.db.transaction(async (tx) => {
      const machines = new MachinesRepository(tx);
      const creds = dto.credentials ? encryptCredentials(this.box, id, dto.credentials) : null;
      await machines.create(
        {
          id,
          name: dto.name,
          hostname: dto.hostname,
          port: dto.port ?? 22,
          username: dto.username,
          machineKind: dto.machineKind,
          notes: dto.notes,
        },
        creds,
      );
      if (dto.tags?.length) await machines.setTags(id, dto.tags);
      const target = { machineId: id, hostname: dto.hostname, port: dto.port ?? 22 };
      if (opts.seenHostKey) await this.hostKeys.trustSeenKey(tx, target, opts.seenHostKey, actor);
      await opts.onCreated?.(tx, id);
      await new MachineEventsRepository(tx).insert({
        machineId: id,
        eventType: 'machine.created',
        actor,
        message: `machine "${dto.name}" (${dto.username}@${dto.hostname}:${dto.port ?? 22}) added`,
        payload: { credentialFields: dto.credentials ? credentialFieldsGiven(dto.credentials) : [] },
      });
      // A machine with credentials is probed at once, so its tile fills without anyone asking.
      if (creds) await this.jobs.enqueueIn(tx, { kind: 'machine.probe', payload: {}, machineId: id, actor });
    });
    return this.get(id);
  }

  async get(id: string): Promise<MachineView> {
    const m = await new MachinesRepository(this.db.prisma).findView(id);
    if (!m) throw new NotFoundException(`machine ${id} not found`);
    return m;
  }

  /** With `scope` (the caller's machine scope), only the machines it admits, counted the same way. */
  async list(q: {
    tag?: string | undefined;
    scope?: MachineScope | null | undefined;
    limit: number;
    offset: number;
  }): Promise<{ items: MachineView[]; total: number }> {
    return new MachinesRepository(this.db.prisma).listPage(q);
  }

  /** The same page as JSON text, as stored: the tiles API sends it without parsing or serialising it (ADR 0040). */
  async listJson(q: {
    tag?: string | undefined;
    scope?: MachineScope | null | undefined;
    limit: number;
    offset: number;
    sort?: MachineListSort | undefined;
  }): Promise<string> {
    return new MachinesRepository(this.db.prisma).listPageJson(q);
  }

  async update(id: string, dto: UpdateMachineDto, actor: Actor): Promise<MachineView> {
    await this.inTxForExisting(id, async (machines, events) => {
      await assertProxyComplete(machines, id, dto);
      await machines.update(id, dto);
      // The DTO class declares every field; only the ones sent were changed.
      const fields = Object.keys(dto).filter((k) => dto[k as keyof UpdateMachineDto] !== undefined);
      await events.insert({
        machineId: id,
        eventType: 'machine.updated',
        actor,
        message: `machine updated: ${fields.join(', ') || 'nothing'}`,
        payload: { fields },
      });
    });
    return this.get(id);
  }

  async setCredentials(id: string, creds: MachineCredentialsInput, actor: Actor): Promise<MachineView> {
    await this.inTxForExisting(id, async (machines, events, tx) => {
      await machines.upsertCredentials(id, encryptCredentials(this.box, id, creds));
      await events.insert({
        machineId: id,
        eventType: 'machine.credentials_changed',
        severity: 'warning',
        actor,
        message: `credentials replaced (${creds.authMethod}, sudo ${creds.sudoMode})`,
        payload: { credentialFields: credentialFieldsGiven(creds) },
      });
      await this.jobs.enqueueIn(tx, { kind: 'machine.probe', payload: {}, machineId: id, actor });
    });
    return this.get(id);
  }

  async setTags(id: string, tags: string[], actor: Actor): Promise<MachineView> {
    await this.inTxForExisting(id, async (machines, events) => {
      await machines.setTags(id, tags);
      await events.insert({
        machineId: id,
        eventType: 'machine.tags_changed',
        actor,
        message: `tags set to [${tags.join(', ')}]`,
        payload: { tags },
      });
    });
    return this.get(id);
  }

  /** Soft delete: history stays for audit; the machine disappears from lists and cannot be targeted. */
  async remove(id: string, actor: Actor): Promise<void> {
    await this.inTxForExisting(id, async (machines, events) => {
      await machines.softDelete(id);
      // Nothing may connect to a deleted machine any more: its secrets have no reason to stay.
      await machines.deleteCredentials(id);
      await events.insert({
        machineId: id,
        eventType: 'machine.deleted',
        severity: 'warning',
        actor,
        message: 'machine deleted',
      });
    });
  }

  /** Queues a probe (on demand; one also runs after a machine is added or its credentials change). */
  async probe(id: string, actor: Actor) {
    await this.get(id);
    return this.jobs.enqueue({ kind: 'machine.probe', payload: {}, machineId: id, actor });
  }

  async events(id: string, limit: number): Promise<MachineEventView[]> {
    await this.get(id);
    return new MachineEventsRepository(this.db.prisma).listByMachine(id, limit);
  }

  private async inTxForExisting(
    id: string,
    fn: (machines: MachinesRepository, events: MachineEventsRepository, tx: Tx) => Promise<void>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const machines = new MachinesRepository(tx);
      if (!(await machines.exists(id))) throw new NotFoundException(`machine ${id} not found`);
      await fn(machines, new MachineEventsRepository(tx), tx);
    });
  }
}

/** A proxy mode other than direct needs a URL, given now or already stored (the DTO validated its shape). */
async function assertProxyComplete(machines: MachinesRepository, id: string, dto: UpdateMachineDto): Promise<void> {
  if (dto.aptProxyMode === undefined && dto.aptProxyUrl === undefined) return;
  const current = await machines.aptProxy(id);
  const mode = dto.aptProxyMode ?? current.mode;
  const url = dto.aptProxyUrl === undefined ? current.url : dto.aptProxyUrl;
  if (mode !== 'direct' && !url)
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid request: aptProxyUrl',
      errors: [{ field: 'aptProxyUrl', reasons: [`aptProxyUrl is required when aptProxyMode is ${mode}`] }],
    });
}
