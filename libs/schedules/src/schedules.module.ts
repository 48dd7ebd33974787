import { Module } from '@nestjs/common';
import { SchedulesService } from './schedules.service.ts';

@Module({ providers: [SchedulesService], exports: [SchedulesService] })
export class SchedulesModule {}
