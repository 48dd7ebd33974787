export const REDACTED = '[REDACTED]';

/**
 * Replaces known secret values in text. Used on anything that leaves the process (logs, raw artifacts, stored
 * output). Secrets shorter than 4 characters are ignored: redacting "a" everywhere would destroy the log and such a
 * secret is not protected by redaction anyway.
 */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string | null | undefined>) {
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...new Set([...secrets].filter((s): s is string => !!s && s.length >= 4))].sort(
      (a, b) => b.length - a.length,
    );
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join(REDACTED);
    return out;
  }
}
