import { Module } from '@nestjs/common';
import { MachineActionsService } from './machine-actions.service.ts';
import { MachinesService } from './machines.service.ts';

@Module({ providers: [MachinesService, MachineActionsService], exports: [MachinesService, MachineActionsService] })
export class MachinesModule {}
