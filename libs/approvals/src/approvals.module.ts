import { Module } from '@nestjs/common';
import { ActionRequestsService } from './action-requests.service.ts';

@Module({ providers: [ActionRequestsService], exports: [ActionRequestsService] })
export class ApprovalsModule {}
