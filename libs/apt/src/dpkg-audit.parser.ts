// The dpkg state check (preflight of every apply, and a step of every analysis), failing closed: `dpkg --audit` runs
// as root (on bookworm /var/lib/dpkg/lock is 0640 root:root; a non-root audit exits 2 with "unable to check lock
// file ... Permission denied" exactly when dpkg has something to report), and its exit code and stderr are read. A
// check that did not run cleanly is an error of its own, never "clean". Texts as dpkg 1.21 prints them
// (src/main/enquiry.c; fixtures/dpkg-audit-*.txt).
import { cleanMessage } from './apt-messages.extractor.ts';

/** The states `dpkg --audit` reports, each from one of its section headings. */
export type DpkgAuditState =
  | 'reinst-required'
  | 'unpacked'
  | 'half-configured'
  | 'half-installed'
  | 'triggers-awaited'
  | 'triggers-pending'
  | 'missing-control-files'
  | 'architecture'
  | 'unknown';

export interface DpkgAuditProblem {
  name: string;
  state: DpkgAuditState;
}

export type DpkgAudit =
  | { verdict: 'clean'; problems: [] }
  | { verdict: 'damaged'; problems: DpkgAuditProblem[] }
  /** The check itself did not run cleanly (not root, sudo refused, dpkg error): nothing is known. */
  | { verdict: 'check_failed'; problems: DpkgAuditProblem[]; reason: string };

const HEADINGS: [RegExp, DpkgAuditState][] = [
  [/in a mess due to serious problems/, 'reinst-required'],
  [/unpacked but not yet configured/, 'unpacked'],
  [/only half configured/, 'half-configured'],
  [/only half installed/, 'half-installed'],
  [/awaiting processing of triggers/, 'triggers-awaited'],
  [/have been triggered, but the trigger processing/, 'triggers-pending'],
  [/missing the (list|md5sums) control file/, 'missing-control-files'],
  [/architecture/, 'architecture'],
];

const PACKAGE_LINE = /^ ([a-z0-9][a-z0-9+.:-]*)(?:\s|$)/;

function parseSections(stdout: string): DpkgAuditProblem[] {
  const problems: DpkgAuditProblem[] = [];
  let state: DpkgAuditState = 'unknown';
  for (const line of stdout.split(/\r?\n/)) {
    const pkg = PACKAGE_LINE.exec(line)?.[1];
    if (pkg) {
      if (!problems.some((p) => p.name === pkg && p.state === state)) problems.push({ name: pkg, state });
      continue;
    }
    // Each heading's first line names its state (the rest of the heading wraps over lines without a leading space).
    if (/^The following packages/.test(line)) state = HEADINGS.find(([re]) => re.test(line))?.[1] ?? 'unknown';
  }
  return problems;
}

function firstLine(s: string): string | undefined {
  return s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find(Boolean);
}

interface CommandOutput {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** The state letter of db:Status-Abbrev (DPKG_UNSETTLED_ARGV) that names a half-done package more exactly. */
const STATUS_LETTER: Record<string, DpkgAuditState> = {
  H: 'half-installed',
  U: 'unpacked',
  F: 'half-configured',
  W: 'triggers-awaited',
  t: 'triggers-pending',
};

/** "iHR homelab-essential" lines → name → state letter (R alone: reinstall required on an installed package). */
function parseUnsettled(stdout: string): Map<string, DpkgAuditState> {
  const out = new Map<string, DpkgAuditState>();
  for (const line of stdout.split(/\r?\n/)) {
    const [, abbrev = '', name] = /^(\S{2,3}) ([a-z0-9][a-z0-9+.-]*)(?::\S+)?$/.exec(line.trim()) ?? [];
    if (!name) continue;
    out.set(name, STATUS_LETTER[abbrev.charAt(1)] ?? (abbrev.charAt(2) === 'R' ? 'reinst-required' : 'unknown'));
  }
  return out;
}

/**
 * dpkg 1.21 exits 0 whether or not it lists problems (later versions exit 1 when they do). Anything else — another
 * exit code, a signal, a `dpkg: error` on stderr, output with no package named — means the check did not run.
 * `unsettled` (DPKG_UNSETTLED_ARGV) names each package's state exactly: the audit lists a package dpkg was killed in
 * the middle of unpacking (status "iHR") only as "in a mess", though it is half-installed by an interruption.
 */
export function parseDpkgAudit(audit: CommandOutput, unsettled?: CommandOutput): DpkgAudit {
  const states = unsettled ? parseUnsettled(unsettled.stdout) : new Map<string, DpkgAuditState>();
  const problems = parseSections(audit.stdout).map((p) => ({ name: p.name, state: states.get(p.name) ?? p.state }));
  for (const [name, state] of states) if (!problems.some((p) => p.name === name)) problems.push({ name, state });
  const failed = [audit, ...(unsettled ? [unsettled] : [])].map(checkFailure).find((f) => f !== null);
  if (failed) return { verdict: 'check_failed', problems, reason: cleanMessage(failed) };
  if (problems.length) return { verdict: 'damaged', problems };
  if (audit.stdout.trim() !== '')
    return {
      verdict: 'check_failed',
      problems,
      reason: cleanMessage(`unrecognised output: ${firstLine(audit.stdout)}`),
    };
  return { verdict: 'clean', problems: [] };
}

function checkFailure(r: CommandOutput): string | null {
  const dpkgError = r.stderr.split(/\r?\n/).find((l) => /^dpkg(-query)?: error/.test(l.trim()));
  const exitOk = r.exitCode === 0 || (r.exitCode === 1 && parseSections(r.stdout).length > 0);
  if (exitOk && !dpkgError) return null;
  return (
    dpkgError ??
    firstLine(r.stderr) ??
    (r.exitCode === null ? 'killed by a signal' : `exit code ${r.exitCode}`)
  ).trim();
}

/** Packages only a reinstall completes (`apt-get install --reinstall`): dpkg --configure -a cannot configure them. */
export function packagesToReinstall(problems: DpkgAuditProblem[]): string[] {
  return problems.filter((p) => p.state === 'half-installed' || p.state === 'reinst-required').map((p) => p.name);
}

export type DpkgStateKind = 'dpkg_interrupted' | 'dpkg_broken' | 'dpkg_check_failed';

export interface DpkgStateFailure {
  errorKind: DpkgStateKind;
  message: string;
  remediation: string;
  packages: DpkgAuditProblem[];
}

export const DPKG_INTERRUPTED_REMEDIATION =
  "dpkg was interrupted: run 'dpkg --configure -a' as root to finish the pending work, then 'apt-get -f install' (simulate it first with -s), then 'dpkg --audit' to check that nothing remains, and retry. The dpkg_repair action does exactly this, through approval.";

/** The exact commands, naming the packages only a reinstall completes. */
export function dpkgRepairRemediation(problems: DpkgAuditProblem[]): string {
  const reinstall = packagesToReinstall(problems);
  if (reinstall.length === 0) return DPKG_INTERRUPTED_REMEDIATION;
  return `dpkg was interrupted: run 'dpkg --configure -a' as root, then 'apt-get install --reinstall ${reinstall.join(' ')}' (the half-installed package${reinstall.length > 1 ? 's' : ''}: dpkg cannot configure ${reinstall.length > 1 ? 'them' : 'it'}), then 'apt-get -f install' (simulate each apt-get first with -s), then 'dpkg --audit' to check that nothing remains, and retry. The dpkg_repair action does exactly this, through approval.`;
}

export const DPKG_BROKEN_REMEDIATION =
  "dpkg's database has packages that must be reinstalled or are missing control files: run 'dpkg --configure -a' then 'apt-get -f install' as root (simulate it first with -s), and 'apt-get install --reinstall <package>' for each package still listed by 'dpkg --audit'. The dpkg_repair action runs the first two, through approval.";

export const DPKG_CHECK_FAILED_REMEDIATION =
  "The dpkg state check ('sudo dpkg --audit') could not run, so the package database is not known to be sound and nothing was applied. Check that the account's sudo works for dpkg (the raw log shows dpkg's message) and retry.";

/** Interrupted work finishes with `dpkg --configure -a` / `apt-get -f install`; the rest needs a reinstall. */
const INTERRUPTED_STATES: readonly DpkgAuditState[] = [
  'unpacked',
  'half-configured',
  'half-installed',
  'triggers-awaited',
  'triggers-pending',
];

export function describeProblems(problems: DpkgAuditProblem[]): string {
  return problems.map((p) => `${p.name} (${p.state})`).join(', ');
}

/** The verdict of the check as a classified failure; null only when the check ran and dpkg is clean. */
export function dpkgStateFailure(audit: DpkgAudit): DpkgStateFailure | null {
  if (audit.verdict === 'clean') return null;
  if (audit.verdict === 'check_failed')
    return {
      errorKind: 'dpkg_check_failed',
      message: `the dpkg state check could not run: ${audit.reason}`,
      remediation: DPKG_CHECK_FAILED_REMEDIATION,
      packages: audit.problems,
    };
  const interrupted = audit.problems.every((p) => INTERRUPTED_STATES.includes(p.state));
  return {
    errorKind: interrupted ? 'dpkg_interrupted' : 'dpkg_broken',
    message: cleanMessage(
      `${interrupted ? 'dpkg has unfinished work' : 'dpkg reports damaged packages'}: ${describeProblems(audit.problems)}`,
    ),
    remediation: interrupted ? dpkgRepairRemediation(audit.problems) : DPKG_BROKEN_REMEDIATION,
    packages: audit.problems,
  };
}
