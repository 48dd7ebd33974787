import { Module } from '@nestjs/common';
import { MachinesService } from './machines.service.ts';

@Module({ providers: [MachinesService], exports: [MachinesService] })
export class MachinesModule {}
