// What one check run knows per registry: requests sent against its budget, a pause the registry asked for (429 with
// Retry-After; every request to that registry waits it out, not just the one that was told) and, once a registry
// asked for a longer wait than the run accepts, that it is rate limited for the rest of the run.
import { RegistryError } from './registry-error.ts';

export interface RegistryRunStats {
  registry: string;
  /** Requests sent to the registry itself (manifests, tag lists, retries). */
  requests: number;
  /** Requests to the registry's token endpoint (Bearer auth). */
  tokenRequests: number;
  budget: number;
  /** 429 answers received. */
  rateLimited: number;
  /** How long requests to this registry were held back as it asked (ms, overlapping waits counted once). */
  waitedMs: number;
}

interface PerRegistry extends RegistryRunStats {
  pausedUntil: number;
  limitedUntil: number | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class RegistryRunState {
  private readonly registries = new Map<string, PerRegistry>();

  entry(registry: string, budget: number): PerRegistry {
    let e = this.registries.get(registry);
    if (!e) {
      e = {
        registry,
        requests: 0,
        tokenRequests: 0,
        budget,
        rateLimited: 0,
        waitedMs: 0,
        pausedUntil: 0,
        limitedUntil: null,
      };
      this.registries.set(registry, e);
    }
    return e;
  }

  /** Called before each request: waits out a pause, fails when the budget is spent or the registry gave up on us. */
  async beforeRequest(registry: string, budget: number): Promise<void> {
    const e = this.entry(registry, budget);
    for (;;) {
      this.failIfLimited(e);
      const wait = e.pausedUntil - Date.now();
      if (wait <= 0) break;
      await sleep(wait);
    }
    if (e.requests >= e.budget) {
      throw new RegistryError(
        'registry_budget_exhausted',
        `not checked: the request budget of ${e.budget} for ${registry} is spent in this run`,
      );
    }
    e.requests++;
  }

  private failIfLimited(e: PerRegistry): void {
    if (e.limitedUntil === null) return;
    const seconds = Math.max(0, Math.ceil((e.limitedUntil - Date.now()) / 1000));
    throw new RegistryError(
      'registry_rate_limited',
      `not checked: ${e.registry} is rate limiting this server (HTTP 429)`,
      {
        retryAfterSeconds: seconds,
      },
    );
  }

  countToken(registry: string, budget: number): void {
    this.entry(registry, budget).tokenRequests++;
  }

  /** A 429: pause every request to the registry for `waitMs`. */
  pause(registry: string, budget: number, waitMs: number): void {
    const e = this.entry(registry, budget);
    e.rateLimited++;
    const now = Date.now();
    const until = now + waitMs;
    if (until > e.pausedUntil) {
      e.waitedMs += until - Math.max(e.pausedUntil, now);
      e.pausedUntil = until;
    }
  }

  /** A 429 asking for more than the run accepts: stop asking this registry for the rest of the run. */
  giveUp(registry: string, budget: number, waitMs: number): never {
    const e = this.entry(registry, budget);
    e.rateLimited++;
    e.limitedUntil = Date.now() + waitMs;
    this.failIfLimited(e);
    throw new Error('unreachable');
  }

  stats(): RegistryRunStats[] {
    return [...this.registries.values()].map(
      ({ registry, requests, tokenRequests, budget, rateLimited, waitedMs }) => ({
        registry,
        requests,
        tokenRequests,
        budget,
        rateLimited,
        waitedMs: Math.round(waitedMs),
      }),
    );
  }
}
