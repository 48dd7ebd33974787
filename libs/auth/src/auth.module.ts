import { Module } from '@nestjs/common';
import { AdminBootstrapService } from './admin-bootstrap.service.ts';
import { ApiClientsService } from './api-clients.service.ts';
import { AuthGuard } from './auth.guard.ts';
import { AuthService } from './auth.service.ts';

@Module({
  providers: [AuthService, ApiClientsService, AdminBootstrapService, AuthGuard],
  exports: [AuthService, ApiClientsService, AdminBootstrapService, AuthGuard],
})
export class AuthModule {}
