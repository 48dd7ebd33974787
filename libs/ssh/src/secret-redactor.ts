/** What a secret becomes in logs and results. */
export const REDACTED = '[REDACTED]';

/**
 * Secrets shorter than this are not redacted: replacing "ab" everywhere would destroy the log, and such a secret is
 * not protected by redaction anyway.
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * Expands the secrets a session knows into the strings to look for. A PEM private key is also redacted line by line:
 * a command that prints the key file (or a part of it) would otherwise leak the body lines whenever the line endings
 * or the framing differ from the stored value.
 */
export function secretVariants(secrets: Iterable<string | null | undefined>): string[] {
  const out = new Set<string>();
  for (const s of secrets) {
    if (!s) continue;
    out.add(s);
    const trimmed = s.trim();
    if (trimmed !== s) out.add(trimmed);
    if (s.includes('\n')) for (const line of s.split(/\r?\n/)) if (line.trim().length >= 16) out.add(line.trim());
  }
  return [...out].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of the secrets (longest first, so a secret containing another is replaced whole). */
export function redactAll(text: string, secrets: readonly string[], replacement = REDACTED): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(replacement);
  return out;
}

/**
 * Redacts a text stream that arrives in chunks. A secret may be split across two chunks ("lab-ad" + "min-pw"), so the
 * end of a chunk that could be the start of a secret is held back until the next chunk (or `end()`) shows whether it
 * is. Only that possible prefix is held, so ordinary output is passed on without delay.
 */
export class StreamRedactor {
  private pending = '';
  private readonly secrets: readonly string[];
  private readonly replacement: string;

  constructor(secrets: readonly string[], replacement = REDACTED) {
    this.secrets = secrets;
    this.replacement = replacement;
  }

  /** Returns the text that is safe to emit now. */
  push(chunk: string): string {
    if (this.secrets.length === 0) return chunk;
    const text = this.pending + chunk;
    // Redact complete occurrences first, and only then look for a partial one at the very end: the replacement text
    // never starts a secret, so what is held back is always raw text.
    const redacted = redactAll(text, this.secrets, this.replacement);
    const hold = partialMatchStart(redacted, this.secrets);
    this.pending = redacted.slice(hold);
    return redacted.slice(0, hold);
  }

  /** Flushes what was held back (the stream ended, so a partial secret can no longer complete). */
  end(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }
}

/** Index where the longest suffix of `text` that is a proper prefix of one of `needles` starts (text.length if none). */
export function partialMatchStart(text: string, needles: readonly string[]): number {
  let start = text.length;
  for (const s of needles) {
    for (let i = Math.max(0, text.length - (s.length - 1)); i < start; i++) {
      if (text.charCodeAt(i) === s.charCodeAt(0) && s.startsWith(text.slice(i))) {
        start = i;
        break;
      }
    }
  }
  return start;
}
