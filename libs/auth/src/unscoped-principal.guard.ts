import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Principal } from './principal.ts';

/**
 * For routes that hand out power over every machine (users): a machine-scoped API client or the assistant
 * (`hermes`) is refused whatever its scope says, so it cannot create or promote an unscoped account. Runs after the
 * global AuthGuard, which set the principal.
 */
@Injectable()
export class UnscopedPrincipalGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const p = ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (p?.type === 'api_client' && (p.machineScope || p.clientKind === 'hermes')) {
      throw new ForbiddenException(
        'users are managed by people or by unscoped admin tokens; a machine-scoped or assistant token may not',
      );
    }
    return true;
  }
}
