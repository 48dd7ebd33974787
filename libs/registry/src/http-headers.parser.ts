// The three response headers the registry protocol reads: WWW-Authenticate (RFC 9110 §11.6.1, as registries send
// it: one challenge with quoted parameters), Retry-After (seconds or an HTTP date) and Link (RFC 8288, rel="next"
// for tag-list pages). Small linear parsers; no regular expression here can backtrack on hostile headers.

export interface AuthChallenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

const HEADER_MAX = 4096;

function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ',' || text[i] === ' ')) i++;
    const eq = text.indexOf('=', i);
    if (eq < 0) break;
    const key = text.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    let value = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i];
        i++;
      }
      i++;
    } else {
      const end = text.indexOf(',', i);
      value = text.slice(i, end < 0 ? text.length : end).trim();
      i = end < 0 ? text.length : end;
    }
    if (key) params[key] = value;
  }
  return params;
}

/** The first Basic or Bearer challenge of a WWW-Authenticate header; null when there is none we speak. */
export function parseAuthChallenge(header: string | null): AuthChallenge | null {
  if (!header || header.length > HEADER_MAX) return null;
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const scheme = (space < 0 ? trimmed : trimmed.slice(0, space)).toLowerCase();
  if (scheme !== 'basic' && scheme !== 'bearer') return null;
  return { scheme, params: space < 0 ? {} : parseParams(trimmed.slice(space + 1)) };
}

/** Retry-After as milliseconds from `now`: delay-seconds or an HTTP date (a past date is 0); null when absent/bad. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d{1,9}$/.test(value)) return Number(value) * 1000;
  // An HTTP date (IMF-fixdate, or the obsolete forms) always names the time zone GMT.
  if (value.length > 64 || !value.endsWith('GMT')) return null;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** The target of the `rel="next"` link of a Link header, resolved against the request URL; null when absent. */
export function parseNextLink(header: string | null, base: string): string | null {
  if (!header || header.length > HEADER_MAX) return null;
  for (const part of header.split(',')) {
    const open = part.indexOf('<');
    const close = part.indexOf('>', open + 1);
    if (open < 0 || close < 0) continue;
    const params = parseParams(part.slice(close + 1).replace(/;/g, ','));
    if (params['rel']?.split(' ').includes('next')) {
      try {
        return new URL(part.slice(open + 1, close), base).toString();
      } catch {
        return null;
      }
    }
  }
  return null;
}
