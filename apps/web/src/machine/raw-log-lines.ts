/**
 * Which lines of a raw log the important messages point to. A message's own line number counts lines of one command's
 * output, while the raw log holds every command of the job; so the line is found by the message's text (the start of
 * it, as the extractor cleaned it), the first line that carries it.
 */
export function importantLineIndexes(lines: string[], messages: string[]): Set<number> {
  const out = new Set<number>();
  for (const m of messages) {
    const probe = m.replace(/\s+/g, ' ').trim().slice(0, 40);
    if (probe.length < 8) continue;
    const i = lines.findIndex((l) => l.replace(/\s+/g, ' ').includes(probe));
    if (i >= 0) out.add(i);
  }
  return out;
}
