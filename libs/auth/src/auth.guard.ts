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
import { assistantRefusal } from './assistant.rule.ts';
import { AuthService } from './auth.service.ts';
import { ASSISTANT_MAY_CALL_KEY, MACHINE_BINDING_KEY, type MachineBinding } from './machine-access.decorators.ts';
import { MachineScopeRule } from './machine-scope.rule.ts';
import { refuseWhilePasswordChangePending } from './password-change-gate.ts';
import { actorOf, type Principal } from './principal.ts';
import { CSRF_HEADER, sessionTokenOf } from './session-cookie.ts';

const SCOPE_KEY = 'su:required-scope';
const PUBLIC_KEY = 'su:public';

/** The scope a route needs. Routes without it need `read` for GET/HEAD and `admin` otherwise (fail closed). */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE_KEY, scope);
/** No token needed. A valid token sent anyway still sets the principal (`@CurrentPrincipalOrNull()`). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

interface RequestWithPrincipal {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string | undefined>;
  principal?: Principal;
  /** The bearer token the principal was authenticated with (the SSE stream re-checks it when tokens end). */
  bearer?: string;
}

type Targets = Parameters<Reflector['getAllAndOverride']>[1];

/**
 * Every request passes here (ADR 0004, ADR 0014, ADR 0015), in this order: authentication, a pending first-login
 * password change, the route's scope, the assistant rule (it proposes, never executes), the machine-scope rule.
 * Each step is one named function.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthService) private readonly auth: AuthService,
    @Inject(MachineScopeRule) private readonly machineScope: MachineScopeRule,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const req = ctx.switchToHttp().getRequest<RequestWithPrincipal>();
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      await this.authenticateIfGiven(req);
      return true;
    }
    const principal = await this.authenticate(req);
    refuseWhilePasswordChangePending(this.reflector, targets, principal);
    this.checkScope(principal, req.method, targets);
    this.refuseAssistantExecution(principal, req.method, targets);
    await this.machineScope.enforce(
      principal,
      this.reflector.getAllAndOverride<MachineBinding | undefined>(MACHINE_BINDING_KEY, targets),
      req,
    );
    req.principal = principal;
    return true;
  }

  private async authenticate(req: RequestWithPrincipal): Promise<Principal> {
    const token = bearerOf(req) ?? cookieTokenOf(req, true);
    if (!token) throw new UnauthorizedException('missing bearer token (Authorization: Bearer <token>)');
    const principal = await this.auth.authenticate(token);
    if (!principal) throw new UnauthorizedException('invalid, expired or revoked token');
    req.bearer = token;
    return principal;
  }

  /** Public routes that do more for a caller who proves who they are (`/ready?deep=1`). Never refuses. */
  private async authenticateIfGiven(req: RequestWithPrincipal): Promise<void> {
    const token = bearerOf(req) ?? cookieTokenOf(req, false);
    const principal = token ? await this.auth.authenticate(token) : null;
    if (principal) req.principal = principal;
  }

  private checkScope(principal: Principal, method: string, targets: Targets): void {
    const required =
      this.reflector.getAllAndOverride<Scope>(SCOPE_KEY, targets) ??
      (method === 'GET' || method === 'HEAD' ? 'read' : 'admin');
    if (!scopeSatisfies(principal.scopes, required)) {
      throw new ForbiddenException(
        `this action needs the "${required}" scope; the token has: ${principal.scopes.join(', ')}`,
      );
    }
  }

  private refuseAssistantExecution(principal: Principal, method: string, targets: Targets): void {
    const mayCall = this.reflector.getAllAndOverride<boolean>(ASSISTANT_MAY_CALL_KEY, targets) ?? false;
    const refusal = assistantRefusal(principal, method, mayCall);
    if (refusal) throw new ForbiddenException(refusal);
  }
}

function bearerOf(req: RequestWithPrincipal): string | null {
  const header = req.headers['authorization'];
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The session cookie, when no bearer token was sent (ADR 0019). An unsafe method authenticated by the cookie must
 * carry `X-Requested-With` (CSRF defence beyond SameSite=Strict): without it the request is refused before any work
 * (`refuse`), or, on a public route, handled as if no cookie came.
 */
function cookieTokenOf(req: RequestWithPrincipal, refuse: boolean): string | null {
  const token = sessionTokenOf(req.headers['cookie']);
  if (!token) return null;
  if (!SAFE_METHODS.has(req.method.toUpperCase()) && !req.headers[CSRF_HEADER]) {
    if (!refuse) return null;
    throw new ForbiddenException(
      `a request authenticated by the session cookie must send the ${CSRF_HEADER} header (CSRF defence)`,
    );
  }
  return token;
}

/** The authenticated principal of the request (set by AuthGuard). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const p = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!p) throw new UnauthorizedException();
  return p;
});

/** On a public route: the principal when a valid token was sent, else null. */
export const CurrentPrincipalOrNull = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | null =>
    ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal ?? null,
);

/** The bearer token of the request (for the SSE stream, which re-checks it when a token or session ends). */
export const CurrentBearer = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const t = ctx.switchToHttp().getRequest<RequestWithPrincipal>().bearer;
  if (!t) throw new UnauthorizedException();
  return t;
});

/** The caller as an Actor, for jobs and audit events. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const p = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!p) throw new UnauthorizedException();
  return actorOf(p);
});
