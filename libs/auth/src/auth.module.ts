import { Module } from '@nestjs/common';
import { AdminBootstrapService } from './admin-bootstrap.service.ts';
import { ApiClientsService } from './api-clients.service.ts';
import { AuthGuard } from './auth.guard.ts';
import { AuthService } from './auth.service.ts';
import { MachineScopeRule } from './machine-scope.rule.ts';
import { TokenEndWatcher } from './token-end.watcher.ts';

@Module({
  providers: [AuthService, ApiClientsService, AdminBootstrapService, AuthGuard, MachineScopeRule, TokenEndWatcher],
  exports: [AuthService, ApiClientsService, AdminBootstrapService, AuthGuard, MachineScopeRule, TokenEndWatcher],
})
export class AuthModule {}
