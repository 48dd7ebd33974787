// Classifies what `apt-get update` (LC_ALL=C) printed into SnapshotErrors. apt keeps going past a broken source and
// even exits 0 when a mirror is unreachable (only W: lines), so the output is read whatever the exit code was.
// Message shapes captured from apt 2.6.1 (fixtures/apt-update-*.txt).
import type { SnapshotError } from '@su/contracts';
import { cleanMessage } from './apt-messages.extractor.ts';

export type AptUpdateErrorKind =
  | 'repository_not_found'
  | 'repo_auth_required'
  | 'repository_no_release'
  | 'missing_key'
  | 'repository_unsigned'
  | 'release_expired'
  | 'release_not_yet_valid'
  | 'mirror_unreachable'
  | 'sources_invalid'
  | 'apt_update_failed'
  | 'apt_update_warning';

interface Rule {
  kind: AptUpdateErrorKind;
  test: RegExp;
  /** Fixed text, or built from the message (the repository it names decides the advice). */
  remediation: string | ((text: string) => string);
}

const PROXMOX_ENTERPRISE = /enterprise\.proxmox\.com(?::\d+)?\/debian\/(pve|pbs|pmg|ceph-[a-z]+)/;

/**
 * A repository answering 401: apt has no credentials for it. Proxmox's enterprise repositories do that on every
 * machine without a subscription key; their free counterpart is the no-subscription repository.
 */
function authRemediation(text: string): string {
  const product = PROXMOX_ENTERPRISE.exec(text)?.[1];
  if (product?.startsWith('ceph-'))
    return `This Proxmox Ceph enterprise repository needs a subscription key. Without one, disable it (comment it out in /etc/apt/sources.list.d/ceph.list or set Enabled: no in ceph.sources) and use the no-subscription repository instead: deb http://download.proxmox.com/debian/${product} bookworm no-subscription. With a subscription, enter the key (pvesubscription set <key>).`;
  if (product)
    return `The Proxmox ${product.toUpperCase()} enterprise repository needs a subscription key. Without one, disable it (comment it out in /etc/apt/sources.list.d/${product}-enterprise.list or set Enabled: no in ${product}-enterprise.sources) and add the no-subscription repository: deb http://download.proxmox.com/debian/${product} bookworm ${product}-no-subscription. With a subscription, enter the key (pvesubscription set <key>).`;
  return 'The repository requires credentials (HTTP 401): put them in /etc/apt/auth.conf.d/<name>.conf (machine <host> login <user> password <secret>, mode 600), or disable the source.';
}

// Most specific first: a NO_PUBKEY source also prints "is not signed", an unreachable mirror "Failed to fetch".
const RULES: Rule[] = [
  {
    kind: 'repo_auth_required',
    test: /\b401\s+Unauthorized\b/,
    remediation: authRemediation,
  },
  {
    kind: 'missing_key',
    test: /NO_PUBKEY ([0-9A-F]+)|public key is not available/,
    remediation:
      "Install the repository's signing key (its keyring package or key file under /etc/apt/keyrings) and reference it with [signed-by=...] in the source entry, then run apt-get update again.",
  },
  {
    kind: 'release_expired',
    test: /Release file for \S+ is expired/,
    remediation:
      'The mirror serves outdated metadata: switch to an up-to-date mirror (or archive.debian.org for an archived release); if the clock is wrong, fix time sync (NTP).',
  },
  {
    kind: 'release_not_yet_valid',
    test: /Release file for \S+ is not valid yet/,
    remediation:
      "The machine's clock is behind the repository's Release date: fix the time (timedatectl, NTP) and retry.",
  },
  {
    kind: 'repository_no_release',
    test: /does not have a Release file/,
    remediation:
      'The suite does not exist at this URL: check the URL, suite and components of the source in /etc/apt/sources.list(.d); an end-of-life release may have moved to archive.debian.org.',
  },
  {
    kind: 'repository_not_found',
    test: /\b404\s+Not Found\b/,
    remediation:
      'A repository path returned 404: check the URL, suite, component and architecture of the source in /etc/apt/sources.list(.d).',
  },
  {
    kind: 'mirror_unreachable',
    test: /Could not resolve|Temporary failure resolving|Could not connect to|Connection timed out|Connection failed|No route to host|Network is unreachable|Unable to connect to|Connection refused/,
    remediation:
      'The mirror could not be reached: check DNS, routing/firewall and any APT proxy setting from this machine, or choose another mirror.',
  },
  {
    kind: 'repository_unsigned',
    test: /is not signed/,
    remediation:
      'The repository provides no valid signature: add its signing key with [signed-by=...] or remove the source.',
  },
  {
    kind: 'sources_invalid',
    test: /Conflicting values set for option|Malformed entry|The list of sources could not be read|Type '\S+' is not known|Invalid value set for option/,
    remediation:
      'Fix the source entries in /etc/apt/sources.list(.d): apt refused to read them, so no list was refreshed.',
  },
];

export interface AptUpdateResult {
  /** The package lists were refreshed (possibly with some sources failing): apt exited 0. */
  refreshed: boolean;
  errors: SnapshotError[];
}

// apt's summary lines that only repeat what the specific lines said.
const SUMMARY = /^(Some index files failed to download|Updates for this repository will not be applied)/;

/** Repository identity in a message: the first URL (file: or scheme://), so several lines about one source merge. */
function sourceOf(text: string): string {
  return /(?:\w+:\/\/|file:)\S+/.exec(text)?.[0]?.replace(/['")]+$/, '') ?? '';
}

export function parseAptUpdate(exitCode: number, output: string): AptUpdateResult {
  const errors: SnapshotError[] = [];
  const byKey = new Map<string, SnapshotError>();
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trimEnd();
    const m = /^([EW]): (.*)$/.exec(line);
    const text = m?.[2];
    if (!m || text === undefined || SUMMARY.test(text)) continue;
    const severity = m[1] === 'E' ? 'error' : 'warning';
    const rule = RULES.find((r) => r.test.test(text));
    const kind: AptUpdateErrorKind = rule?.kind ?? (severity === 'error' ? 'apt_update_failed' : 'apt_update_warning');
    const source = sourceOf(text);
    // NO_PUBKEY and "is not signed" are one problem of one source: keep the more precise kind, add the line.
    const existing = source
      ? [...byKey.values()].find((e) =>
          e.importantLines?.some((l) => sameSource(sourceOf(l), source) && sameRepo(l, text)),
        )
      : undefined;
    if (existing) {
      (existing.importantLines ??= []).push(line);
      if (severity === 'error') existing.severity = 'error';
      continue;
    }
    const key = `${kind}|${source}|${source ? '' : text}`;
    const prior = byKey.get(key);
    if (prior) {
      (prior.importantLines ??= []).push(line);
      continue;
    }
    const error: SnapshotError = {
      source: 'apt',
      kind,
      severity,
      message: cleanMessage(text),
      remediation:
        (typeof rule?.remediation === 'function' ? rule.remediation(text) : rule?.remediation) ??
        (severity === 'error'
          ? 'Read the apt-get update output in the raw log; the package lists may be stale.'
          : 'Review the apt-get update warning.'),
      importantLines: [line],
    };
    byKey.set(key, error);
    errors.push(error);
  }
  if (exitCode !== 0 && errors.every((e) => e.severity !== 'error')) {
    errors.push({
      source: 'apt',
      kind: 'apt_update_failed',
      severity: 'error',
      message: `apt-get update exited with code ${exitCode}`,
      remediation: 'Read the apt-get update output in the raw log; the package lists may be stale.',
    });
  }
  return { refreshed: exitCode === 0, errors };
}

/** A key and a signature complaint about the same InRelease are one problem. */
/** One repository: the same URL, or a file URL under the repository's base (".../dists/bookworm/InRelease"). */
function sameSource(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

function sameRepo(a: string, b: string): boolean {
  return /NO_PUBKEY|is not signed|GPG error|401\s+Unauthorized/.test(a) && /NO_PUBKEY|is not signed|GPG error/.test(b);
}
