import { Module } from '@nestjs/common';
import { FleetStatsService } from './fleet-stats.service.ts';
import { MachineActionsService } from './machine-actions.service.ts';
import { MachinesService } from './machines.service.ts';

@Module({
  providers: [MachinesService, MachineActionsService, FleetStatsService],
  exports: [MachinesService, MachineActionsService, FleetStatsService],
})
export class MachinesModule {}
