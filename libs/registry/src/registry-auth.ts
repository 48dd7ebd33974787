// Registry authentication as the registry's WWW-Authenticate challenge asks (the Docker token protocol): Basic with
// the configured credentials, or Bearer with a token from the challenge's realm for `repository:<repo>:pull`
// (anonymous, or with the credentials as Basic when configured). A registry's challenge is remembered, so later
// requests carry the header at once instead of meeting a 401 first; tokens are cached per registry, account and
// scope until shortly before they expire. Credentials and tokens only ever travel in the Authorization header.
import { httpSend, type HttpAnswer } from './http-client.ts';
import { parseAuthChallenge, type AuthChallenge } from './http-headers.parser.ts';
import { RegistryError } from './registry-error.ts';
import type { RegistryRunState } from './registry-run-state.ts';
import type { ResolvedRegistry } from './registry-settings.ts';

/** Token lifetime when the endpoint does not say (the token protocol's default), and the safety margin. */
const DEFAULT_TOKEN_SECONDS = 60;
const EXPIRY_MARGIN_MS = 5_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

export interface AuthOptions {
  timeoutMs: number;
}

function basicHeader(reg: ResolvedRegistry): string {
  const c = reg.credentials ?? { username: '', password: '' };
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

export class RegistryAuth {
  private readonly challenges = new Map<string, AuthChallenge>();
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<CachedToken>>();

  constructor(private readonly opts: AuthOptions) {}

  /** The Authorization header for a request to `repository`, or null while the registry has not asked for one. */
  async headerFor(reg: ResolvedRegistry, repository: string, run: RegistryRunState): Promise<string | null> {
    const challenge = this.challenges.get(reg.registry);
    if (!challenge) return null;
    if (challenge.scheme === 'basic') return basicHeader(reg);
    const token = await this.token(reg, challenge, `repository:${repository}:pull`, run);
    return `Bearer ${token.token}`;
  }

  /**
   * A 401 answered a request that carried `sent` (or no header): remember the challenge so the retry carries
   * credentials, and forget the token only if it is the one refused — a concurrent request sent before the challenge
   * was known must not throw away the token another request just fetched. Throws `registry_auth_failed` when the
   * challenge cannot be met.
   */
  learn(reg: ResolvedRegistry, repository: string, header: string | null, sent: string | null): void {
    const challenge = parseAuthChallenge(header);
    if (!challenge) {
      throw new RegistryError('registry_auth_failed', `${reg.registry} refused the request without a usable challenge`);
    }
    if (challenge.scheme === 'basic' && !reg.credentials) {
      throw new RegistryError('registry_auth_failed', `${reg.registry} asks for credentials and none are configured`);
    }
    if (challenge.scheme === 'bearer' && !challenge.params['realm']) {
      throw new RegistryError('registry_auth_failed', `${reg.registry} sent a Bearer challenge without a realm`);
    }
    this.challenges.set(reg.registry, challenge);
    const key = this.tokenKey(reg, `repository:${repository}:pull`);
    if (sent !== null && sent === `Bearer ${this.tokens.get(key)?.token}`) this.tokens.delete(key);
  }

  /** A request that carried our header was refused again: the credentials (or anonymous access) are not enough. */
  refused(reg: ResolvedRegistry, repository: string): RegistryError {
    const who = reg.credentials ? 'the configured credentials' : 'anonymous access (no credentials configured)';
    return new RegistryError('registry_auth_failed', `${reg.registry} refused ${who} for ${repository}`);
  }

  private tokenKey(reg: ResolvedRegistry, scope: string): string {
    return `${reg.registry}\n${reg.credentials?.username ?? ''}\n${scope}`;
  }

  private async token(
    reg: ResolvedRegistry,
    challenge: AuthChallenge,
    scope: string,
    run: RegistryRunState,
  ): Promise<CachedToken> {
    const key = this.tokenKey(reg, scope);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = this.fetchToken(reg, challenge, scope, run).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return token;
  }

  private realmUrl(reg: ResolvedRegistry, challenge: AuthChallenge, scope: string): URL {
    let url: URL;
    try {
      url = new URL(challenge.params['realm'] ?? '');
    } catch {
      throw new RegistryError('registry_auth_failed', `${reg.registry} named an invalid token endpoint`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && reg.insecure)) {
      throw new RegistryError(
        'registry_insecure_refused',
        `${reg.registry} named a token endpoint that is not HTTPS; refused (the registry is not configured insecure)`,
      );
    }
    if (challenge.params['service']) url.searchParams.set('service', challenge.params['service']);
    url.searchParams.set('scope', scope);
    return url;
  }

  private async fetchToken(
    reg: ResolvedRegistry,
    challenge: AuthChallenge,
    scope: string,
    run: RegistryRunState,
  ): Promise<CachedToken> {
    const url = this.realmUrl(reg, challenge, scope);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (reg.credentials) headers['authorization'] = basicHeader(reg);
    run.countToken(reg.registry, reg.requestBudget);
    let res: HttpAnswer;
    try {
      res = await httpSend(url, { method: 'GET', headers, timeoutMs: this.opts.timeoutMs, maxBodyBytes: 1024 * 1024 });
    } catch {
      throw new RegistryError('registry_unreachable', `the token endpoint of ${reg.registry} could not be reached`);
    }
    if (res.status === 401 || res.status === 403) throw this.refused(reg, scope.split(':')[1] ?? '');
    if (!res.ok) {
      throw new RegistryError('registry_error', `the token endpoint of ${reg.registry} answered HTTP ${res.status}`);
    }
    return this.readToken(reg, res);
  }

  private readToken(reg: ResolvedRegistry, res: HttpAnswer): CachedToken {
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = res.json() as typeof body;
    } catch {
      throw new RegistryError('registry_error', `the token endpoint of ${reg.registry} answered with invalid JSON`);
    }
    const token = typeof body.token === 'string' ? body.token : body.access_token;
    if (typeof token !== 'string' || token === '') {
      throw new RegistryError('registry_error', `the token endpoint of ${reg.registry} answered without a token`);
    }
    const seconds =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    return { token, expiresAt: Date.now() + seconds * 1000 - EXPIRY_MARGIN_MS };
  }
}
