import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface MachineProfileStateRow {
  profileId: string;
  status: string;
  recipeVersionId: string | null;
  version: number | null;
  lastExecutionId: string | null;
  lastRunAt: Date | null;
  variables: unknown;
}

export interface PresetRow {
  id: string;
  scope: string;
  machineId: string | null;
  profileId: string | null;
  name: string;
  variables: unknown;
  encSecrets: string | null;
}

/** Per-machine profile state and the variable presets that feed a render. */
export class ProfileStateRepository {
  constructor(private readonly db: DbClient) {}

  statesOf(machineId: string): Promise<MachineProfileStateRow[]> {
    return this.db.machineProfileState.findMany({
      where: { machineId },
      select: {
        profileId: true,
        status: true,
        recipeVersionId: true,
        version: true,
        lastExecutionId: true,
        lastRunAt: true,
        variables: true,
      },
    });
  }

  async record(s: {
    machineId: string;
    profileId: string;
    status: string;
    recipeVersionId: string;
    version: number;
    lastExecutionId: string | null;
    variables: Prisma.InputJsonValue;
  }): Promise<void> {
    const { machineId, profileId, ...rest } = s;
    const data = { ...rest, lastRunAt: new Date() };
    await this.db.machineProfileState.upsert({
      where: { machineId_profileId: { machineId, profileId } },
      create: { machineId, profileId, ...data },
      update: data,
    });
  }

  /** The presets that apply to a render on this machine for this profile: global, the profile's, the machine's. */
  presetsFor(machineId: string | null, profileId: string): Promise<PresetRow[]> {
    return this.db.scriptVariablesPreset.findMany({
      where: {
        OR: [
          { scope: 'global' },
          { scope: 'profile', profileId },
          ...(machineId ? [{ scope: 'machine', machineId }] : []),
        ],
      },
      orderBy: { createdAt: 'asc' },
    });
  }

  listPresets(): Promise<Omit<PresetRow, 'encSecrets'>[]> {
    return this.db.scriptVariablesPreset.findMany({
      orderBy: { createdAt: 'asc' },
      omit: { encSecrets: true, createdAt: true, updatedAt: true },
    });
  }

  createPreset(p: {
    id: string;
    scope: string;
    machineId: string | null;
    profileId: string | null;
    name: string;
    variables: Prisma.InputJsonValue;
    encSecrets: string | null;
  }): Promise<{ id: string }> {
    return this.db.scriptVariablesPreset.create({ data: p, select: { id: true } });
  }
}
