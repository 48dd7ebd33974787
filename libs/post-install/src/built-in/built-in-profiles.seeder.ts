import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Database, InstallProfilesRepository, type Prisma } from '@su/db';
import { checkedRecipeVersion } from '../recipe-input.ts';
import { BUILT_IN_PROFILES, type BuiltInProfile } from './built-in-profiles.ts';

/** Who wrote a built-in recipe's versions (never a person). */
export const BUILT_IN_AUTHOR = 'system-update (built-in)';

/**
 * Seeds the built-in profiles a fresh install must have, by their stable key: a missing one is created with its
 * recipe's version 1; an existing one is left as the people who use it changed it. Only the gateway seeds; two
 * gateways starting at once may both try: the unique key makes the second one's insert fail, which is then ignored.
 */
@Injectable()
export class BuiltInProfilesSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('BuiltInProfiles');

  constructor(@Inject(Database) private readonly db: Database) {}

  async onApplicationBootstrap(): Promise<void> {
    const existing = await new InstallProfilesRepository(this.db.prisma).existingKeys(
      BUILT_IN_PROFILES.map((p) => p.key),
    );
    for (const p of BUILT_IN_PROFILES.filter((x) => !existing.has(x.key))) {
      try {
        await this.seed(p);
        this.logger.log(`built-in profile ${p.key} added`);
      } catch (e) {
        // Another gateway seeded it first (unique key); anything else must not keep the gateway from starting.
        if ((e as { code?: string }).code !== 'P2002')
          this.logger.error(`built-in profile ${p.key} not added: ${(e as Error).message}`);
      }
    }
  }

  private seed(p: BuiltInProfile): Promise<void> {
    const manifest = p.recipe ? checkedRecipeVersion(p.recipe.template, p.recipe.manifest) : null;
    return this.db.transaction(async (tx) => {
      const repo = new InstallProfilesRepository(tx);
      const profile = await repo.createProfile({
        key: p.key,
        label: p.label,
        category: p.category,
        risk: p.risk,
        ...(p.profileManifest ? { manifest: p.profileManifest as Prisma.InputJsonValue } : {}),
      });
      if (!p.recipe || !manifest) return;
      const recipe = await repo.createRecipe({
        profileId: profile.id,
        label: p.recipe.label,
        sourceType: p.recipe.sourceType,
        risk: null,
      });
      await repo.addVersion({
        recipeId: recipe.id,
        template: p.recipe.template,
        manifest: manifest as Prisma.InputJsonValue,
        sha256: createHash('sha256').update(p.recipe.template).digest('hex'),
        createdBy: BUILT_IN_AUTHOR,
      });
    });
  }
}
