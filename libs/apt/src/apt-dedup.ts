// Seed 004 §6 and §7: the functional fingerprint of an APT change and the deterministic log reduction that is
// all an assistant ever sees of a raw apt log.
import { reduceLogLines } from '@su/contracts';

/**
 * `os_family|package|from|to|origin` (docs/ARCHITECTURE.md §C6). Null parts are empty strings so the key stays stable and the
 * same change on two machines of the same family gives the same key (one web search, one summary).
 */
export function aptDedupKey(
  osFamily: string,
  name: string,
  from: string | null,
  to: string | null,
  origin: string | null,
): string {
  return [osFamily, name, from ?? '', to ?? '', origin ?? ''].join('|');
}

/** Keeps the lines of an apt log that matter (seed 004 §7: the shared reducer's APT prefixes), in order. */
export function reduceAptLines(log: string): string[] {
  return reduceLogLines(log, ['apt']);
}
