import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { FleetStatsService } from './fleet-stats.service.ts';
import { MachineActionsService } from './machine-actions.service.ts';
import { MachinesService } from './machines.service.ts';

@Module({
  imports: [MachineAccessModule],
  providers: [MachinesService, MachineActionsService, FleetStatsService],
  exports: [MachinesService, MachineActionsService, FleetStatsService],
})
export class MachinesModule {}
