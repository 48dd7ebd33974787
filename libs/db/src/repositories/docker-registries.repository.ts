import type { DockerRegistryView } from '@su/contracts';
import type { DbClient } from '../database.ts';

/** A registry's settings and its credentials as stored (the password still encrypted). */
export interface DockerRegistryRecord {
  id: string;
  host: string;
  insecure: boolean;
  requestBudget: number | null;
  credential: { username: string; encPassword: string; keyId: string } | null;
}

type Row = {
  id: string;
  host: string;
  insecure: boolean;
  requestBudget: number | null;
  createdAt: Date;
  updatedAt: Date;
  credential: { username: string } | null;
};

const view = (r: Row): DockerRegistryView => ({
  id: r.id,
  host: r.host,
  insecure: r.insecure,
  requestBudget: r.requestBudget,
  hasCredentials: r.credential !== null,
  username: r.credential?.username ?? null,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

const withUser = { credential: { select: { username: true } } } as const;

export class DockerRegistriesRepository {
  constructor(private readonly db: DbClient) {}

  async list(): Promise<DockerRegistryView[]> {
    return (await this.db.dockerRegistry.findMany({ include: withUser, orderBy: { host: 'asc' } })).map(view);
  }

  async find(id: string): Promise<DockerRegistryView | null> {
    const r = await this.db.dockerRegistry.findUnique({ where: { id }, include: withUser });
    return r ? view(r) : null;
  }

  async upsert(r: { host: string; insecure: boolean; requestBudget: number | null }): Promise<DockerRegistryView> {
    const row = await this.db.dockerRegistry.upsert({
      where: { host: r.host },
      create: r,
      update: { insecure: r.insecure, requestBudget: r.requestBudget },
      include: withUser,
    });
    return view(row);
  }

  async delete(id: string): Promise<void> {
    await this.db.dockerRegistry.delete({ where: { id } });
  }

  async setCredential(registryId: string, c: { username: string; encPassword: string; keyId: string }): Promise<void> {
    await this.db.dockerRegistryCredential.upsert({
      where: { registryId },
      create: { registryId, ...c },
      update: c,
    });
  }

  async clearCredential(registryId: string): Promise<void> {
    await this.db.dockerRegistryCredential.deleteMany({ where: { registryId } });
  }

  /** Every registry with its encrypted credentials: for the docker-worker only, never for a response. */
  async records(): Promise<DockerRegistryRecord[]> {
    const rows = await this.db.dockerRegistry.findMany({ include: { credential: true } });
    return rows.map((r) => ({
      id: r.id,
      host: r.host,
      insecure: r.insecure,
      requestBudget: r.requestBudget,
      credential: r.credential
        ? { username: r.credential.username, encPassword: r.credential.encPassword, keyId: r.credential.keyId }
        : null,
    }));
  }
}
