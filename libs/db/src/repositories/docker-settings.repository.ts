import type { DbClient } from '../database.ts';

export interface DockerSettingsView {
  enabled: boolean;
  scanDepth: number;
  pruneMode: string;
  lastScanAt: string | null;
  lastPullCheckAt: string | null;
}

const DEFAULTS: DockerSettingsView = {
  enabled: true,
  scanDepth: 4,
  pruneMode: 'safe',
  lastScanAt: null,
  lastPullCheckAt: null,
};

export class DockerSettingsRepository {
  constructor(private readonly db: DbClient) {}

  /** The machine's Docker settings, or the defaults when none were saved. */
  async get(machineId: string): Promise<DockerSettingsView> {
    const s = await this.db.dockerSettings.findUnique({ where: { machineId } });
    if (!s) return { ...DEFAULTS };
    return {
      enabled: s.enabled,
      scanDepth: s.scanDepth,
      pruneMode: s.pruneMode,
      lastScanAt: s.lastScanAt?.toISOString() ?? null,
      lastPullCheckAt: s.lastPullCheckAt?.toISOString() ?? null,
    };
  }

  async update(
    machineId: string,
    patch: { enabled?: boolean | undefined; scanDepth?: number | undefined; pruneMode?: string | undefined },
  ): Promise<void> {
    const data = {
      ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
      ...(patch.scanDepth === undefined ? {} : { scanDepth: patch.scanDepth }),
      ...(patch.pruneMode === undefined ? {} : { pruneMode: patch.pruneMode }),
    };
    await this.db.dockerSettings.upsert({ where: { machineId }, create: { machineId, ...data }, update: data });
  }

  async markScanned(machineId: string, at: Date): Promise<void> {
    await this.db.dockerSettings.upsert({
      where: { machineId },
      create: { machineId, lastScanAt: at },
      update: { lastScanAt: at },
    });
  }

  async markChecked(machineIds: readonly string[], at: Date): Promise<void> {
    for (const machineId of machineIds)
      await this.db.dockerSettings.upsert({
        where: { machineId },
        create: { machineId, lastPullCheckAt: at },
        update: { lastPullCheckAt: at },
      });
  }
}
