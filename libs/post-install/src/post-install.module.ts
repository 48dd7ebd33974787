import { Module } from '@nestjs/common';
import { BuiltInProfilesSeeder } from './built-in/built-in-profiles.seeder.ts';
import { InstallCatalogueService } from './install-catalogue.service.ts';
import { PostInstallRunCheck } from './post-install-run.check.ts';
import { RecipeRenderService } from './recipe-render.service.ts';
import { VariablePresetsService } from './variable-presets.service.ts';

@Module({
  providers: [
    InstallCatalogueService,
    RecipeRenderService,
    VariablePresetsService,
    PostInstallRunCheck,
    BuiltInProfilesSeeder,
  ],
  exports: [InstallCatalogueService, RecipeRenderService, VariablePresetsService, PostInstallRunCheck],
})
export class PostInstallModule {}
