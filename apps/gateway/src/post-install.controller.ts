import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentActor, ForMachine, RequireScope } from '@su/auth';
import type { Actor } from '@su/contracts';
import {
  CreatePresetDto,
  CreateProfileDto,
  CreateRecipeDto,
  InstallCatalogueService,
  RecipeRenderService,
  RecipeVersionDto,
  RenderDto,
  VariablePresetsService,
} from '@su/post-install';

const uuid = new ParseUUIDPipe();

/** What a preview shows: everything of a render but the secret values (kept for a run only). */
function preview(r: Awaited<ReturnType<RecipeRenderService['render']>>) {
  const { secrets: _secrets, ...shown } = r;
  return shown;
}

@ApiTags('post-install')
@ApiBearerAuth()
@Controller('api/v1')
export class PostInstallController {
  constructor(
    @Inject(InstallCatalogueService) private readonly catalogue: InstallCatalogueService,
    @Inject(RecipeRenderService) private readonly renderer: RecipeRenderService,
    @Inject(VariablePresetsService) private readonly presets: VariablePresetsService,
  ) {}

  @Get('install-profiles')
  @RequireScope('read')
  profiles() {
    return this.catalogue.listProfiles();
  }

  @Post('install-profiles')
  @RequireScope('admin')
  createProfile(@Body() dto: CreateProfileDto) {
    return this.catalogue.createProfile(dto);
  }

  @Get('install-profiles/:id')
  @RequireScope('read')
  profile(@Param('id', uuid) id: string) {
    return this.catalogue.profile(id);
  }

  @Post('install-profiles/:id/recipes')
  @RequireScope('admin')
  @ApiOperation({
    summary: 'A recipe and its version 1; the manifest and template are checked before anything is stored.',
  })
  createRecipe(@Param('id', uuid) id: string, @Body() dto: CreateRecipeDto, @CurrentActor() actor: Actor) {
    return this.catalogue.createRecipe(id, dto, actor);
  }

  @Get('install-recipes/:id/versions')
  @RequireScope('read')
  versions(@Param('id', uuid) id: string) {
    return this.catalogue.versions(id);
  }

  @Post('install-recipes/:id/versions')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Edit a recipe: its next version becomes current; past versions and runs are kept.' })
  addVersion(@Param('id', uuid) id: string, @Body() dto: RecipeVersionDto, @CurrentActor() actor: Actor) {
    return this.catalogue.addVersion(id, dto, actor);
  }

  @Post('install-recipes/:id/render')
  @RequireScope('read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Preview: the exact script (secrets as references), each variable and where it came from.' })
  async render(@Param('id', uuid) id: string, @Body() dto: RenderDto) {
    return preview(await this.renderer.render({ recipeId: id, versionId: dto.versionId, variables: dto.variables }));
  }

  @Post('machines/:id/install-recipes/:recipeId/render')
  @RequireScope('read')
  @ForMachine()
  @HttpCode(200)
  @ApiOperation({ summary: "Preview for this machine: its presets apply (global, profile, then the machine's)." })
  async renderForMachine(
    @Param('id', uuid) id: string,
    @Param('recipeId', uuid) recipeId: string,
    @Body() dto: RenderDto,
  ) {
    return preview(
      await this.renderer.render({ recipeId, machineId: id, versionId: dto.versionId, variables: dto.variables }),
    );
  }

  @Get('machines/:id/profile-state')
  @RequireScope('read')
  @ForMachine()
  @ApiOperation({ summary: 'Each profile the machine ran: status, the version it ran, its last execution.' })
  machineStates(@Param('id', uuid) id: string) {
    return this.catalogue.machineStates(id);
  }

  @Get('machines/:id/bootstrap-state')
  @RequireScope('read')
  @ForMachine()
  @ApiOperation({
    summary: "The machine's automation-user bootstrap: status, the user, when it last ran, why it failed.",
  })
  bootstrapState(@Param('id', uuid) id: string) {
    return this.catalogue.bootstrapState(id);
  }

  @Get('variable-presets')
  @RequireScope('admin')
  listPresets() {
    return this.presets.list();
  }

  @Post('variable-presets')
  @RequireScope('admin')
  @ApiOperation({
    summary: 'A preset (global, profile or machine scope); secret values are stored encrypted, never returned.',
  })
  createPreset(@Body() dto: CreatePresetDto) {
    return this.presets.create(dto);
  }
}
