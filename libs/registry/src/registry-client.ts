// The registry client a worker keeps for its lifetime: registry settings, the auth state (challenges, tokens) and
// the digest cache live here; budgets and rate-limit state live in each run (RegistryCheckRun).
import { DigestCache } from './digest-cache.ts';
import { RegistryAuth } from './registry-auth.ts';
import { RegistryCheckRun, type DigestCheck, type DigestCheckOptions } from './registry-check-run.ts';
import type { RegistryRunStats } from './registry-run-state.ts';
import { normalizeRegistryName, resolveRegistry, type RegistrySettings } from './registry-settings.ts';
import { RegistryTransport } from './registry-transport.ts';

export interface RegistryClientOptions {
  /** Per-registry settings (scheme, credentials, budget); others are anonymous HTTPS with the default budget. */
  registries?: readonly RegistrySettings[];
  /** Requests in flight at once across all registries (default 8). */
  concurrency?: number;
  /** How long a digest answer is reused (default 10 minutes; 0 disables the cache). */
  cacheTtlMs?: number;
  /** Requests per registry per run when its settings do not say (default 200). */
  defaultRequestBudget?: number;
  /** Timeout of one HTTP request (default 15 s). */
  timeoutMs?: number;
  /** Retries of one request after 429 (default 3). */
  maxRateLimitRetries?: number;
  /** The longest Retry-After a run waits (default 60 s); longer ends the run's requests to that registry. */
  maxRetryAfterMs?: number;
  /** First backoff after a 429 without Retry-After, doubled each retry (default 1 s). */
  baseBackoffMs?: number;
  /** Tags asked per tag-list page (`n`, default 1000) and pages followed at most (default 10). */
  tagPageSize?: number;
  maxTagPages?: number;
}

export interface DigestRunResult {
  results: DigestCheck[];
  stats: RegistryRunStats[];
}

export class RegistryClient {
  private settings = new Map<string, RegistrySettings>();
  private auth: RegistryAuth;
  private transport: RegistryTransport;
  private readonly cache: DigestCache;

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.cache = new DigestCache(opts.cacheTtlMs ?? 10 * 60_000);
    this.auth = new RegistryAuth({ timeoutMs: this.timeoutMs });
    this.transport = this.makeTransport();
    this.configure(opts.registries ?? []);
  }

  private get timeoutMs(): number {
    return this.opts.timeoutMs ?? 15_000;
  }

  private makeTransport(): RegistryTransport {
    return new RegistryTransport(this.auth, {
      timeoutMs: this.timeoutMs,
      maxRateLimitRetries: this.opts.maxRateLimitRetries ?? 3,
      maxRetryAfterMs: this.opts.maxRetryAfterMs ?? 60_000,
      baseBackoffMs: this.opts.baseBackoffMs ?? 1_000,
    });
  }

  /** Replaces the registry settings (after an edit); tokens and challenges learnt so far are dropped, digests kept. */
  configure(registries: readonly RegistrySettings[]): void {
    this.settings = new Map(registries.map((r) => [normalizeRegistryName(r.registry), r]));
    this.auth = new RegistryAuth({ timeoutMs: this.timeoutMs });
    this.transport = this.makeTransport();
  }

  /** A run: questions that share one request budget and rate-limit state per registry. */
  startRun(): RegistryCheckRun {
    const defaultBudget = this.opts.defaultRequestBudget ?? 200;
    return new RegistryCheckRun({
      transport: this.transport,
      cache: this.cache,
      resolve: (registry) => resolveRegistry(registry, this.settings, defaultBudget),
      concurrency: this.opts.concurrency ?? 8,
      tags: { pageSize: this.opts.tagPageSize ?? 1000, maxPages: this.opts.maxTagPages ?? 10 },
    });
  }

  /** Shortcut: one run that checks these references' digests. */
  async checkDigests(refs: readonly string[], opts: DigestCheckOptions = {}): Promise<DigestRunResult> {
    const run = this.startRun();
    const results = await run.checkDigests(refs, opts);
    return { results, stats: run.stats() };
  }

  clearCache(): void {
    this.cache.clear();
  }
}
