import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { PostInstallModule } from '../post-install.module.ts';
import { BootstrapHandler } from './bootstrap.handler.ts';
import { PostInstallRunHandler } from './post-install-run.handler.ts';

const HANDLERS = [PostInstallRunHandler, BootstrapHandler];

/** The post-install jobs, registered by the apt-worker (it owns their kinds). */
@Module({ imports: [MachineAccessModule, PostInstallModule], providers: HANDLERS, exports: HANDLERS })
export class PostInstallJobsModule {}

export const POST_INSTALL_HANDLERS = HANDLERS;
