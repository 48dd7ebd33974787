import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldError {
  field: string;
  reasons: string[];
}

/** An error body as RFC 9457 describes it, with this API's `errors` member for field errors. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/**
 * What the body parser and Express report, by their error `type`, in our words: their own messages quote the
 * request (a JSON syntax error shows the text around the fault, a bad percent-encoding the path segment).
 */
const NOT_JSON = 'the request body is not valid JSON';
const PARSER_DETAILS: Record<string, string> = {
  'entity.parse.failed': NOT_JSON,
  'entity.too.large': 'the request body is too large',
  'entity.too.deep': 'the request body nests objects and arrays too deeply',
  'entity.verify.failed': 'the request body was refused',
  'charset.unsupported': 'the request body must be UTF-8 JSON',
  'encoding.unsupported': 'the request body has an unsupported content encoding',
  'request.aborted': 'the request was aborted',
  'request.size.invalid': 'the request body is shorter or longer than its Content-Length',
};

// Members of Nest's default bodies that the problem members replace.
const REPLACED = new Set(['statusCode', 'status', 'error', 'message', 'errors', 'type', 'title', 'detail']);

export function titleOf(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

export function problem(status: number, detail: string, extensions: Record<string, unknown> = {}): ProblemDetails {
  return { type: 'about:blank', title: titleOf(status), status, detail, ...extensions };
}

function isFieldErrors(v: unknown): v is FieldError[] {
  return (
    Array.isArray(v) &&
    v.every((e) => typeof e?.field === 'string' && Array.isArray(e?.reasons) && e.reasons.every(isString))
  );
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** The detail of an error raised outside our code (body parser, Express), never its message. */
function externalDetail(cause: unknown): string | null {
  if (cause instanceof URIError) return 'the URL is not correctly percent-encoded';
  const type = (cause as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? (PARSER_DETAILS[type] ?? null) : null;
}

function fromHttpException(e: HttpException): ProblemDetails {
  const status = e.getStatus();
  const external = e.cause === undefined ? null : externalDetail(e.cause);
  if (external !== null) return problem(status, external);
  const body = e.getResponse();
  if (typeof body === 'string') return problem(status, body);
  const b = body as Record<string, unknown>;
  const message = Array.isArray(b['message']) ? b['message'].filter(isString).join('; ') : b['message'];
  const extensions = Object.fromEntries(Object.entries(b).filter(([k]) => !REPLACED.has(k)));
  return problem(status, typeof message === 'string' && message ? message : titleOf(status), {
    ...(isFieldErrors(b['errors']) ? { errors: b['errors'] } : {}),
    ...extensions,
  });
}

/**
 * The problem details of anything thrown while handling a request. Nest's HTTP exceptions keep their status,
 * message (as `detail`), field errors and extra members (such as an `errorKind`); anything else is a server fault
 * answered 500 without its message, which may hold internals (SQL, paths).
 */
export function problemOf(e: unknown): ProblemDetails {
  if (e instanceof HttpException) return fromHttpException(e);
  return problem(500, 'the server failed to handle this request; the fault is logged');
}
