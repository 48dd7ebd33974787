import { BadRequestException, HttpException, Inject, Injectable } from '@nestjs/common';
import { Database, InstallProfilesRepository } from '@su/db';
import { parseRecipeManifest } from '@su/templates';
import { RecipeRenderService } from './recipe-render.service.ts';

type FieldError = { field: string; reasons: string[] };

export interface PostInstallRunInput {
  recipeId?: string | undefined;
  recipeVersionId?: string | undefined;
  variables?: Record<string, unknown> | undefined;
}

function badRequest(errors: FieldError[]): BadRequestException {
  return new BadRequestException({
    message: `invalid request: ${errors.map((e) => e.field).join(', ')}`,
    errors,
  });
}

/**
 * What a post_install request must pass before a job or an action request is created: the recipe exists, its values
 * render (unknown, missing or wrongly typed variables are 400s naming them), no secret value travels in the request
 * (a job payload is stored: secret values come from the encrypted presets), and a high-risk profile is only run
 * through an approved action request (ADR 0011). Nothing is stored or run when it refuses.
 */
@Injectable()
export class PostInstallRunCheck {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(RecipeRenderService) private readonly renderer: RecipeRenderService,
  ) {}

  async check(machineId: string, input: PostInstallRunInput, how: 'direct' | 'request', prefix = ''): Promise<void> {
    if (!input.recipeId) return; // the action's own options check names the missing recipeId
    const repo = new InstallProfilesRepository(this.db.prisma);
    const recipe = await repo.findRecipe(input.recipeId);
    if (!recipe) throw badRequest([{ field: `${prefix}recipeId`, reasons: ['no such recipe'] }]);
    const profile = await repo.findProfile(recipe.profileId);
    const version = await repo.findVersion(input.recipeVersionId ?? recipe.currentVersionId ?? '');
    if (!version || version.recipeId !== recipe.id)
      throw badRequest([{ field: `${prefix}recipeVersionId`, reasons: ['not a version of this recipe'] }]);
    const manifest = parseRecipeManifest(version.manifest);
    const secrets = Object.keys(input.variables ?? {}).filter((n) => manifest.variables[n]?.type === 'secret');
    if (secrets.length)
      throw badRequest(
        secrets.map((n) => ({
          field: `${prefix}variables.${n}`,
          reasons: ['a secret value is never sent with a run; store it in a variable preset (kept encrypted)'],
        })),
      );
    if (how === 'direct' && profile?.risk === 'high')
      throw badRequest([
        {
          field: 'action',
          reasons: [`profile "${profile.label}" is high risk: it runs only through an approved action request`],
        },
      ]);
    await this.renderer
      .render({ recipeId: recipe.id, machineId, versionId: version.id, variables: input.variables })
      .catch((e: unknown) => {
        throw e instanceof HttpException && prefix ? prefixed(e, prefix) : e;
      });
  }
}

/** The render's field errors under the request body's own prefix (`options.variables.x`). */
function prefixed(e: HttpException, prefix: string): HttpException {
  const body = e.getResponse() as { errors?: FieldError[] };
  if (!body.errors) return e;
  return badRequest(body.errors.map((x) => ({ ...x, field: `${prefix}${x.field}` })));
}
