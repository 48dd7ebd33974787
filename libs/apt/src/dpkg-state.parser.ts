// The installed package set as dpkg records it, and the real before/after diff of an apply (what changed, not what
// apt said it would do), compared with the simulated plan.
import type { AptChange, AptPackage, PlanComparison } from '@su/contracts';
import { compareDebianVersions } from './dpkg-version.ts';

/** Tab-separated so names/versions never need quoting; db:Status-Abbrev is 3 chars (want, status, error flag). */
export const DPKG_QUERY_FORMAT = '${binary:Package}\\t${Version}\\t${Architecture}\\t${db:Status-Abbrev}\\n';
/** Needs no root. `-W` with no pattern lists every package dpkg knows, including removed-with-config ones. */
export const DPKG_QUERY_ARGV: readonly string[] = ['env', 'LC_ALL=C', 'dpkg-query', '-W', `-f=${DPKG_QUERY_FORMAT}`];

export interface DpkgPackageState {
  name: string;
  arch: string;
  version: string;
  /** e.g. "ii", "iF", "rc", "hi". */
  status: string;
  /** A version is on disk (installed, or half-way: unpacked/half-configured/triggers). Not "rc"/"un". */
  present: boolean;
  /** dpkg left it in a state that needs `dpkg --configure -a` (or a reinstall). */
  broken: boolean;
}

/** Parses the output of DPKG_QUERY_ARGV. */
export function parseDpkgQuery(output: string): DpkgPackageState[] {
  const out: DpkgPackageState[] = [];
  for (const line of output.split(/\r?\n/)) {
    const f = line.split('\t');
    const [qualified, version = '', arch0, status0 = ''] = f;
    if (f.length < 4 || !qualified) continue;
    const colon = qualified.indexOf(':');
    const name = colon > 0 ? qualified.slice(0, colon) : qualified;
    const arch = arch0 || (colon > 0 ? qualified.slice(colon + 1) : 'unknown');
    const status = status0.trim();
    const s = status[1] ?? 'n';
    out.push({
      name,
      arch,
      version,
      status,
      present: s !== 'n' && s !== 'c',
      broken: 'HUF'.includes(s) || (status[2] ?? ' ') === 'R',
    });
  }
  return out;
}

const keyOf = (p: { name: string; arch: string }) => `${p.name}:${p.arch}`;

/** The real changes between two package sets (present packages only), sorted by name then arch. */
export function diffPackageSets(before: DpkgPackageState[], after: DpkgPackageState[]): AptChange[] {
  const b = new Map(before.filter((p) => p.present).map((p) => [keyOf(p), p]));
  const a = new Map(after.filter((p) => p.present).map((p) => [keyOf(p), p]));
  const changes: AptChange[] = [];
  for (const [k, was] of b) {
    const now = a.get(k);
    if (!now)
      changes.push({ name: was.name, arch: was.arch, fromVersion: was.version, toVersion: null, operation: 'removed' });
    else if (now.version !== was.version) {
      const cmp = compareDebianVersions(now.version, was.version);
      changes.push({
        name: was.name,
        arch: was.arch,
        fromVersion: was.version,
        toVersion: now.version,
        operation: cmp < 0 ? 'downgraded' : 'upgraded',
      });
    }
  }
  for (const [k, now] of a) {
    if (!b.has(k))
      changes.push({
        name: now.name,
        arch: now.arch,
        fromVersion: null,
        toVersion: now.version,
        operation: 'installed',
      });
  }
  return changes.sort((x, y) => x.name.localeCompare(y.name) || (x.arch ?? '').localeCompare(y.arch ?? ''));
}

const EXPECTED: Record<AptPackage['operation'], AptChange['operation']> = {
  upgrade: 'upgraded',
  install: 'installed',
  remove: 'removed',
};

/**
 * Whether the applied diff is exactly the plan: same package, same operation, same target version. The arch is
 * not compared because apt prints "all" in plans where dpkg may record the native arch for the same package.
 */
export function comparePlan(planned: AptPackage[], applied: AptChange[]): PlanComparison {
  const realChanges = applied.filter((c) => c.operation !== 'unchanged');
  const matched = new Set<AptChange>();
  const missing: AptPackage[] = [];
  for (const p of planned) {
    const hit = realChanges.find(
      (c) =>
        !matched.has(c) &&
        c.name === p.name &&
        c.operation === EXPECTED[p.operation] &&
        (p.operation === 'remove' || c.toVersion === p.targetVersion),
    );
    if (hit) matched.add(hit);
    else missing.push(p);
  }
  const unexpected = realChanges.filter((c) => !matched.has(c));
  return { matches: missing.length === 0 && unexpected.length === 0, unexpected, missing };
}

/** Packages dpkg left unconfigured or half-installed (a failed maintainer script, an interrupted run). */
export function brokenPackages(state: DpkgPackageState[]): string[] {
  return state.filter((p) => p.broken).map((p) => p.name);
}
