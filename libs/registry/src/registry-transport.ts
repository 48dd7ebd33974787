// One request to a registry's API with everything the protocol around it needs: the run's budget and pauses, the
// Authorization header (and one retry after a 401 challenge), and 429 handling — wait as Retry-After says (or an
// exponential backoff when it does not) up to the run's limits, else report the registry as rate limited.
import { HttpFailure, httpSend, type HttpAnswer } from './http-client.ts';
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
  /** Largest body read (default 4 MiB). */
  maxBodyBytes?: number;
}

const USER_AGENT = 'system-update-registry-client';

function networkFailure(reg: ResolvedRegistry, err: unknown): RegistryError {
  const code = err instanceof HttpFailure && /^[A-Z0-9_]{2,40}$/.test(err.code) ? err.code : 'ERROR';
  if (code === 'TOO_LARGE') return new RegistryError('registry_error', `${reg.registry} sent an oversized answer`);
  if (code === 'TIMEOUT') return new RegistryError('registry_unreachable', `${reg.registry} did not answer in time`);
  return new RegistryError('registry_unreachable', `${reg.registry} could not be reached (${code})`);
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

  private async once(req: RegistryRequest, run: RegistryRunState): Promise<{ res: HttpAnswer; sent: string | null }> {
    const target = this.target(req);
    await run.beforeRequest(req.reg.registry, req.reg.requestBudget);
    const headers: Record<string, string> = { accept: req.accept, 'user-agent': USER_AGENT };
    const authorization = await this.auth.headerFor(req.reg, req.repository, run);
    if (authorization) headers['authorization'] = authorization;
    try {
      const res = await httpSend(target, {
        method: req.method,
        headers,
        timeoutMs: this.opts.timeoutMs,
        maxBodyBytes: req.maxBodyBytes ?? 4 * 1024 * 1024,
      });
      return { res, sent: authorization };
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw networkFailure(req.reg, err);
    }
  }

  /** Sends the request; returns the final response (2xx, 404 or another status for the caller to classify). */
  async send(req: RegistryRequest, run: RegistryRunState): Promise<HttpAnswer> {
    let challenged = false;
    for (let rateLimited = 0; ;) {
      const { res, sent } = await this.once(req, run);
      if (res.status === 401) {
        if (challenged) throw this.auth.refused(req.reg, req.repository);
        challenged = true;
        this.auth.learn(req.reg, req.repository, res.headers.get('www-authenticate'), sent);
        continue;
      }
      if (res.status !== 429) return res;
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
