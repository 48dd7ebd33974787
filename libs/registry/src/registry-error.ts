// Why a registry question could not be answered, with a remediation for a person. Messages are written here from
// fixed text, the registry name and the repository: never a header, a URL's user info, a token or a response body,
// so a credential cannot reach an error, a log line or an API answer through them.

export const REGISTRY_ERROR_KINDS = [
  'invalid_reference',
  'registry_auth_failed',
  'registry_rate_limited',
  'registry_budget_exhausted',
  'registry_unreachable',
  'registry_insecure_refused',
  'registry_error',
  'manifest_not_found',
] as const;
export type RegistryErrorKind = (typeof REGISTRY_ERROR_KINDS)[number];

export const REGISTRY_REMEDIATIONS: Record<RegistryErrorKind, string> = {
  invalid_reference: 'Fix the image reference in the compose file (name[:tag][@sha256:digest], lowercase repository).',
  registry_auth_failed:
    'The registry refused the credentials (or needs some). Add or correct the registry credentials in the registry settings, and check that the account may pull this repository.',
  registry_rate_limited:
    'The registry asked us to slow down (HTTP 429). The images not checked are checked at the next run; use credentials (higher limits) or a lower check frequency.',
  registry_budget_exhausted:
    "This run reached the registry's request budget. The images not checked are checked at the next run; raise the budget in the registry settings if the registry allows it.",
  registry_unreachable:
    'The registry could not be reached (DNS, connection, TLS or timeout). Check the registry name, the network from this server and, for a plain-HTTP registry, that it is configured as insecure.',
  registry_insecure_refused:
    'The registry offered plain HTTP or sent credentials to a plain-HTTP address. Mark the registry as insecure in the registry settings only if it is on a trusted network.',
  registry_error: 'The registry answered with an unexpected error; try again later or check the registry.',
  manifest_not_found: 'The registry has no such repository or tag. Check the image name and tag in the compose file.',
};

export interface RegistryFailure {
  kind: RegistryErrorKind;
  message: string;
  remediation: string;
  /** For `registry_rate_limited`: the seconds the registry asked to wait, when it said. */
  retryAfterSeconds?: number;
}

export class RegistryError extends Error {
  readonly kind: RegistryErrorKind;
  readonly remediation: string;
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: RegistryErrorKind, message: string, opts: { retryAfterSeconds?: number } = {}) {
    super(message);
    this.name = 'RegistryError';
    this.kind = kind;
    this.remediation = REGISTRY_REMEDIATIONS[kind];
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }

  toFailure(): RegistryFailure {
    const failure: RegistryFailure = { kind: this.kind, message: this.message, remediation: this.remediation };
    if (this.retryAfterSeconds !== undefined) failure.retryAfterSeconds = this.retryAfterSeconds;
    return failure;
  }
}

/** Any thrown value as a failure; an unexpected error keeps only its class name (its message could hold anything). */
export function toRegistryFailure(err: unknown): RegistryFailure {
  if (err instanceof RegistryError) return err.toFailure();
  const name = err instanceof Error ? err.name : 'error';
  return { kind: 'registry_error', message: `unexpected ${name}`, remediation: REGISTRY_REMEDIATIONS.registry_error };
}
