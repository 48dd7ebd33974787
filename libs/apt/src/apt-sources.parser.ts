// The APT sources a machine uses, from its files: one-line `.list` (sources.list(5) "ONE-LINE-STYLE FORMAT") and
// deb822 `.sources` ("DEB822-STYLE FORMAT"), with their suites, components and signing keys, and what the fleet view
// flags: a suite older than the machine's release, a repository that is not the distribution's, no signed-by key.

export interface AptRepository {
  file: string;
  format: 'one-line' | 'deb822';
  types: string[];
  uris: string[];
  suites: string[];
  components: string[];
  /** A key file path, "inline" for a key embedded in a deb822 stanza, null when none is named. */
  signedBy: string | null;
  /** `trusted=yes`: apt accepts it unsigned. */
  trusted: boolean;
  enabled: boolean;
}

/** The script's framing: "@@su-file:<path>@@" before each file's content. */
const FILE = /^@@su-file:(.+)@@$/;

/** Splits `sh` output framed by FILE lines into path → content. */
export function splitSourceFiles(output: string): Map<string, string> {
  const files = new Map<string, string>();
  let current: string | null = null;
  const lines: string[] = [];
  const flush = () => {
    if (current !== null) files.set(current, lines.join('\n'));
    lines.length = 0;
  };
  for (const line of output.split(/\r?\n/)) {
    const m = FILE.exec(line);
    if (m) {
      flush();
      current = m[1] ?? null;
    } else if (current !== null) lines.push(line);
  }
  flush();
  return files;
}

function parseOptions(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')).toLowerCase(), kv.slice(kv.indexOf('=') + 1)] as const),
  );
}

export function parseOneLine(file: string, content: string): AptRepository[] {
  const out: AptRepository[] = [];
  for (const raw of content.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, type = 'deb', opts = '', uri = '', suite = '', comps = ''] = m;
    const o = parseOptions(opts);
    out.push({
      file,
      format: 'one-line',
      types: [type],
      uris: [uri],
      suites: [suite],
      components: comps.split(/\s+/).filter(Boolean),
      signedBy: o.get('signed-by') ?? null,
      trusted: o.get('trusted') === 'yes',
      enabled: true,
    });
  }
  return out;
}

export function parseDeb822(file: string, content: string): AptRepository[] {
  const out: AptRepository[] = [];
  for (const stanza of content.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | null = null;
    for (const raw of stanza.split('\n')) {
      if (/^\s*#/.test(raw)) continue;
      const field = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(raw);
      if (field) {
        last = (field[1] ?? '').toLowerCase();
        fields.set(last, field[2] ?? '');
      } else if (last && /^\s/.test(raw)) fields.set(last, `${fields.get(last) ?? ''}\n${raw.trim()}`);
    }
    if (!fields.has('uris') || !fields.has('types')) continue;
    const list = (k: string) => (fields.get(k) ?? '').split(/\s+/).filter(Boolean);
    const signed = (fields.get('signed-by') ?? '').trim();
    out.push({
      file,
      format: 'deb822',
      types: list('types'),
      uris: list('uris'),
      suites: list('suites'),
      components: list('components'),
      signedBy: signed === '' ? null : signed.includes('BEGIN PGP') ? 'inline' : (signed.split(/\s+/)[0] ?? null),
      trusted: (fields.get('trusted') ?? '').trim().toLowerCase() === 'yes',
      enabled: (fields.get('enabled') ?? 'yes').trim().toLowerCase() !== 'no',
    });
  }
  return out;
}

/** Every repository of the machine's source files (the script's output), in file order. */
export function parseSources(output: string): AptRepository[] {
  const out: AptRepository[] = [];
  for (const [file, content] of splitSourceFiles(output)) {
    out.push(...(file.endsWith('.sources') ? parseDeb822(file, content) : parseOneLine(file, content)));
  }
  return out;
}

/** Releases in order, oldest first, to tell a suite older than the machine's own. */
const RELEASES = [
  'stretch',
  'buster',
  'bullseye',
  'bookworm',
  'trixie',
  'forky',
  'focal',
  'jammy',
  'noble',
  'oracular',
  'plucky',
];
const DEBIAN = RELEASES.slice(0, 6);

function releaseOf(suite: string): string {
  return suite.split(/[-/]/)[0] ?? suite;
}

/** The distributions' own archives; anything else is third-party. */
const OFFICIAL_HOSTS =
  /(^|\.)(debian\.org|ubuntu\.com|canonical\.com|proxmox\.com|raspberrypi\.(org|com)|raspbian\.org)$/;

export interface RepositoryFlags {
  /** A suite of an older release than the machine's codename (e.g. bullseye on bookworm). */
  olderSuite: boolean;
  thirdParty: boolean;
  /** No signed-by key named, or trusted=yes. */
  unsigned: boolean;
}

/** Origins of the distributions themselves (Release "Origin"); any other origin is a third-party repository. */
const OFFICIAL_ORIGINS = new Set(['Debian', 'Ubuntu', 'Proxmox', 'Raspbian', 'Raspberry Pi Foundation']);

/**
 * `origins`: "uri suite" → the Release Origin apt read for it (apt-policy.parser's AptSource.archive). Third-party is
 * decided by that origin when apt has read the repository's Release, else by the host name.
 */
export function repositoryFlags(
  repo: AptRepository,
  codename: string | null,
  origins: ReadonlyMap<string, string | null> = new Map(),
): RepositoryFlags {
  const mine = codename ? RELEASES.indexOf(codename) : -1;
  const sameFamily = (r: string) => DEBIAN.includes(r) === DEBIAN.includes(codename ?? '');
  const olderSuite = repo.suites.some((s) => {
    const r = releaseOf(s);
    const i = RELEASES.indexOf(r);
    return mine >= 0 && i >= 0 && sameFamily(r) && i < mine;
  });
  const thirdParty = repo.uris.some((u) => {
    const known = repo.suites
      .map((suite) => origins.get(`${u.replace(/\/+$/, '')} ${suite}`))
      .filter((o): o is string | null => o !== undefined);
    if (known.length) return known.some((o) => o === null || !OFFICIAL_ORIGINS.has(o));
    const host = /^[a-z+]+:\/\/([^/:]+)/i.exec(u)?.[1] ?? '';
    return !OFFICIAL_HOSTS.test(host);
  });
  return { olderSuite, thirdParty, unsigned: repo.signedBy === null || repo.trusted };
}

/** Prints each source file framed for splitSourceFiles (read-only; the files are world-readable). */
export const SOURCES_SCRIPT =
  'for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do [ -f "$f" ] && { printf \'@@su-file:%s@@\\n\' "$f"; cat "$f"; echo; }; done; true';
