import { Module } from '@nestjs/common';
import { MaintenanceRunHandler } from './maintenance-run.handler.ts';

/** The maintenance run's coordinator, registered by the apt-worker (ADR 0031). */
@Module({ providers: [MaintenanceRunHandler], exports: [MaintenanceRunHandler] })
export class MaintenanceJobsModule {}
