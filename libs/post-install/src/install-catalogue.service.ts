import { createHash } from 'node:crypto';
import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Actor } from '@su/contracts';
import {
  BootstrapStateRepository,
  Database,
  InstallProfilesRepository,
  ProfileStateRepository,
  type Prisma,
} from '@su/db';
import type { CreateProfileDto, CreateRecipeDto, RecipeVersionDto } from './post-install.dto.ts';
import { checkedRecipeVersion } from './recipe-input.ts';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Profiles, recipes and versions. A recipe is never edited in place: a change is a new version, checked (manifest,
 * template) before anything is written, so a past run still shows the script it ran.
 */
@Injectable()
export class InstallCatalogueService {
  constructor(@Inject(Database) private readonly db: Database) {}

  private get repo() {
    return new InstallProfilesRepository(this.db.prisma);
  }

  listProfiles() {
    return this.repo.listProfiles();
  }

  async profile(id: string) {
    const p = await this.repo.findProfile(id);
    if (!p) throw new NotFoundException(`profile ${id} not found`);
    return { ...p, recipes: await this.repo.recipesOf(id) };
  }

  createProfile(dto: CreateProfileDto) {
    return this.repo.createProfile({ label: dto.label, category: dto.category, risk: dto.risk ?? 'low' });
  }

  async createRecipe(profileId: string, dto: CreateRecipeDto, actor: Actor) {
    const manifest = checkedRecipeVersion(dto.template, dto.manifest);
    await this.profile(profileId);
    return this.db.transaction(async (tx) => {
      const repo = new InstallProfilesRepository(tx);
      const recipe = await repo.createRecipe({
        profileId,
        label: dto.label,
        sourceType: dto.sourceType ?? 'custom',
        risk: null,
      });
      const version = await repo.addVersion(versionRow(recipe.id, dto.template, manifest, actor));
      return { ...recipe, currentVersionId: version.id, version: version.version };
    });
  }

  /** Editing a recipe: its next version becomes current; earlier versions stay as they were. */
  async addVersion(recipeId: string, dto: RecipeVersionDto, actor: Actor) {
    const manifest = checkedRecipeVersion(dto.template, dto.manifest);
    await this.recipe(recipeId);
    return this.db.transaction((tx) =>
      new InstallProfilesRepository(tx).addVersion(versionRow(recipeId, dto.template, manifest, actor)),
    );
  }

  async recipe(id: string) {
    const r = await this.repo.findRecipe(id);
    if (!r) throw new NotFoundException(`recipe ${id} not found`);
    return r;
  }

  /**
   * Each profile the machine ran: the status, the version it ran next to the recipe's current one, and `outdated`
   * when the recipe was edited since.
   */
  async machineStates(machineId: string) {
    const states = await new ProfileStateRepository(this.db.prisma).statesOf(machineId);
    return Promise.all(
      states.map(async (s) => {
        const current = s.recipeVersionId ? await this.currentVersionBeside(s.recipeVersionId) : null;
        return {
          ...s,
          currentVersion: current?.version ?? null,
          outdated: current !== null && s.version !== null && current.version > s.version,
        };
      }),
    );
  }

  /** The current version of the recipe that `versionId` is a version of. */
  private async currentVersionBeside(versionId: string) {
    const ran = await this.repo.findVersion(versionId);
    const recipe = ran && (await this.repo.findRecipe(ran.recipeId));
    return recipe?.currentVersionId ? this.repo.findVersion(recipe.currentVersionId) : null;
  }

  /** The machine's automation-user bootstrap: not_started until one ran. */
  async bootstrapState(machineId: string) {
    const s = await new BootstrapStateRepository(this.db.prisma).find(machineId);
    return s ?? { machineId, status: 'not_started', automationUser: null, lastAttemptAt: null, errorMessage: null };
  }

  async versions(recipeId: string) {
    await this.recipe(recipeId);
    return this.repo.versionsOf(recipeId);
  }
}

function versionRow(recipeId: string, template: string, manifest: object, actor: Actor) {
  return {
    recipeId,
    template,
    manifest: manifest as Prisma.InputJsonValue,
    sha256: sha256(template),
    createdBy: actor.label ?? actor.id,
  };
}
