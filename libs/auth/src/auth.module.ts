import { Module } from '@nestjs/common';
import { AdminBootstrapService } from './admin-bootstrap.service.ts';
import { ApiClientsService } from './api-clients.service.ts';
import { AuthGuard } from './auth.guard.ts';
import { AuthService } from './auth.service.ts';
import { MachineScopeRule } from './machine-scope.rule.ts';
import { OidcAccountsService } from './oidc-accounts.service.ts';
import { OidcClientService } from './oidc-client.service.ts';
import { OidcLoginService } from './oidc-login.service.ts';
import { TokenEndWatcher } from './token-end.watcher.ts';

@Module({
  providers: [
    AuthService,
    ApiClientsService,
    AdminBootstrapService,
    AuthGuard,
    MachineScopeRule,
    TokenEndWatcher,
    OidcClientService,
    OidcAccountsService,
    OidcLoginService,
  ],
  exports: [
    AuthService,
    ApiClientsService,
    AdminBootstrapService,
    AuthGuard,
    MachineScopeRule,
    TokenEndWatcher,
    OidcLoginService,
  ],
})
export class AuthModule {}
