import { randomUUID } from 'node:crypto';
import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { Database, ProfileStateRepository, type PresetRow, type Prisma } from '@su/db';
import { SECRET_BINDINGS, SecretBox } from '@su/security';
import type { VariableLayer } from '@su/templates';
import type { CreatePresetDto } from './post-install.dto.ts';

const LAYER_ORDER = { global: 0, profile: 1, machine: 2 } as const;

/** The presets' secret values: encrypted with the preset's id as associated data, never returned. */
const secretsData = SECRET_BINDINGS.presetSecrets;

@Injectable()
export class VariablePresetsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SecretBox) private readonly box: SecretBox,
  ) {}

  list() {
    return new ProfileStateRepository(this.db.prisma).listPresets();
  }

  async create(dto: CreatePresetDto): Promise<{ id: string }> {
    const errors: { field: string; reasons: string[] }[] = [];
    if (dto.scope === 'machine' && !dto.machineId)
      errors.push({ field: 'machineId', reasons: ['required for scope machine'] });
    if (dto.scope === 'profile' && !dto.profileId)
      errors.push({ field: 'profileId', reasons: ['required for scope profile'] });
    for (const [k, v] of Object.entries(dto.secrets ?? {}))
      if (typeof v !== 'string') errors.push({ field: `secrets.${k}`, reasons: ['must be a string'] });
    if (errors.length) throw new BadRequestException({ message: 'invalid request', errors });
    const id = randomUUID();
    const secrets = dto.secrets && Object.keys(dto.secrets).length ? dto.secrets : null;
    return new ProfileStateRepository(this.db.prisma).createPreset({
      id,
      scope: dto.scope,
      machineId: dto.scope === 'machine' ? (dto.machineId ?? null) : null,
      profileId: dto.scope === 'profile' ? (dto.profileId ?? null) : null,
      name: dto.name,
      variables: dto.variables as Prisma.InputJsonValue,
      encSecrets: secrets ? this.box.encrypt(JSON.stringify(secrets), secretsData(id)) : null,
    });
  }

  /** The layers a render uses, global first, then the profile's, then the machine's (later wins). */
  async layersFor(machineId: string | null, profileId: string): Promise<VariableLayer[]> {
    const rows = await new ProfileStateRepository(this.db.prisma).presetsFor(machineId, profileId);
    return rows
      .sort(
        (a, b) => LAYER_ORDER[a.scope as keyof typeof LAYER_ORDER] - LAYER_ORDER[b.scope as keyof typeof LAYER_ORDER],
      )
      .map((r) => ({ source: `preset:${r.scope}` as VariableLayer['source'], values: this.valuesOf(r) }));
  }

  private valuesOf(r: PresetRow): Record<string, unknown> {
    const plain = (r.variables ?? {}) as Record<string, unknown>;
    if (!r.encSecrets) return plain;
    return { ...plain, ...(JSON.parse(this.box.decrypt(r.encSecrets, secretsData(r.id))) as Record<string, string>) };
  }
}
