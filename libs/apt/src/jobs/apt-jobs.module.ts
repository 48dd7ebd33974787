import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { AptAnalyzeHandler } from './apt-analyze.handler.ts';
import { AptApplyHandlers } from './apt-apply.handlers.ts';
import { DpkgRepairService } from './dpkg-repair.service.ts';
import { AptApplyService } from './apt-apply.service.ts';

@Module({
  imports: [MachineAccessModule],
  providers: [AptApplyService, DpkgRepairService, AptAnalyzeHandler, AptApplyHandlers],
  exports: [AptAnalyzeHandler, AptApplyHandlers],
})
export class AptJobsModule {}
