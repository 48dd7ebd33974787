import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { RecipeRenderService } from '../recipe-render.service.ts';
import { VariablePresetsService } from '../variable-presets.service.ts';
import { BootstrapHandler } from './bootstrap.handler.ts';
import { PostInstallRunHandler } from './post-install-run.handler.ts';

const HANDLERS = [PostInstallRunHandler, BootstrapHandler];

/**
 * The post-install jobs, registered by the apt-worker (it owns their kinds). Only the render services, not the whole
 * PostInstallModule: the built-in profiles are seeded by the gateway alone.
 */
@Module({
  imports: [MachineAccessModule],
  providers: [RecipeRenderService, VariablePresetsService, ...HANDLERS],
  exports: HANDLERS,
})
export class PostInstallJobsModule {}

export const POST_INSTALL_HANDLERS = HANDLERS;
