import { Module } from '@nestjs/common';
import { MachineAccessModule } from '@su/machine-access';
import { MachineProbeHandler } from './machine-probe.handler.ts';

@Module({ imports: [MachineAccessModule], providers: [MachineProbeHandler], exports: [MachineProbeHandler] })
export class InventoryModule {}
