import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { AptAnalyzeHandler } from './apt-analyze.handler.ts';
import {
  AptAutoremoveHandler,
  AptCleanHandler,
  AptDistUpgradeHandler,
  AptUpgradeHandler,
  DpkgRepairHandler,
} from './apt-apply.handlers.ts';
import { DpkgRepairService } from './dpkg-repair.service.ts';
import { AptApplyService } from './apt-apply.service.ts';

const HANDLERS = [
  AptAnalyzeHandler,
  AptUpgradeHandler,
  AptDistUpgradeHandler,
  AptAutoremoveHandler,
  AptCleanHandler,
  DpkgRepairHandler,
];

@Module({
  imports: [MachineAccessModule],
  providers: [AptApplyService, DpkgRepairService, ...HANDLERS],
  exports: HANDLERS,
})
export class AptJobsModule {}

export const APT_HANDLERS = HANDLERS;
