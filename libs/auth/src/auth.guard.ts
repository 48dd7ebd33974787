import {
  createParamDecorator,
  ForbiddenException,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { scopeSatisfies, type Scope } from '@su/contracts';
import { AuthService } from './auth.service.ts';
import { refuseWhilePasswordChangePending } from './password-change-gate.ts';
import { actorOf, type Principal } from './principal.ts';

const SCOPE_KEY = 'su:required-scope';
const PUBLIC_KEY = 'su:public';

/** The scope a route needs. Routes without it need `read` for GET/HEAD and `admin` otherwise (fail closed). */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_KEY, scope);
export const Public = () => SetMetadata(PUBLIC_KEY, true);

interface RequestWithPrincipal {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
    const header = req.headers['authorization'];
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('missing bearer token (Authorization: Bearer <token>)');
    const principal = await this.auth.authenticate(match[1]!);
    if (!principal) throw new UnauthorizedException('invalid, expired or revoked token');
    refuseWhilePasswordChangePending(this.reflector, targets, principal);
    const required =
      this.reflector.getAllAndOverride<Scope>(SCOPE_KEY, targets) ??
      (req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'admin');
    if (!scopeSatisfies(principal.scopes, required)) {
      throw new ForbiddenException(
        `this action needs the "${required}" scope; the token has: ${principal.scopes.join(', ')}`,
      );
    }
    req.principal = principal;
    return true;
  }
}

/** The authenticated principal of the request (set by AuthGuard). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const p = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!p) throw new UnauthorizedException();
  return p;
});

/** The caller as an Actor, for jobs and audit events. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const p = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!p) throw new UnauthorizedException();
  return actorOf(p);
});
