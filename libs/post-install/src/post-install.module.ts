import { Module } from '@nestjs/common';
import { InstallCatalogueService } from './install-catalogue.service.ts';
import { RecipeRenderService } from './recipe-render.service.ts';
import { VariablePresetsService } from './variable-presets.service.ts';

@Module({
  providers: [InstallCatalogueService, RecipeRenderService, VariablePresetsService],
  exports: [InstallCatalogueService, RecipeRenderService, VariablePresetsService],
})
export class PostInstallModule {}
