// Where a package's candidate comes from, as apt itself reports it: `apt-cache policy` with no argument lists every
// package file with its Release fields ("release v=12,o=Debian,a=stable-security,n=bookworm-security,l=Debian-Security,
// c=main,b=amd64"), and `apt-cache policy PKG...` lists, under each version, the package files that offer it. The
// simulation's "(1.1 Debian-Security:12/stable-security [all])" is label:version/suite of the first file only.
import type { AptPackage, AptSnapshotDetail, AptSource } from '@su/contracts';
import { aptDedupKey } from './apt-dedup.ts';
import { isSecurityOrigin, splitOrigin } from './apt-simulation.parser.ts';

/** Package file line → its Release fields. */
export type ReleaseTable = Map<string, AptSource>;

const FILE_LINE = /^\s*-?\d+ (\S+ \S+ \S+ Packages)$/;

/** Parses `apt-cache policy` (no argument). */
export function parseReleaseTable(output: string): ReleaseTable {
  const table: ReleaseTable = new Map();
  let file: string | null = null;
  for (const line of output.split(/\r?\n/)) {
    const f = FILE_LINE.exec(line);
    if (f) {
      file = f[1] ?? null;
      continue;
    }
    const rel = /^\s+release (.*)$/.exec(line);
    if (file && rel) {
      const fields = new Map(
        (rel[1] ?? '').split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const),
      );
      const [uri = '', dist = ''] = file.split(' ');
      table.set(file, {
        origin: fields.get('o') ?? null,
        label: fields.get('l') ?? null,
        suite: fields.get('a') ?? null,
        codename: fields.get('n') ?? null,
        version: fields.get('v') ?? null,
        component: fields.get('c') ?? null,
        archive: `${uri} ${dist.split('/')[0] ?? ''}`.trim(),
      });
      file = null;
    }
  }
  return table;
}

export interface PolicyEntry {
  installed: string | null;
  candidate: string | null;
  /** The package files that offer the candidate version. */
  candidateFiles: string[];
}

/** Parses `apt-cache policy PKG...`: per package, installed and candidate versions and the candidate's files. */
export function parsePackagePolicy(output: string): Map<string, PolicyEntry> {
  const out = new Map<string, PolicyEntry>();
  let entry: PolicyEntry | null = null;
  let inCandidate = false;
  for (const line of output.split(/\r?\n/)) {
    const header = /^(\S+):$/.exec(line);
    if (header) {
      entry = { installed: null, candidate: null, candidateFiles: [] };
      out.set((header[1] ?? '').split(':')[0] ?? '', entry);
      inCandidate = false;
      continue;
    }
    if (!entry) continue;
    const inst = /^\s+Installed: (\S+)/.exec(line);
    if (inst) entry.installed = inst[1] === '(none)' ? null : (inst[1] ?? null);
    const cand = /^\s+Candidate: (\S+)/.exec(line);
    if (cand) entry.candidate = cand[1] === '(none)' ? null : (cand[1] ?? null);
    // A version row: " *** 1.0 500" or "     1.1 500 (phased 0%)".
    const ver = /^\s+(?:\*\*\* )?\s*(\S+) -?\d+(?: \(phased \d+%\))?$/.exec(line);
    if (ver) {
      inCandidate = ver[1] === entry.candidate;
      continue;
    }
    const file = FILE_LINE.exec(line);
    if (file && inCandidate && file[1]) entry.candidateFiles.push(file[1]);
  }
  return out;
}

/** Every source offering the candidate, as apt reports them; security if any of them is a security suite. */
export function candidateSources(
  entry: PolicyEntry | undefined,
  releases: ReleaseTable,
): { sources: AptSource[]; security: boolean } {
  const sources = (entry?.candidateFiles ?? []).map((f) => releases.get(f)).filter((s): s is AptSource => !!s);
  const security = sources.some(
    (s) =>
      s.label === 'Debian-Security' ||
      (s.suite?.endsWith('-security') ?? false) ||
      (s.codename?.endsWith('-security') ?? false) ||
      isSecurityOrigin(`${s.label ?? s.origin ?? ''}:${s.version ?? ''}/${s.suite ?? ''}`),
  );
  return { sources, security };
}

export interface PolicyInfo {
  releases: ReleaseTable;
  packages: Map<string, PolicyEntry>;
}

function withSources(p: AptPackage, policy: PolicyInfo): AptPackage {
  const entry = policy.packages.get(p.name);
  if (!entry || entry.candidate === null || entry.candidate !== p.targetVersion) return p;
  const { sources, security } = candidateSources(entry, policy.releases);
  const first = sources[0];
  if (!first) return p;
  const isSecurity = p.security || security;
  return {
    ...p,
    originName: first.origin,
    label: first.label,
    codename: first.codename,
    suite: p.suite ?? first.suite,
    sources,
    security: isSecurity,
    severityHint: isSecurity ? 'security' : 'normal',
  };
}

/** "Debian-Security:12/stable-security", the way apt's simulation names a candidate's first source. */
function relStr(s: AptSource | undefined): string | null {
  return s ? `${s.label ?? s.origin ?? ''}:${s.version ?? ''}/${s.suite ?? s.codename ?? ''}` : null;
}

/**
 * The analysis with each package's sources as apt reports them, and the held packages that have an update
 * (`apt-mark hold`: never applied) listed with their origin, suite and security flag, counted apart.
 */
export function withPolicy(
  detail: AptSnapshotDetail,
  policy: PolicyInfo,
  held: readonly string[],
  osFamily: string,
): AptSnapshotDetail {
  const packages = detail.packages.map((p) => withSources(p, policy));
  const installed = (detail.installed ?? []).map((p) => withSources(p, policy));
  const keptBack = (detail.keptBack ?? []).map((p) => withSources(p, policy));
  const heldPackages: AptPackage[] = [];
  for (const name of held) {
    const entry = policy.packages.get(name);
    if (!entry?.installed || !entry.candidate || entry.candidate === entry.installed) continue;
    const kept = keptBack.find((k) => k.name === name && k.targetVersion === entry.candidate);
    const origin = relStr(candidateSources(entry, policy.releases).sources[0]);
    const base: AptPackage = kept ?? {
      name,
      arch: 'unknown',
      currentVersion: entry.installed,
      targetVersion: entry.candidate,
      origin,
      ...splitOrigin(origin),
      operation: 'upgrade',
      security: false,
      keptBack: true,
      held: true,
      phased: false,
      dedupKey: aptDedupKey(osFamily, name, entry.installed, entry.candidate, origin),
    };
    heldPackages.push(withSources({ ...base, held: true }, policy));
  }
  return {
    ...detail,
    packages,
    installed,
    keptBack,
    securityCount: [...packages, ...installed].filter((p) => p.security).length,
    heldPackages,
    heldCount: heldPackages.length,
    heldSecurityCount: heldPackages.filter((p) => p.security).length,
  };
}
