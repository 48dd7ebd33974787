// Seed 004 §6 and §7: the functional fingerprint of an APT change and the deterministic log reduction that is
// all an assistant ever sees of a raw apt log.

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

// Seed 004 §7 prefixes. apt >= 1.1 prints fetch errors as "Err:N url"; the older "Err url" form is kept too.
const KEEP_PREFIXES = ['Inst ', 'Conf ', 'Remv ', 'Err ', 'Err:', 'E:', 'W:', 'dpkg:'];

/** Keeps the lines of an apt log that matter (docs/ARCHITECTURE.md §C7), in order, trailing blanks trimmed. */
export function reduceAptLines(log: string): string[] {
  const out: string[] = [];
  for (const raw of log.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (KEEP_PREFIXES.some((p) => line.startsWith(p)) || /reboot-required|REBOOT_REQUIRED/.test(line)) out.push(line);
  }
  return out;
}
