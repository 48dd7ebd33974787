import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { Database, InstallProfilesRepository, type RecipeVersionRow } from '@su/db';
import { parseRecipeManifest, renderScript, resolveVariables, type ResolvedVariable } from '@su/templates';
import { asBadRequest } from './recipe-input.ts';
import { VariablePresetsService } from './variable-presets.service.ts';

export interface RenderRequest {
  recipeId: string;
  machineId?: string | null | undefined;
  versionId?: string | undefined;
  variables?: Record<string, unknown> | undefined;
}

/** A render as the preview shows it and the run uses it; `secrets` stays in memory (the run hands it over on stdin). */
export interface RecipeRender {
  recipeId: string;
  profileId: string;
  recipeVersionId: string;
  version: number;
  script: string;
  sha256: string;
  check: string | null;
  sudo: boolean;
  timeoutSeconds: number;
  variables: ResolvedVariable[];
  secrets: Record<string, string>;
}

/** Renders a recipe version with presets (global, profile, machine) and the request's values, in that order. */
@Injectable()
export class RecipeRenderService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(VariablePresetsService) private readonly presets: VariablePresetsService,
  ) {}

  async render(req: RenderRequest): Promise<RecipeRender> {
    const repo = new InstallProfilesRepository(this.db.prisma);
    const recipe = await repo.findRecipe(req.recipeId);
    if (!recipe) throw new NotFoundException(`recipe ${req.recipeId} not found`);
    const versionId = req.versionId ?? recipe.currentVersionId;
    const version = versionId ? await repo.findVersion(versionId) : null;
    if (!version || version.recipeId !== recipe.id)
      throw new NotFoundException(`version ${versionId ?? '(none)'} of recipe ${recipe.id} not found`);
    const layers = await this.presets.layersFor(req.machineId ?? null, recipe.profileId);
    return asBadRequest(() =>
      renderVersion(version, recipe.profileId, [...layers, { source: 'request', values: req.variables ?? {} }]),
    );
  }
}

function renderVersion(
  version: RecipeVersionRow,
  profileId: string,
  layers: Parameters<typeof resolveVariables>[1],
): RecipeRender {
  const manifest = parseRecipeManifest(version.manifest);
  const resolved = resolveVariables(manifest, layers);
  const r = renderScript(version.template, manifest, resolved.values);
  return {
    recipeId: version.recipeId,
    profileId,
    recipeVersionId: version.id,
    version: version.version,
    script: r.script,
    sha256: r.sha256,
    check: r.check,
    sudo: manifest.sudo,
    timeoutSeconds: manifest.timeoutSeconds,
    variables: resolved.variables,
    secrets: r.secrets,
  };
}
