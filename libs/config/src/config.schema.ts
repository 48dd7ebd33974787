import { isIP } from 'node:net';
import { z } from 'zod';
import { USER_ROLES } from '@su/contracts';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

// Express `trust proxy` values: a hop count, or named ranges, addresses and CIDRs separated by commas.
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isProxyItem = (item: string) => {
  const [addr = '', bits, ...rest] = item.split('/');
  const max = isIP(addr) === 6 ? 128 : 32;
  return (
    PROXY_NAMES.has(item) ||
    (isIP(addr) !== 0 && rest.length === 0 && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max)))
  );
};
const trustProxy = z
  .string()
  .refine(
    (v) => /^[1-9]$/.test(v) || v.split(',').every((i) => isProxyItem(i.trim())),
    'must be a hop count (1-9) or comma-separated loopback, linklocal, uniquelocal, addresses or CIDRs',
  )
  .transform((v) => (/^[1-9]$/.test(v) ? Number(v) : v));

/**
 * Every environment variable the product reads. Unknown SU_* variables are reported as warnings by the loader
 * (a typo should not silently fall back to a default).
 */
export const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  SU_DATA_DIR: z.string().min(1).default('./data'),
  SU_MASTER_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/, 'must be 32 bytes as 64 hex digits or base64')
    .optional(),
  SU_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  SU_HTTP_PORT: port.default(8080),
  SU_TRUST_PROXY: trustProxy.optional(),
  /** The built web UI (`npm run build` writes it); relative paths resolve from the working directory. */
  SU_WEB_DIR: z.string().min(1).default('./dist/apps/web'),
  SU_EMBEDDED_PG_PORT: port.default(54329),
  SU_LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  SU_LOG_JSON: bool.default(false),
  SU_SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(12),
  SU_QUEUE_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  SU_QUEUE_LISTEN_NOTIFY: bool.default(true),
  SU_SERVICE_NAME: z.string().optional(),
  SU_ADMIN_USERNAME: z.string().min(1).max(64).default('admin'),
  SU_SSH_CONNECT_TIMEOUT_SECONDS: z.coerce.number().min(1).max(300).default(10),
  SU_SSH_KEEP_SECONDS: z.coerce.number().int().min(0).max(600).default(30),
  SU_LOCK_TTL_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  SU_LOCK_RETRY_SECONDS: z.coerce.number().min(0.5).max(600).default(5),
  SU_SCHEDULE_GRACE_SECONDS: z.coerce.number().int().min(0).max(86400).default(600),
  SU_LEADER_RETRY_SECONDS: z.coerce.number().min(0.2).max(60).default(1),
  SU_LIVE_EVENTS_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(168),
  SU_SSE_KEEPALIVE_SECONDS: z.coerce.number().min(0.05).max(30).default(25),
  SU_APT_LOCK_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(3600).default(300),
  // How long the docker-worker reuses a registry's digest for an image reference (0: ask every time).
  SU_DOCKER_DIGEST_CACHE_SECONDS: z.coerce.number().int().min(0).max(86400).default(300),
  // Notifications, clean-up and system metrics (issue 16, ADR 0035).
  SU_NOTIFY_SCAN_SECONDS: z.coerce.number().min(0.2).max(3600).default(5),
  SU_NOTIFY_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(5),
  SU_NOTIFY_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  SU_NOTIFY_RETRY_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(86400).default(3600),
  SU_NOTIFY_TIMEOUT_SECONDS: z.coerce.number().min(1).max(300).default(10),
  SU_NOTIFY_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  SU_CLEANUP_INTERVAL_HOURS: z.coerce.number().min(0.0003).max(24 * 30).default(24),
  SU_SYSTEM_METRICS_SECONDS: z.coerce.number().min(0.5).max(86400).default(60),
  SU_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  // Read-only SSH jobs (probe, analysis, metrics sample) per worker process: I/O-bound, so many at once (ADR 0047).
  SU_WORKER_READ_CONCURRENCY: z.coerce.number().int().min(1).max(512).default(64),
  // OpenID Connect sign-in (optional; ADR 0017). Cross-field rules live in oidc-config.ts.
  SU_OIDC_ISSUER: z.string().max(2048).optional(),
  SU_OIDC_CLIENT_ID: z.string().max(255).optional(),
  SU_OIDC_CLIENT_SECRET: z.string().max(4096).optional(),
  SU_OIDC_CLIENT_SECRET_FILE: z.string().max(4096).optional(),
  SU_OIDC_REDIRECT_URI: z.string().max(2048).optional(),
  SU_OIDC_SCOPES: z
    .string()
    .max(1024)
    .regex(/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/, 'must be scope names separated by single spaces')
    .default('openid profile email'),
  SU_OIDC_GROUPS_CLAIM: z.string().min(1).max(255).default('groups'),
  SU_OIDC_ROLE_MAP: z.string().max(8192).optional(),
  SU_OIDC_DEFAULT_ROLE: z.enum(USER_ROLES).optional(),
  SU_OIDC_ALLOW_HTTP: bool.default(false),
  // Traces (ADR 0034): exported over OTLP/HTTP when the endpoint is set (the standard OpenTelemetry variable);
  // without it no SDK starts and the API's tracer does nothing.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().max(2048).regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL').optional(),
  // How often each service process publishes its metrics for the gateway's /metrics.
  SU_METRICS_PUBLISH_SECONDS: z.coerce.number().min(1).max(600).default(15),
  SU_LOGIN_FREE_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  SU_LOGIN_BASE_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(1),
  SU_LOGIN_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(86400).default(900),
  SU_LOGIN_ACCOUNT_FREE_FAILURES: z.coerce.number().int().min(1).max(10000).default(20),
  SU_LOGIN_ACCOUNT_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  SU_LOGIN_ADDRESS_FREE_FAILURES: z.coerce.number().int().min(1).max(10000).default(30),
  SU_LOGIN_RESET_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** `npm run mcp` (the stdio bridge, ADR 0033): the assistant's API token (kind mcp), and the gateway's MCP URL. */
  SU_MCP_TOKEN: z.string().min(20).max(200).optional(),
  SU_MCP_URL: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL')
    .optional(),
});

export type Env = z.infer<typeof envSchema>;
