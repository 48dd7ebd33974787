import { ApiError } from '../api/client.ts';

/** The API's field errors (problem details `errors[]`), one line per field, ready for an input's `error`. */
export type FieldErrors = Record<string, string>;

export function fieldErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return {};
  return Object.fromEntries(error.errors.map((e) => [e.field, e.reasons.join('; ')]));
}
