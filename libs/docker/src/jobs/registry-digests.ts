import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import { Database, DockerRegistriesRepository } from '@su/db';
import { APP_CONFIG } from '@su/platform';
import {
  RegistryClient,
  type DigestCheck,
  type RegistryCheckRun,
  type RegistrySettings,
  type VersionCheck,
} from '@su/registry';
import { SecretBox } from '@su/security';
import { registryPasswordAad } from '../api/docker-registries.service.ts';

export type DigestAnswer = DigestCheck;
export type VersionAnswer = VersionCheck;
export type RegistryRun = RegistryCheckRun;

/**
 * The docker-worker's door to the registries (libs/registry): one client for the worker's life, so tokens and the
 * digest cache survive between checks; configured before each run from the registry settings and the credentials
 * of the database (decrypted here, in memory only, never logged).
 */
@Injectable()
export class RegistryDigests {
  private readonly client: RegistryClient;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SecretBox) private readonly box: SecretBox,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.client = new RegistryClient({ cacheTtlMs: config.docker.digestCacheSeconds * 1000 });
  }

  async startRun(): Promise<RegistryRun> {
    const records = await new DockerRegistriesRepository(this.db.prisma).records();
    const settings: RegistrySettings[] = records.map((r) => ({
      registry: r.host,
      insecure: r.insecure,
      ...(r.requestBudget ? { requestBudget: r.requestBudget } : {}),
      credentials: r.credential
        ? {
            username: r.credential.username,
            password: this.box.decrypt(r.credential.encPassword, registryPasswordAad(r.id)),
          }
        : null,
    }));
    this.client.configure(settings);
    return this.client.startRun();
  }
}
