import { randomBytes, timingSafeEqual } from 'node:crypto';
import { BadRequestException, ForbiddenException, HttpException, Inject, Injectable } from '@nestjs/common';
import type { OidcConfig } from '@su/config';
import type { Actor } from '@su/contracts';
import { Database, MachineEventsRepository, OidcLoginStatesRepository } from '@su/db';
import { hashToken } from '@su/security';
import { AuthService, type LoginSession } from './auth.service.ts';
import { OidcAccountsService, type OidcUser } from './oidc-accounts.service.ts';
import { oidcBrowserCookie, type BrowserCookie } from './oidc-browser-cookie.ts';
import { groupsFromClaims } from './oidc-claims.ts';
import { OidcClientService, type OidcChecks, type OidcIdentityClaims } from './oidc-client.service.ts';
import { roleForGroups } from './oidc-role-mapping.ts';

/** A person has this long between leaving for the provider and coming back. */
const PENDING_TTL_MS = 10 * 60_000;
const MAX_STATE_LENGTH = 512;
const SYSTEM: Actor = { type: 'system', id: null, label: 'oidc' };

type Refusal = 'expired' | 'other_browser' | 'provider_refused' | 'no_role' | 'deactivated';

/**
 * Sign-in through OpenID Connect, from the redirect to the provider to a normal login session. The pending state
 * lives server-side (`oidc_login_states`), is single-use and expires; sign-ins and refusals are recorded as events
 * (never a token, code or secret).
 */
@Injectable()
export class OidcLoginService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(OidcClientService) private readonly client: OidcClientService,
    @Inject(OidcAccountsService) private readonly accounts: OidcAccountsService,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  /** Starts a sign-in: where to send the browser, and the cookie binding the sign-in to it. */
  async start(): Promise<{ redirectUrl: string; cookie: BrowserCookie }> {
    const settings = this.client.settings();
    const checks = OidcClientService.newChecks();
    // Built first: an unreachable provider fails the request before anything is stored.
    const redirectUrl = await this.client.authorizationUrl(checks);
    const handle = randomBytes(32).toString('base64url');
    const states = new OidcLoginStatesRepository(this.db.prisma);
    await states.deleteExpired();
    await states.create({
      stateHash: hashToken(checks.state),
      browserHash: hashToken(handle),
      nonce: checks.nonce,
      codeVerifier: checks.codeVerifier,
      expiresAt: new Date(Date.now() + PENDING_TTL_MS),
    });
    return { redirectUrl, cookie: oidcBrowserCookie(handle, settings.redirectUri, PENDING_TTL_MS) };
  }

  /** Where the browser cookie lives (to clear it on the callback, whatever its outcome). */
  browserCookiePath(): string {
    return oidcBrowserCookie('', this.client.settings().redirectUri, 0).options.path;
  }

  /**
   * Completes a sign-in from the callback's raw query string and the browser cookie's handle. 400 for a missing,
   * unknown, expired, used or other browser's state; 401 when the provider's answer does not verify; 403 when the
   * user's groups give no role here or the user is deactivated.
   */
  async finish(rawQuery: string, browserHandle: string | undefined): Promise<LoginSession> {
    const settings = this.client.settings();
    const checks = await this.takePending(rawQuery, browserHandle);
    const identity = await this.redeem(rawQuery, checks, settings.groupsClaim);
    const user = await this.admit(identity, settings);
    return this.auth.openSession(user, {
      eventType: 'auth.oidc_login',
      message: `"${user.username}" signed in through OIDC as ${user.role}`,
      payload: { role: user.role, created: user.created, issuer: identity.issuer },
    });
  }

  /** The pending sign-in of the callback's state, taken (deleted) before anything else: it serves once. */
  private async takePending(rawQuery: string, browserHandle: string | undefined): Promise<OidcChecks> {
    const states = new URLSearchParams(rawQuery).getAll('state');
    const state = states.length === 1 ? (states[0] ?? '') : '';
    if (!state || state.length > MAX_STATE_LENGTH) throw stateError('state is missing or malformed');
    const pending = await new OidcLoginStatesRepository(this.db.prisma).take(hashToken(state));
    // Unknown or already used: not recorded, as anyone can send these without end.
    if (!pending) throw stateError('this sign-in is unknown or already used; start again');
    if (pending.expiresAt.getTime() <= Date.now()) {
      await this.refused('expired', {});
      throw stateError('this sign-in has expired; start again');
    }
    if (!browserHandle || !sameHash(hashToken(browserHandle), pending.browserHash)) {
      await this.refused('other_browser', {});
      throw stateError('this sign-in was started in another browser; start again');
    }
    return { state, nonce: pending.nonce, codeVerifier: pending.codeVerifier };
  }

  /** The user this verified identity signs in as, with its role from its groups; 403 when refused. */
  private async admit(identity: OidcIdentityClaims, settings: OidcConfig): Promise<OidcUser & { created: boolean }> {
    const groups = groupsFromClaims(identity.claims, settings.groupsClaim);
    const role = roleForGroups(groups, settings.roleMap, settings.defaultRole);
    const who = { issuer: identity.issuer, subject: identity.subject };
    if (!role) {
      await this.refused('no_role', { ...who, groups });
      throw new ForbiddenException(
        'your groups at the OIDC provider give no role here; an administrator can map one (SU_OIDC_ROLE_MAP)',
      );
    }
    const outcome = await this.accounts.signIn(identity, role);
    if (!outcome.ok) {
      await this.refused('deactivated', who, { type: 'user', id: outcome.userId, label: outcome.username });
      throw new ForbiddenException('this account is deactivated');
    }
    return { ...outcome.user, created: outcome.created };
  }

  private async redeem(rawQuery: string, checks: OidcChecks, groupsClaim: string): Promise<OidcIdentityClaims> {
    try {
      return await this.client.redeem(rawQuery, checks, [groupsClaim, 'preferred_username']);
    } catch (err) {
      if (err instanceof HttpException && err.getStatus() === 401) await this.refused('provider_refused', {});
      throw err;
    }
  }

  private async refused(
    reason: Refusal,
    details: Record<string, string | string[]>,
    actor: Actor = SYSTEM,
  ): Promise<void> {
    await new MachineEventsRepository(this.db.prisma).insert({
      machineId: null,
      eventType: 'auth.oidc_refused',
      severity: 'warning',
      actor,
      message: `OIDC sign-in refused: ${reason.replace('_', ' ')}`,
      payload: { reason, ...details },
    });
  }
}

function stateError(reason: string): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: 'invalid request: state',
    errors: [{ field: 'state', reasons: [reason] }],
  });
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
