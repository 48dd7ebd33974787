import createClient from 'openapi-fetch';
import type { paths } from './schema';

/**
 * The typed API client (types generated from the gateway's OpenAPI document, ADR 0019). Same origin, the session
 * cookie only — no token is ever kept by the page. `X-Requested-With` is the CSRF header the gateway requires of
 * cookie-authenticated unsafe requests.
 */
export const api = createClient<paths>({
  baseUrl: '',
  credentials: 'same-origin',
  headers: { 'X-Requested-With': 'su-web' },
});

export interface FieldError {
  field: string;
  reasons: string[];
}

/** An error answer of the API (RFC 9457 problem details), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly reason: string | undefined,
    readonly errors: FieldError[],
  ) {
    super(detail);
  }
}

interface Problem {
  detail?: unknown;
  reason?: unknown;
  errors?: unknown;
}

export function apiErrorOf(status: number, body: unknown): ApiError {
  const p = (typeof body === 'object' && body !== null ? body : {}) as Problem;
  return new ApiError(
    status,
    typeof p.detail === 'string' ? p.detail : `HTTP ${status}`,
    typeof p.reason === 'string' ? p.reason : undefined,
    Array.isArray(p.errors) ? (p.errors as FieldError[]) : [],
  );
}

/**
 * The data of an openapi-fetch answer, or its problem thrown as an ApiError. `T` names the answer's shape where the
 * document declares none (see types.ts).
 */
export async function unwrap<T = unknown>(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
): Promise<T> {
  let out: { data?: unknown; error?: unknown; response: Response };
  try {
    out = await call;
  } catch {
    throw new ApiError(0, 'network', undefined, []);
  }
  if (!out.response.ok) throw apiErrorOf(out.response.status, out.error);
  return out.data as T;
}
