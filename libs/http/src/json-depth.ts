/** Objects and arrays may nest this deep in a request body; real requests of this API nest 3 levels at most. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]

/**
 * Whether a JSON text nests objects and arrays deeper than `limit`, found by one pass over the raw bytes before any
 * parser (or the recursive validators after it) sees them. Brackets inside strings do not count. UTF-8 only: every
 * byte of a multi-byte character is >= 0x80, so none is mistaken for a bracket or a quote.
 */
export function jsonNestsDeeperThan(raw: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const c of raw) {
    if (escaped) escaped = false;
    else if (inString) {
      if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (OPEN.has(c)) {
      if (++depth > limit) return true;
    } else if (CLOSE.has(c)) depth--;
  }
  return false;
}
