import { Module } from '@nestjs/common';
import { AdminBootstrapService } from './admin-bootstrap.service.ts';
import { ApiClientsService } from './api-clients.service.ts';
import { AuthGuard } from './auth.guard.ts';
import { AuthService } from './auth.service.ts';
import { LoginThrottleService } from './login-throttle.service.ts';
import { LoginService } from './login.service.ts';
import { MachineScopeRule } from './machine-scope.rule.ts';
import { OidcAccountsService } from './oidc-accounts.service.ts';
import { OidcClientService } from './oidc-client.service.ts';
import { OidcLoginService } from './oidc-login.service.ts';
import { PasswordChangeService } from './password-change.service.ts';
import { SessionsService } from './sessions.service.ts';
import { UserPreferencesService } from './user-preferences.service.ts';
import { TokenEndWatcher } from './token-end.watcher.ts';
import { TotpService } from './totp.service.ts';
import { UsersService } from './users.service.ts';
import { UpgradeAuthenticator } from './upgrade-authenticator.ts';

const services = [
  AuthService,
  LoginService,
  LoginThrottleService,
  TotpService,
  PasswordChangeService,
  SessionsService,
  UserPreferencesService,
  UsersService,
  ApiClientsService,
  AdminBootstrapService,
  AuthGuard,
  MachineScopeRule,
  TokenEndWatcher,
  OidcClientService,
  OidcAccountsService,
  OidcLoginService,
  UpgradeAuthenticator,
];

@Module({ providers: services, exports: services })
export class AuthModule {}
