// One request to a registry's API with everything the protocol around it needs: the run's budget and pauses, the
// Authorization header (and one retry after a 401 challenge), and 429 handling — wait as Retry-After says (or an
// exponential backoff when it does not) up to the run's limits, else report the registry as rate limited.
import { parseRetryAfter } from './http-headers.parser.ts';
import type { RegistryAuth } from './registry-auth.ts';
import { RegistryError } from './registry-error.ts';
import type { RegistryRunState } from './registry-run-state.ts';
import type { ResolvedRegistry } from './registry-settings.ts';

export interface TransportOptions {
  timeoutMs: number;
  /** Retries after 429 for one request. */
  maxRateLimitRetries: number;
  /** The longest Retry-After the run waits; a longer one ends the run's requests to that registry. */
  maxRetryAfterMs: number;
  /** First backoff when a 429 has no Retry-After; doubled each time. */
  baseBackoffMs: number;
}

export interface RegistryRequest {
  reg: ResolvedRegistry;
  repository: string;
  method: 'HEAD' | 'GET';
  /** Path and query under the registry's base URL, or an absolute URL on it (a Link header's next page). */
  url: string;
  accept: string;
}

function networkFailure(reg: ResolvedRegistry, err: unknown): RegistryError {
  const cause = (err as { cause?: { code?: unknown } })?.cause?.code;
  const code = typeof cause === 'string' && /^[A-Z_]{2,40}$/.test(cause) ? ` (${cause})` : '';
  const timedOut = err instanceof Error && err.name === 'TimeoutError';
  return new RegistryError(
    'registry_unreachable',
    timedOut ? `${reg.registry} did not answer in time` : `${reg.registry} could not be reached${code}`,
  );
}

export class RegistryTransport {
  constructor(
    private readonly auth: RegistryAuth,
    private readonly opts: TransportOptions,
  ) {}

  private target(req: RegistryRequest): URL {
    const url = new URL(req.url, req.reg.baseUrl);
    if (url.origin !== new URL(req.reg.baseUrl).origin) {
      throw new RegistryError('registry_error', `${req.reg.registry} pointed a next page at another host`);
    }
    return url;
  }

  private async once(req: RegistryRequest, run: RegistryRunState): Promise<Response> {
    await run.beforeRequest(req.reg.registry, req.reg.requestBudget);
    const headers: Record<string, string> = { accept: req.accept };
    const authorization = await this.auth.headerFor(req.reg, req.repository, run);
    if (authorization) headers['authorization'] = authorization;
    try {
      return await fetch(this.target(req), {
        method: req.method,
        headers,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw networkFailure(req.reg, err);
    }
  }

  /** Sends the request; returns the final response (2xx, 404 or another status for the caller to classify). */
  async send(req: RegistryRequest, run: RegistryRunState): Promise<Response> {
    let challenged = false;
    for (let rateLimited = 0; ;) {
      const res = await this.once(req, run);
      if (res.status === 401) {
        await res.body?.cancel();
        if (challenged) throw this.auth.refused(req.reg, req.repository);
        challenged = true;
        this.auth.learn(req.reg, req.repository, res.headers.get('www-authenticate'));
        continue;
      }
      if (res.status !== 429) return res;
      await res.body?.cancel();
      const told = parseRetryAfter(res.headers.get('retry-after'), Date.now());
      const waitMs = told ?? this.opts.baseBackoffMs * 2 ** rateLimited;
      rateLimited++;
      if (rateLimited > this.opts.maxRateLimitRetries || waitMs > this.opts.maxRetryAfterMs) {
        run.giveUp(req.reg.registry, req.reg.requestBudget, waitMs);
      }
      run.pause(req.reg.registry, req.reg.requestBudget, waitMs);
    }
  }
}
