import {
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import * as oidc from 'openid-client';
import type { AppConfig, OidcConfig } from '@su/config';
import { APP_CONFIG } from '@su/platform';
import type { Claims } from './oidc-claims.ts';

/** What the browser's callback must match: kept server-side between the redirect and the callback. */
export interface OidcChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The verified result of a callback: the ID token's claims, completed from the userinfo endpoint when needed. */
export interface OidcIdentityClaims {
  issuer: string;
  subject: string;
  claims: Claims;
}

/**
 * The relying-party side of OpenID Connect, on `openid-client`: discovery (once, retried after a failure),
 * the authorization URL (code flow, PKCE S256, state, nonce) and the code exchange. The ID token is checked by the
 * library for issuer, audience, expiry, nonce and, with non-repudiation checks on, its signature against the
 * provider's published keys (also when the token came over plain HTTP on loopback).
 */
@Injectable()
export class OidcClientService {
  private readonly logger = new Logger('Oidc');
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** The settings, or 404 for every OIDC route when sign-in through OIDC is not configured. */
  settings(): OidcConfig {
    if (!this.config.oidc) throw new NotFoundException('OIDC sign-in is not configured');
    return this.config.oidc;
  }

  /** Fresh random values for one sign-in. */
  static newChecks(): OidcChecks {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
  }

  async authorizationUrl(checks: OidcChecks): Promise<string> {
    const settings = this.settings();
    const cfg = await this.configuration();
    return oidc
      .buildAuthorizationUrl(cfg, {
        redirect_uri: settings.redirectUri,
        scope: settings.scopes.join(' '),
        response_type: 'code',
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
      })
      .toString();
  }

  /**
   * Completes the code flow for the callback's query string: checks state and `iss`, redeems the code with the PKCE
   * verifier, validates the ID token (nonce included) and returns its claims. Throws 401 when the answer does not
   * verify, 503 when the provider cannot be reached.
   */
  async redeem(callbackQuery: string, checks: OidcChecks, wantClaims: string[]): Promise<OidcIdentityClaims> {
    const settings = this.settings();
    const cfg = await this.configuration();
    // The URL the provider redirected to is the configured one (a reverse proxy may change what Express sees).
    const currentUrl = new URL(settings.redirectUri);
    currentUrl.search = callbackQuery;
    try {
      const tokens = await oidc.authorizationCodeGrant(cfg, currentUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const idClaims = tokens.claims();
      // idTokenExpected makes the library refuse an answer without an ID token; this only narrows the type.
      if (!idClaims) throw new Error('no ID token in the token response');
      const claims = await completeClaims(cfg, idClaims, tokens.access_token, wantClaims);
      return { issuer: idClaims.iss, subject: idClaims.sub, claims };
    } catch (err) {
      throw this.refusal(err);
    }
  }

  private configuration(): Promise<oidc.Configuration> {
    this.discovered ??= this.discover().catch((err: unknown) => {
      this.discovered = undefined;
      this.logger.warn(`discovery of the OIDC provider failed: ${describe(err)}`);
      throw new ServiceUnavailableException('the OIDC provider cannot be reached; try again later');
    });
    return this.discovered;
  }

  private async discover(): Promise<oidc.Configuration> {
    const settings = this.settings();
    const insecure = new URL(settings.issuer).protocol === 'http:';
    const found = await oidc.discovery(new URL(settings.issuer), settings.clientId, undefined, oidc.None(), {
      execute: insecure ? [oidc.allowInsecureRequests] : [],
      timeout: 10,
    });
    const server = found.serverMetadata();
    const secret = settings.clientSecret?.reveal();
    const cfg = new oidc.Configuration(server, settings.clientId, secret, clientAuth(server, secret));
    cfg.timeout = 10;
    oidc.enableNonRepudiationChecks(cfg);
    if (insecure) oidc.allowInsecureRequests(cfg);
    this.logger.log(`OIDC provider discovered (issuer ${server.issuer})`);
    return cfg;
  }

  private refusal(err: unknown): Error {
    if (err instanceof ServiceUnavailableException) return err;
    if (isNetworkError(err)) {
      this.logger.warn(`the OIDC provider could not be reached: ${describe(err)}`);
      return new ServiceUnavailableException('the OIDC provider cannot be reached; try again later');
    }
    this.logger.warn(`OIDC sign-in refused: ${describe(err)}`);
    if (err instanceof oidc.AuthorizationResponseError) {
      return new UnauthorizedException('the OIDC provider did not complete the sign-in');
    }
    return new UnauthorizedException("the OIDC provider's answer could not be verified; start the sign-in again");
  }
}

/**
 * The ID token's claims, completed from the userinfo endpoint when some wanted claim is missing: many providers
 * release profile and group claims there only. The ID token's values win (userinfo is checked for the same `sub`).
 */
async function completeClaims(
  cfg: oidc.Configuration,
  idClaims: oidc.IDToken,
  accessToken: string,
  wantClaims: string[],
): Promise<Claims> {
  const missing = wantClaims.some((c) => !Object.hasOwn(idClaims, c));
  if (!missing || !accessToken || !cfg.serverMetadata().userinfo_endpoint) return { ...idClaims };
  const userinfo = await oidc.fetchUserInfo(cfg, accessToken, idClaims.sub);
  return { ...userinfo, ...idClaims };
}

/** Secret clients use HTTP Basic when the provider takes it (the OIDC default), else the form body. */
function clientAuth(server: oidc.ServerMetadata, secret: string | undefined): oidc.ClientAuth {
  if (!secret) return oidc.None();
  const methods = server.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  return methods.includes('client_secret_basic') || !methods.includes('client_secret_post')
    ? oidc.ClientSecretBasic(secret)
    : oidc.ClientSecretPost(secret);
}

function isNetworkError(err: unknown): boolean {
  const name = (err as { name?: unknown })?.name;
  return (
    (err instanceof TypeError && err.message === 'fetch failed') || name === 'TimeoutError' || name === 'AbortError'
  );
}

/**
 * A log line for a failed OIDC step: the kind, code and message of the error and of the error that caused it
 * (openid-client wraps the precise one), never other properties (which may carry the provider's answer or claims).
 */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown error';
  const cause = err.cause instanceof Error ? ` (${describeOne(err.cause)})` : '';
  return `${describeOne(err)}${cause}`;
}

function describeOne(err: Error): string {
  const code = (err as { code?: unknown }).code;
  // `error` may come from the callback's query string: only a well-formed OAuth error code is worth logging.
  const oauthError = (err as { error?: unknown }).error;
  const safeError = typeof oauthError === 'string' && /^[a-z_]{1,64}$/.test(oauthError) ? oauthError : '';
  return [err.name, typeof code === 'string' ? code : '', safeError, err.message].filter(Boolean).join(': ');
}
