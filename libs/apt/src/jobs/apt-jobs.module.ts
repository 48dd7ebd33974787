import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { AptAnalyzeHandler } from './apt-analyze.handler.ts';
import {
  AptAutoremoveHandler,
  AptCleanHandler,
  AptDistUpgradeHandler,
  AptUpgradeHandler,
} from './apt-apply.handlers.ts';
import { AptApplyService } from './apt-apply.service.ts';

const HANDLERS = [AptAnalyzeHandler, AptUpgradeHandler, AptDistUpgradeHandler, AptAutoremoveHandler, AptCleanHandler];

@Module({ imports: [MachineAccessModule], providers: [AptApplyService, ...HANDLERS], exports: HANDLERS })
export class AptJobsModule {}

export const APT_HANDLERS = HANDLERS;
