import { isAbsolute, resolve } from 'node:path';
import { envSchema } from './config.schema.ts';
import { parseOidcConfig, type OidcConfig } from './oidc-config.ts';

export interface AppConfig {
  /** Set when an external PostgreSQL is used; absent means the embedded server (started by the launcher). */
  databaseUrl: string | undefined;
  dataDir: string;
  masterKey: string | undefined;
  /**
   * `trustProxy`: the reverse proxies whose X-Forwarded-For/-Proto the gateway believes (Express `trust proxy`);
   * absent, those headers are ignored and the client address is the socket's. `webDir`: the built web UI served at `/`.
   */
  http: { host: string; port: number; trustProxy: string | number | undefined; webDir: string };
  embeddedPgPort: number;
  log: { level: 'error' | 'warn' | 'log' | 'debug' | 'verbose'; json: boolean };
  sessionTtlHours: number;
  queue: {
    pollingIntervalSeconds: number;
    listenNotify: boolean;
    /** Jobs of each kind a worker process runs at once; `readConcurrency` for the read-only SSH kinds (ADR 0047). */
    workerConcurrency: number;
    readConcurrency: number;
  };
  serviceName: string | undefined;
  adminUsername: string;
  /** SSH: the connect budget, and how long a job's connection is kept open for the machine's next job (0: never). */
  ssh: { connectTimeoutMs: number; keepSeconds: number };
  /** Machine locks: expiry without heartbeat (a dead worker's lock frees after this), and the wait before a job
   * for a busy machine is tried again. */
  locks: { ttlSeconds: number; retrySeconds: number };
  /** How long an apt job waits for dpkg/apt locks held by another process before failing with apt_lock_busy. */
  apt: { lockTimeoutSeconds: number };
  docker: { digestCacheSeconds: number };
  /**
   * The scheduler: a slot missed while no scheduler ran still fires if it is at most `graceSeconds` old (or inside
   * the schedule's maintenance window, if longer); a standby scheduler tries to become leader every `leaderRetrySeconds`.
   */
  scheduler: { graceSeconds: number; leaderRetrySeconds: number };
  /**
   * Notifications (ADR 0035): how often the scheduler looks for events to tell, the delivery retries (pg-boss,
   * exponential backoff from `retryDelaySeconds` up to `retryMaxDelaySeconds`), one attempt's time budget, and how
   * often the sender polls for due retries.
   */
  notify: {
    scanSeconds: number;
    retryLimit: number;
    retryDelaySeconds: number;
    retryMaxDelaySeconds: number;
    timeoutSeconds: number;
    pollSeconds: number;
  };
  /** The scheduler's maintenance: the clean-up run's period, and the system-metrics sampling interval. */
  maintenance: { cleanupIntervalHours: number; systemMetricsSeconds: number };
  /** Live events (SSE replay) older than this are deleted. */
  liveEventsRetentionHours: number;
  /** OpenID Connect sign-in; null when not configured (its routes then answer 404). */
  oidc: OidcConfig | null;
  /** An open SSE stream gets a comment line this often, so proxies and clients see it alive. */
  sseKeepaliveSeconds: number;
  /**
   * Login throttling (docs/adr/0015). Failures are counted per (account, address) pair, per account and per address;
   * past its free failures a key is blocked for base * 2^(n - free - 1) seconds, capped. The pair and the address use
   * `maxDelaySeconds`; the account alone only `accountMaxDelaySeconds`, so an attacker elsewhere cannot lock a user
   * out for long. A key with no failure for `resetMinutes` starts over.
   */
  login: {
    freeFailures: number;
    baseDelaySeconds: number;
    maxDelaySeconds: number;
    accountFreeFailures: number;
    accountMaxDelaySeconds: number;
    addressFreeFailures: number;
    resetMinutes: number;
  };
  /**
   * Telemetry (ADR 0034): the OTLP/HTTP endpoint traces go to (undefined: tracing off, no SDK), and how often each
   * process publishes its metrics for the gateway's /metrics.
   */
  telemetry: { otlpEndpoint: string | undefined; metricsPublishSeconds: number };
  /** Unknown SU_* variables: probably typos; the services print them at start. */
  warnings: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type EnvSource = Record<string, string | undefined>;

/** Reads and validates the configuration; throws ConfigError naming every bad variable and why. */
export function loadConfig(env: EnvSource = process.env): AppConfig {
  // Empty strings mean "not set" (docker compose passes `${VAR:-}` as "").
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const res = envSchema.safeParse(cleaned);
  if (!res.success) {
    throw new ConfigError(res.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = res.data;
  const { oidc, problems } = parseOidcConfig(e);
  if (problems.length) throw new ConfigError(problems);
  const known = new Set(Object.keys(envSchema.shape));
  const warnings = Object.keys(cleaned)
    .filter((k) => k.startsWith('SU_') && !known.has(k) && !k.startsWith('SU_LAB_') && !k.startsWith('SU_TEST_'))
    .map((k) => `unknown variable ${k} is ignored`);
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: isAbsolute(e.SU_DATA_DIR) ? e.SU_DATA_DIR : resolve(e.SU_DATA_DIR),
    masterKey: e.SU_MASTER_KEY,
    http: {
      host: e.SU_HTTP_HOST,
      port: e.SU_HTTP_PORT,
      trustProxy: e.SU_TRUST_PROXY,
      webDir: isAbsolute(e.SU_WEB_DIR) ? e.SU_WEB_DIR : resolve(e.SU_WEB_DIR),
    },
    embeddedPgPort: e.SU_EMBEDDED_PG_PORT,
    log: { level: e.SU_LOG_LEVEL, json: e.SU_LOG_JSON },
    sessionTtlHours: e.SU_SESSION_TTL_HOURS,
    queue: {
      pollingIntervalSeconds: e.SU_QUEUE_POLL_SECONDS,
      listenNotify: e.SU_QUEUE_LISTEN_NOTIFY,
      workerConcurrency: e.SU_WORKER_CONCURRENCY,
      readConcurrency: e.SU_WORKER_READ_CONCURRENCY,
    },
    serviceName: e.SU_SERVICE_NAME,
    adminUsername: e.SU_ADMIN_USERNAME,
    ssh: { connectTimeoutMs: e.SU_SSH_CONNECT_TIMEOUT_SECONDS * 1000, keepSeconds: e.SU_SSH_KEEP_SECONDS },
    locks: { ttlSeconds: e.SU_LOCK_TTL_SECONDS, retrySeconds: e.SU_LOCK_RETRY_SECONDS },
    apt: { lockTimeoutSeconds: e.SU_APT_LOCK_TIMEOUT_SECONDS },
    docker: { digestCacheSeconds: e.SU_DOCKER_DIGEST_CACHE_SECONDS },
    scheduler: { graceSeconds: e.SU_SCHEDULE_GRACE_SECONDS, leaderRetrySeconds: e.SU_LEADER_RETRY_SECONDS },
    notify: {
      scanSeconds: e.SU_NOTIFY_SCAN_SECONDS,
      retryLimit: e.SU_NOTIFY_RETRY_LIMIT,
      retryDelaySeconds: e.SU_NOTIFY_RETRY_DELAY_SECONDS,
      retryMaxDelaySeconds: e.SU_NOTIFY_RETRY_MAX_DELAY_SECONDS,
      timeoutSeconds: e.SU_NOTIFY_TIMEOUT_SECONDS,
      pollSeconds: e.SU_NOTIFY_POLL_SECONDS,
    },
    maintenance: {
      cleanupIntervalHours: e.SU_CLEANUP_INTERVAL_HOURS,
      systemMetricsSeconds: e.SU_SYSTEM_METRICS_SECONDS,
    },
    liveEventsRetentionHours: e.SU_LIVE_EVENTS_RETENTION_HOURS,
    oidc,
    sseKeepaliveSeconds: e.SU_SSE_KEEPALIVE_SECONDS,
    login: {
      freeFailures: e.SU_LOGIN_FREE_FAILURES,
      baseDelaySeconds: e.SU_LOGIN_BASE_DELAY_SECONDS,
      maxDelaySeconds: e.SU_LOGIN_MAX_DELAY_SECONDS,
      accountFreeFailures: e.SU_LOGIN_ACCOUNT_FREE_FAILURES,
      accountMaxDelaySeconds: e.SU_LOGIN_ACCOUNT_MAX_DELAY_SECONDS,
      addressFreeFailures: e.SU_LOGIN_ADDRESS_FREE_FAILURES,
      resetMinutes: e.SU_LOGIN_RESET_MINUTES,
    },
    telemetry: { otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, metricsPublishSeconds: e.SU_METRICS_PUBLISH_SECONDS },
    warnings,
  };
}

/**
 * Loaded before anything else in every service (`--import`): source maps for stack traces of our own bundle only.
 * `--enable-source-maps` also reads and keeps the maps of every npm package that ships one (about 7 MB of an idle
 * worker's heap, ADR 0050); their frames stay as they are in node_modules, readable enough.
 */
const OWN_SOURCE_MAPS = 'import{setSourceMapsSupport}from"node:module";setSourceMapsSupport(true,{nodeModules:false})';

/**
 * The Node options every service process starts with (the launcher, the container image, the benches): source maps
 * for our own code (OWN_SOURCE_MAPS), no warning for the WebAssembly schema engine (still flagged experimental), and
 * a heap kept close to what it holds. Young-generation semi-spaces of 2 MB: under a pass's allocation rate V8 grows
 * them towards 16 MB and the RSS follows (ADR 0047). The old generation grows by 25 % of what survived its last full
 * GC instead of up to 4×: a worker's live heap stays near 70 MB during a 1,000-machine pass, but V8 let it reach
 * 210 MB before collecting (ADR 0050). A growth factor, not a limit: a larger live set still gets the room it needs.
 * The Dockerfile's CMD repeats them (service-node-args.spec.ts checks it).
 */
export const SERVICE_NODE_ARGS: readonly string[] = [
  `--import=data:text/javascript,${encodeURIComponent(OWN_SOURCE_MAPS)}`,
  '--disable-warning=ExperimentalWarning',
  '--max-semi-space-size=2',
  '--heap-growing-percent=25',
];

/**
 * The environment for a child service process: this process's environment plus overrides. Lives here because this
 * lib is the only reader of process.env.
 */
export function childProcessEnv(overrides: Record<string, string>): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return { ...base, ...overrides };
}

/** Test-only knobs (SU_TEST_*), read here so that tests need not touch process.env. */
export function testEnv(
  name: 'SU_TEST_KEEP_DB' | 'SU_TEST_PG_PORT' | 'SU_TEST_SIM_RECORD' | 'DATABASE_URL',
): string | undefined {
  const v = process.env[name];
  return v === '' ? undefined : v;
}
