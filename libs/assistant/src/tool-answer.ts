import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { HttpException } from '@nestjs/common';
import { z } from 'zod';

/** The size cap of one answer: an assistant's context is small and a fleet is not. */
export const ANSWER_MAX_CHARS = 64_000;
export const PAGE_MAX = 100;
const PAGE_DEFAULT = 50;

export function answer(value: unknown): CallToolResult {
  const text = JSON.stringify(value);
  if (text.length <= ANSWER_MAX_CHARS) return { content: [{ type: 'text', text }] };
  return toolError(`the answer is larger than ${ANSWER_MAX_CHARS} characters; ask for a smaller page (limit)`);
}

export function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

/** A 4xx from a service becomes a tool error with its message (it names the field or the id); anything else rethrows. */
function asToolError(e: unknown): CallToolResult {
  if (e instanceof HttpException && e.getStatus() < 500) {
    const body = e.getResponse();
    const msg = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : e.message;
    return toolError(msg);
  }
  throw e;
}

/** A service's 4xx becomes a tool error; the SDK would otherwise report the exception's text as it is. */
export const guarded =
  <A, X>(run: (args: A, extra: X) => Promise<CallToolResult>) =>
  (args: A, extra: X): Promise<CallToolResult> =>
    run(args, extra).catch(asToolError);

/** Every list tool pages the same way. */
export const pageArgs = {
  limit: z
    .number()
    .int()
    .min(1)
    .max(PAGE_MAX)
    .optional()
    .describe(`Page size, 1..${PAGE_MAX} (default ${PAGE_DEFAULT}).`),
  offset: z.number().int().min(0).max(1_000_000).optional().describe('Rows to skip (default 0).'),
};

export interface PageArgs {
  limit?: number | undefined;
  offset?: number | undefined;
}

export const pageOf = (a: PageArgs) => ({ limit: a.limit ?? PAGE_DEFAULT, offset: a.offset ?? 0 });

/** A page of a list already read whole (a fleet's groups): `total` counts them all. */
export function sliced<T>(all: readonly T[], a: PageArgs) {
  const { limit, offset } = pageOf(a);
  return { total: all.length, offset, items: all.slice(offset, offset + limit) };
}

export const machineIdArg = z.uuid().describe('The machine id (a UUID, as list_machines gives it).');
