import type { DockerRootView } from '@su/contracts';
import type { DbClient } from '../database.ts';

type RootRow = {
  id: string;
  machineId: string;
  path: string;
  enabled: boolean;
  scanDepth: number | null;
  createdAt: Date;
  updatedAt: Date;
};

const view = (r: RootRow): DockerRootView => ({
  id: r.id,
  machineId: r.machineId,
  path: r.path,
  enabled: r.enabled,
  scanDepth: r.scanDepth,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

export class DockerRootsRepository {
  constructor(private readonly db: DbClient) {}

  async list(machineId: string): Promise<DockerRootView[]> {
    const rows = await this.db.dockerComposeRoot.findMany({ where: { machineId }, orderBy: { path: 'asc' } });
    return rows.map(view);
  }

  async find(machineId: string, id: string): Promise<DockerRootView | null> {
    const r = await this.db.dockerComposeRoot.findFirst({ where: { machineId, id } });
    return r ? view(r) : null;
  }

  async findByPath(machineId: string, path: string): Promise<DockerRootView | null> {
    const r = await this.db.dockerComposeRoot.findUnique({ where: { machineId_path: { machineId, path } } });
    return r ? view(r) : null;
  }

  async insert(machineId: string, r: { path: string; enabled: boolean; scanDepth: number | null }) {
    return view(await this.db.dockerComposeRoot.create({ data: { machineId, ...r } }));
  }

  async update(id: string, patch: { enabled?: boolean | undefined; scanDepth?: number | null | undefined }) {
    const data = {
      ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
      ...(patch.scanDepth === undefined ? {} : { scanDepth: patch.scanDepth }),
    };
    return view(await this.db.dockerComposeRoot.update({ where: { id }, data }));
  }

  async delete(id: string): Promise<void> {
    await this.db.dockerComposeRoot.delete({ where: { id } });
  }

  /** The roots a scan searches, each with its depth (the machine's when the root has none). */
  async enabledRoots(machineId: string, defaultDepth: number): Promise<{ path: string; depth: number }[]> {
    const rows = await this.db.dockerComposeRoot.findMany({
      where: { machineId, enabled: true },
      orderBy: { path: 'asc' },
    });
    return rows.map((r) => ({ path: r.path, depth: r.scanDepth ?? defaultDepth }));
  }
}
