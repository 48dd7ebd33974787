import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Actor, DockerRegistryView } from '@su/contracts';
import { Database, DockerRegistriesRepository, MachineEventsRepository } from '@su/db';
import { SECRET_BINDINGS, SecretBox } from '@su/security';
import type { DockerRegistryCredentialsDto, DockerRegistryDto } from './docker-api.dto.ts';

/** The associated data of a registry password: the ciphertext is only valid for that registry's row. */
export const registryPasswordAad = SECRET_BINDINGS.registryPassword;

/**
 * Registry settings and credentials. Credentials are encrypted at once (AES-256-GCM, like machine credentials) and
 * write-only: a view says whether some are set and the user name, never the password.
 */
@Injectable()
export class DockerRegistriesService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SecretBox) private readonly box: SecretBox,
  ) {}

  list(): Promise<DockerRegistryView[]> {
    return new DockerRegistriesRepository(this.db.prisma).list();
  }

  async upsert(dto: DockerRegistryDto, actor: Actor): Promise<DockerRegistryView> {
    return this.db.transaction(async (tx) => {
      const r = await new DockerRegistriesRepository(tx).upsert({
        host: dto.host.toLowerCase(),
        insecure: dto.insecure ?? false,
        requestBudget: dto.requestBudget ?? null,
      });
      await this.audit(tx, actor, 'docker.registry_saved', `registry ${r.host} saved`, { registryId: r.id });
      return r;
    });
  }

  async setCredentials(id: string, dto: DockerRegistryCredentialsDto, actor: Actor): Promise<DockerRegistryView> {
    const r = await this.mustExist(id);
    await this.db.transaction(async (tx) => {
      await new DockerRegistriesRepository(tx).setCredential(id, {
        username: dto.username,
        encPassword: this.box.encrypt(dto.password, registryPasswordAad(id)),
        keyId: this.box.keyId,
      });
      // Field names only: an audit event never carries a secret.
      await this.audit(tx, actor, 'docker.registry_credentials_set', `credentials of registry ${r.host} set`, {
        registryId: id,
        fields: ['username', 'password'],
      });
    });
    return await this.mustExist(id);
  }

  async clearCredentials(id: string, actor: Actor): Promise<void> {
    const r = await this.mustExist(id);
    await this.db.transaction(async (tx) => {
      await new DockerRegistriesRepository(tx).clearCredential(id);
      await this.audit(tx, actor, 'docker.registry_credentials_cleared', `credentials of registry ${r.host} removed`, {
        registryId: id,
      });
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    const r = await this.mustExist(id);
    await this.db.transaction(async (tx) => {
      await new DockerRegistriesRepository(tx).delete(id);
      await this.audit(tx, actor, 'docker.registry_removed', `registry ${r.host} removed`, { registryId: id });
    });
  }

  private async mustExist(id: string): Promise<DockerRegistryView> {
    const r = await new DockerRegistriesRepository(this.db.prisma).find(id);
    if (!r) throw new NotFoundException(`registry ${id} not found`);
    return r;
  }

  private audit(
    tx: Parameters<Parameters<Database['transaction']>[0]>[0],
    actor: Actor,
    eventType: string,
    message: string,
    payload: object,
  ) {
    return new MachineEventsRepository(tx).insert({ machineId: null, eventType, actor, message, payload });
  }
}
