import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface InstallProfileRow {
  id: string;
  key: string | null;
  label: string;
  category: string;
  risk: string;
  enabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface RecipeVersionRow {
  id: string;
  recipeId: string;
  version: number;
  template: string;
  manifest: unknown;
  sha256: string;
  createdAt: Date;
  createdBy: string | null;
}

export interface RecipeRow {
  id: string;
  profileId: string;
  label: string;
  sourceType: string;
  risk: string | null;
  currentVersionId: string | null;
  enabled: boolean;
}

/** Profiles, their recipes and the recipes' versions (which are written once and never updated). */
export class InstallProfilesRepository {
  constructor(private readonly db: DbClient) {}

  listProfiles(): Promise<InstallProfileRow[]> {
    return this.db.installProfile.findMany({
      orderBy: [{ category: 'asc' }, { label: 'asc' }],
      omit: { manifest: true },
    });
  }

  findProfile(id: string): Promise<InstallProfileRow | null> {
    return this.db.installProfile.findUnique({ where: { id }, omit: { manifest: true } });
  }

  createProfile(p: {
    key?: string | null;
    label: string;
    category: string;
    risk: string;
    manifest?: Prisma.InputJsonValue;
  }): Promise<InstallProfileRow> {
    return this.db.installProfile.create({ data: { ...p }, omit: { manifest: true } });
  }

  /** The keys of the built-in profiles that exist (a fresh install has none until they are seeded). */
  async existingKeys(keys: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.installProfile.findMany({ where: { key: { in: [...keys] } }, select: { key: true } });
    return new Set(rows.map((r) => r.key).filter((k): k is string => k !== null));
  }

  recipesOf(profileId: string): Promise<RecipeRow[]> {
    return this.db.installRecipe.findMany({
      where: { profileId },
      orderBy: { createdAt: 'asc' },
      select: recipeSelect,
    });
  }

  findRecipe(id: string): Promise<RecipeRow | null> {
    return this.db.installRecipe.findUnique({ where: { id }, select: recipeSelect });
  }

  createRecipe(r: { profileId: string; label: string; sourceType: string; risk: string | null }): Promise<RecipeRow> {
    return this.db.installRecipe.create({ data: r, select: recipeSelect });
  }

  versionsOf(recipeId: string): Promise<RecipeVersionRow[]> {
    return this.db.installRecipeVersion.findMany({ where: { recipeId }, orderBy: { version: 'asc' } });
  }

  findVersion(id: string): Promise<RecipeVersionRow | null> {
    return this.db.installRecipeVersion.findUnique({ where: { id } });
  }

  /** The next version of a recipe, made current. Runs in the caller's transaction (the number is read then written). */
  async addVersion(v: {
    recipeId: string;
    template: string;
    manifest: Prisma.InputJsonValue;
    sha256: string;
    createdBy: string | null;
  }): Promise<RecipeVersionRow> {
    const last = await this.db.installRecipeVersion.aggregate({
      where: { recipeId: v.recipeId },
      _max: { version: true },
    });
    const row = await this.db.installRecipeVersion.create({ data: { ...v, version: (last._max.version ?? 0) + 1 } });
    await this.db.installRecipe.update({ where: { id: v.recipeId }, data: { currentVersionId: row.id } });
    return row;
  }
}

const recipeSelect = {
  id: true,
  profileId: true,
  label: true,
  sourceType: true,
  risk: true,
  currentVersionId: true,
  enabled: true,
} as const;
