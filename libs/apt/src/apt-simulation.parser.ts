// Parses what `apt-get -s -V upgrade|dist-upgrade` (LC_ALL=C) prints, and builds the snapshot detail from the
// two simulations. Output shapes below were captured from apt 2.6.1 on Debian 12 (fixtures/sim-*.txt).
import type { AptOperation, AptPackage, AptSnapshotDetail, SnapshotError, SnapshotStatus } from '@su/contracts';
import { aptDedupKey } from './apt-dedup.ts';

/** One `Inst` or `Remv` line of a simulation. */
export interface SimulatedAction {
  operation: AptOperation;
  name: string;
  arch: string;
  currentVersion: string | null;
  targetVersion: string | null;
  /** Verbatim origin text apt printed, e.g. "Debian:12.10/stable" (several joined by ", " when apt lists more). */
  origin: string | null;
}

export interface KeptBackEntry {
  name: string;
  /** Only known when the simulation ran with -V ("name (1.0 => 1.1)"). */
  currentVersion: string | null;
  targetVersion: string | null;
}

export interface AptSimulation {
  actions: SimulatedAction[];
  keptBack: KeptBackEntry[];
  /** apt >= 2.7 lists phased upgrades in their own section; apt 2.6 (bookworm) folds them into kept back. */
  deferredByPhasing: string[];
  counts: { upgraded: number; newlyInstalled: number; removed: number; notUpgraded: number } | null;
  /** `E:` lines, prefix removed. */
  errors: string[];
  /** `W:` lines, prefix removed. */
  warnings: string[];
}

// Inst name [cur] (new Origin:ver/suite[, Origin2...] [arch]) [extra]; "[cur]" is absent for a new install, and the
// origin is empty ("(1.0 [all])") when the candidate comes from no archive (local/status file only).
const INST = /^Inst (\S+)(?: \[([^\]]*)\])? \((\S+) (.*?) ?\[([^\]]+)\]\)/;
const REMV = /^Remv (\S+)(?: \[([^\]]*)\])?/;
const COUNTS = /^(\d+) upgraded, (\d+) newly installed, (\d+) to remove and (\d+) not upgraded\./;

/** Splits "name:arch" (multi-arch qualified names apt prints for foreign packages). */
function splitArch(qualified: string): { name: string; arch: string | null } {
  const i = qualified.indexOf(':');
  return i > 0 ? { name: qualified.slice(0, i), arch: qualified.slice(i + 1) } : { name: qualified, arch: null };
}

export function parseAptSimulation(output: string): AptSimulation {
  const sim: AptSimulation = {
    actions: [],
    keptBack: [],
    deferredByPhasing: [],
    counts: null,
    errors: [],
    warnings: [],
  };
  let section: 'kept' | 'phasing' | null = null;
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (section && /^\s+\S/.test(line)) {
      // -V form "   name (1.0 => 1.1)" (one per line) or plain form "  a b c".
      const verbose = /^\s+(\S+) \((\S+) => (\S+)\)$/.exec(line);
      const entries: KeptBackEntry[] = verbose
        ? [{ name: verbose[1] ?? '', currentVersion: verbose[2] ?? null, targetVersion: verbose[3] ?? null }]
        : line
            .trim()
            .split(/\s+/)
            .map((name) => ({ name, currentVersion: null, targetVersion: null }));
      if (section === 'kept') sim.keptBack.push(...entries);
      else sim.deferredByPhasing.push(...entries.map((e) => e.name));
      continue;
    }
    section = null;
    if (/^The following packages have been kept back:/.test(line)) section = 'kept';
    else if (/^The following upgrades have been deferred due to phasing:/.test(line)) section = 'phasing';
    else if (line.startsWith('Inst ')) {
      const m = INST.exec(line);
      if (!m) continue;
      const q = splitArch(m[1] ?? '');
      sim.actions.push({
        operation: m[2] === undefined ? 'install' : 'upgrade',
        name: q.name,
        arch: m[5] ?? q.arch ?? 'unknown',
        currentVersion: m[2] ?? null,
        targetVersion: m[3] ?? '',
        origin: m[4]?.trim() || null,
      });
    } else if (line.startsWith('Remv ')) {
      const m = REMV.exec(line);
      if (!m) continue;
      const q = splitArch(m[1] ?? '');
      sim.actions.push({
        operation: 'remove',
        name: q.name,
        arch: q.arch ?? 'unknown',
        currentVersion: m[2] ?? null,
        targetVersion: null,
        origin: null,
      });
    } else if (COUNTS.test(line)) {
      const m = COUNTS.exec(line) ?? [];
      sim.counts = {
        upgraded: Number(m[1]),
        newlyInstalled: Number(m[2]),
        removed: Number(m[3]),
        notUpgraded: Number(m[4]),
      };
    } else if (line.startsWith('E: ')) sim.errors.push(line.slice(3).trim());
    else if (line.startsWith('W: ')) sim.warnings.push(line.slice(3).trim());
  }
  return sim;
}

/** "Debian-Security:12/stable-security" → { originName: "Debian-Security", suite: "stable-security" } (first origin). */
export function splitOrigin(origin: string | null): { originName: string | null; suite: string | null } {
  if (!origin) return { originName: null, suite: null };
  const [first = origin] = origin.split(', ');
  const colon = first.indexOf(':');
  const slash = first.lastIndexOf('/');
  return {
    originName: colon > 0 ? first.slice(0, colon) : slash > 0 ? first.slice(0, slash) : first,
    suite: slash >= 0 ? first.slice(slash + 1) || null : null,
  };
}

/**
 * Security is what the archive says, never the package name: a suite ending in "-security" (Debian's
 * "bookworm-security"/"stable-security", Ubuntu's "jammy-security") or the Debian-Security label. Any of the
 * origins apt lists counts, since apt may list the security archive second.
 */
export function isSecurityOrigin(origin: string | null): boolean {
  if (!origin) return false;
  return origin.split(', ').some((o) => {
    const { originName, suite } = splitOrigin(o);
    return originName === 'Debian-Security' || (suite?.endsWith('-security') ?? false);
  });
}

/** `apt-mark showhold`: one package name per line. */
export function parseShowhold(output: string): string[] {
  return output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^[a-z0-9][a-z0-9+.:-]*$/.test(l))
    .map((l) => splitArch(l).name);
}

/**
 * `apt-cache policy PKG...`: the packages whose candidate is phased. apt 2.6 prints nothing about phasing in
 * `apt-get -s upgrade` (a phased package is just "kept back"); the policy's candidate line "1.1 500 (phased 0%)"
 * is where it shows.
 */
export function parsePhasedFromPolicy(output: string): string[] {
  const phased: string[] = [];
  let current: string | null = null;
  let candidate: string | null = null;
  for (const line of output.split(/\r?\n/)) {
    const header = /^(\S+):$/.exec(line);
    if (header) {
      current = splitArch(header[1] ?? '').name;
      candidate = null;
      continue;
    }
    const cand = /^\s+Candidate: (\S+)/.exec(line);
    if (cand) candidate = cand[1] ?? null;
    const ver = /^\s+(?:\*\*\*)?\s*(\S+) -?\d+ \(phased \d+%\)/.exec(line);
    if (current && ver && ver[1] === candidate && !phased.includes(current)) phased.push(current);
  }
  return phased;
}

export interface SnapshotInput {
  osFamily: string;
  /** `apt-get -s upgrade`; null when it could not run. */
  upgrade: AptSimulation | null;
  /** `apt-get -s dist-upgrade`; null when it could not run. */
  distUpgrade: AptSimulation | null;
  held: string[];
  phased: string[];
  rebootRequired: boolean;
  rebootPkgs: string[];
  /** When `apt-get update` last succeeded (ISO); null when it failed or is unknown. */
  listsRefreshedAt: string | null;
  /** Problems found on the way (apt-get update classification, ...). */
  errors: SnapshotError[];
}

function toPackage(
  osFamily: string,
  a: { name: string; arch: string; currentVersion: string | null; targetVersion: string | null; origin: string | null },
  operation: AptOperation,
  flags: { keptBack: boolean; held: boolean; phased: boolean },
): AptPackage {
  const security = isSecurityOrigin(a.origin);
  return {
    name: a.name,
    arch: a.arch,
    currentVersion: a.currentVersion,
    targetVersion: a.targetVersion,
    origin: a.origin,
    ...splitOrigin(a.origin),
    operation,
    security,
    ...flags,
    dedupKey: aptDedupKey(osFamily, a.name, a.currentVersion, a.targetVersion, a.origin),
    severityHint: security ? 'security' : 'normal',
  };
}

/**
 * Merges the two simulations. The plan is dist-upgrade's (what an apply of `apt_dist_upgrade` would do); a package
 * kept back by plain `upgrade` but planned by dist-upgrade is actionable with keptBack=true (it needs
 * dist-upgrade). Held and phased packages are listed but are never actionable, so they never make
 * "updates_available" on their own.
 */
export function buildAptSnapshotDetail(input: SnapshotInput): AptSnapshotDetail {
  const { osFamily } = input;
  const held = new Set(input.held);
  const phased = new Set([
    ...input.phased,
    ...(input.upgrade?.deferredByPhasing ?? []),
    ...(input.distUpgrade?.deferredByPhasing ?? []),
  ]);
  const plan = input.distUpgrade ?? input.upgrade;
  const keptByUpgrade = new Map((input.upgrade?.keptBack ?? []).map((k) => [k.name, k]));
  const flagsOf = (name: string) => ({
    keptBack: keptByUpgrade.has(name),
    held: held.has(name),
    phased: phased.has(name),
  });

  const packages: AptPackage[] = [];
  const installed: AptPackage[] = [];
  const removed: AptPackage[] = [];
  for (const a of plan?.actions ?? []) {
    const p = toPackage(osFamily, a, a.operation, flagsOf(a.name));
    (a.operation === 'upgrade' ? packages : a.operation === 'install' ? installed : removed).push(p);
  }

  // Kept back by either simulation, with the reasons we know (held, phased); a package kept back by `upgrade` only
  // (needs a new dependency) is listed here and also in `packages`, since dist-upgrade takes it.
  const keptBack: AptPackage[] = [];
  const keptNames = new Set<string>();
  for (const k of [...(input.upgrade?.keptBack ?? []), ...(input.distUpgrade?.keptBack ?? [])]) {
    if (keptNames.has(k.name)) continue;
    keptNames.add(k.name);
    const inPlan = plan?.actions.find((a) => a.name === k.name);
    keptBack.push(
      toPackage(
        osFamily,
        inPlan ?? {
          name: k.name,
          arch: 'unknown',
          currentVersion: k.currentVersion,
          targetVersion: k.targetVersion,
          origin: null,
        },
        'upgrade',
        { keptBack: true, held: held.has(k.name), phased: phased.has(k.name) },
      ),
    );
  }

  const simErrors: SnapshotError[] = [];
  for (const [mode, sim] of [
    ['upgrade', input.upgrade],
    ['dist-upgrade', input.distUpgrade],
  ] as const) {
    if (!sim) continue;
    for (const e of sim.errors)
      simErrors.push({
        source: 'apt',
        kind: 'simulation_failed',
        severity: 'error',
        message: e,
        importantLines: [`E: ${e}`],
      });
    if (sim.errors.length === 0 && sim.counts === null)
      simErrors.push({
        source: 'apt',
        kind: 'simulation_unparsed',
        severity: 'error',
        message: `apt-get -s ${mode} printed no summary line`,
      });
  }
  const errors = [...input.errors, ...simErrors];
  // The analysis completed when the plan we report comes from a simulation that ran to its summary line.
  const completed = plan !== null && plan.counts !== null && plan.errors.length === 0;

  let status: SnapshotStatus;
  if (!completed) status = 'error';
  else if (errors.length > 0 || removed.length > 0) status = 'warning';
  else if (packages.length > 0 || installed.length > 0) status = 'updates_available';
  // Lists that were never refreshed cannot prove "up to date".
  else if (input.listsRefreshedAt === null) status = 'warning';
  else status = 'ok';

  const countOf = (sim: AptSimulation | null) => sim?.actions.filter((a) => a.operation !== 'remove').length ?? 0;
  return {
    enabled: true,
    count: packages.length,
    rebootRequired: input.rebootRequired,
    packages,
    status,
    listsRefreshedAt: input.listsRefreshedAt,
    upgradeCount: countOf(input.upgrade),
    distUpgradeCount: countOf(input.distUpgrade),
    installed,
    removed,
    keptBack,
    held: [...held],
    phased: [...phased],
    rebootPkgs: input.rebootPkgs,
    securityCount: [...packages, ...installed].filter((p) => p.security).length,
    errors,
  };
}
