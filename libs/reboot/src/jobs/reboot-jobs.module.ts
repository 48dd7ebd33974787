import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { RebootVerifiedHandler } from './reboot-verified.handler.ts';

@Module({ imports: [MachineAccessModule], providers: [RebootVerifiedHandler], exports: [RebootVerifiedHandler] })
export class RebootJobsModule {}
