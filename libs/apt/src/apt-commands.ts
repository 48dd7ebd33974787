// The exact argv the apt-worker runs on a machine. Every apt/dpkg call is LC_ALL=C (the parsers read the English
// messages) and non-interactive: no debconf question, no conffile prompt, no pager, and a bounded wait for the
// dpkg/apt locks (DPkg::Lock::Timeout, honoured by apt >= 1.9.11; bookworm's apt 2.6 prints
// "Waiting for cache lock: ..." while it waits and "E: Unable to acquire the dpkg frontend lock" when the wait runs out).
// Package names are validated here so nothing user-given reaches a remote shell unchecked.

import type { AptProxySetting } from '@su/contracts';
import { proxyOptions } from './apt-proxy.ts';

export const DEFAULT_LOCK_TIMEOUT_SECONDS = 300;

export interface AptApplyOptions {
  /** Seconds apt waits for a lock held by another process (unattended-upgrades, apt-daily). */
  lockTimeoutSeconds?: number;
  /** Modified conffiles: keep the local file (default, dpkg writes the new one as .dpkg-dist) or take the package's. */
  conffiles?: 'keep-local' | 'take-maintainer';
  /** The machine's APT proxy: in runtime mode the commands that fetch name it (this run only). */
  proxy?: AptProxySetting;
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?$/;

export function assertPackageNames(names: readonly string[]): void {
  if (names.length === 0) throw new Error('empty package list');
  for (const n of names) if (!PACKAGE_NAME.test(n)) throw new Error(`invalid package name: ${JSON.stringify(n)}`);
}

const ENV: readonly string[] = ['env', 'LC_ALL=C'];
// noninteractive debconf; apt-listchanges and needrestart (Ubuntu) would otherwise open a pager or a dialog.
const APPLY_ENV: readonly string[] = [
  'env',
  'LC_ALL=C',
  'DEBIAN_FRONTEND=noninteractive',
  'APT_LISTCHANGES_FRONTEND=none',
  'NEEDRESTART_MODE=a',
];

function lockOption(opts: AptApplyOptions): string[] {
  const s = Math.max(0, Math.floor(opts.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS));
  return ['-o', `DPkg::Lock::Timeout=${s}`];
}

function dpkgOptions(opts: AptApplyOptions): string[] {
  // confdef alone still asks when there is no default; confold/confnew answer that question.
  return opts.conffiles === 'take-maintainer'
    ? ['-o', 'Dpkg::Options::=--force-confnew']
    : ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'];
}

function applyArgv(opts: AptApplyOptions, tail: string[]): string[] {
  return [
    ...APPLY_ENV,
    'apt-get',
    '-y',
    ...lockOption(opts),
    ...proxyOptions(opts.proxy),
    ...dpkgOptions(opts),
    '-o',
    'Dpkg::Use-Pty=0',
    ...tail,
  ];
}

/** Needs root. Lock wait applies: apt-get update takes the lists lock. */
export function aptUpdateArgv(opts: AptApplyOptions = {}): string[] {
  return [...ENV, 'apt-get', ...lockOption(opts), ...proxyOptions(opts.proxy), 'update'];
}

/**
 * What makes an apt-get run a simulation that leaves the machine as it was. Simulations need no root and must not
 * wait for or take locks (Debug::NoLocking). Nor do they write the planner's log: apt otherwise writes every plan it
 * orders, simulated or not, to /var/log/apt/eipp.log.xz, so each analysis replaced the log of the machine's last real
 * install with a simulation's, and compressing it (xz) was 40-50 % of a simulation's CPU on the lab (ADR 0060).
 * apt opens /dev/null as it is, without removing or creating it.
 */
const SIMULATE: readonly string[] = ['-s', '-o', 'Debug::NoLocking=1', '-o', 'Dir::Log::Planner=/dev/null'];

/** -V prints kept-back versions. */
export function simulateArgv(mode: 'upgrade' | 'dist-upgrade' | 'autoremove'): string[] {
  return [...ENV, 'apt-get', ...SIMULATE, '-V', mode];
}

/**
 * The packages on hold, one per line (what `apt-mark showhold` prints), read from dpkg's database: `apt-mark` loads
 * the whole APT cache for it and cost 12-15 ms of CPU per machine on the lab against 6 ms, and the analysis of a
 * fleet on one host is CPU-bound. A dpkg-query failure is the command's exit status, not hidden by the filter.
 */
export const SHOWHOLD_ARGV: readonly string[] = [
  ...ENV,
  'sh',
  '-c',
  `out=$(dpkg-query -W -f='\${db:Status-Want} \${binary:Package}\\n') || exit $?; printf '%s\\n' "$out" | awk '$1 == "hold" { print $2 }'`,
];

/** `apt-cache policy` with no package: every package file apt uses, with its Release fields (apt-policy.parser.ts). */
export const RELEASES_ARGV: readonly string[] = [...ENV, 'apt-cache', 'policy'];

/** /etc/os-release, then Debian's point release (os-release has only the major: "12"). */
export const OS_RELEASE_ARGV: readonly string[] = [
  'sh',
  '-c',
  'cat /etc/os-release; echo "DEBIAN_VERSION_FULL=$(cat /etc/debian_version 2>/dev/null)"',
];

/** `apt-cache policy` of the kept-back packages: where apt 2.6 shows "(phased N%)". */
export function policyArgv(packages: readonly string[]): string[] {
  assertPackageNames(packages);
  return [...ENV, 'apt-cache', 'policy', ...packages];
}

/** Prints "yes"/"no" then the packages listed in /run/reboot-required.pkgs (see parseRebootRequired). */
export const REBOOT_REQUIRED_ARGV: readonly string[] = [
  'sh',
  '-c',
  'if [ -e /run/reboot-required ]; then echo yes; else echo no; fi; cat /run/reboot-required.pkgs 2>/dev/null; true',
];

/**
 * The dpkg state check: run with sudo (a non-root audit cannot check dpkg's lock and fails exactly when there is
 * something to report); its exit code and stderr decide as much as its output (see parseDpkgAudit).
 */
export const DPKG_AUDIT_ARGV: readonly string[] = [...ENV, 'dpkg', '--audit'];

/**
 * The packages dpkg left in a state other than installed/not-installed/config-files, as "<status> <package>" (the
 * three-letter db:Status-Abbrev, e.g. "iHR": half-installed, reinstall required). Root like the audit, so the
 * journal of an interrupted run is read. A dpkg-query failure is the command's exit status, not hidden by the filter.
 */
export const DPKG_UNSETTLED_ARGV: readonly string[] = [
  ...ENV,
  'sh',
  '-c',
  `out=$(dpkg-query -W -f='\${db:Status-Abbrev} \${binary:Package}\\n') || exit $?; printf '%s\\n' "$out" | awk 'substr($1, 2, 1) ~ /[UHFWt]/ || substr($1, 3, 1) == "R"'`,
];

/** The remediation of dpkg_interrupted; run only when a person asks for it. */
export const DPKG_CONFIGURE_PENDING_ARGV: readonly string[] = [
  ...APPLY_ENV,
  'dpkg',
  '--force-confdef',
  '--force-confold',
  '--configure',
  '-a',
];

/** Reinstalls the packages dpkg left half-installed (dpkg --configure -a cannot configure them). */
export function reinstallArgv(packages: readonly string[], opts: AptApplyOptions = {}): string[] {
  assertPackageNames(packages);
  return applyArgv(opts, ['install', '--reinstall', ...packages]);
}

/** Completes what dpkg left broken (dependencies, half-done packages). */
export function fixBrokenArgv(opts: AptApplyOptions = {}): string[] {
  return applyArgv(opts, ['-f', 'install']);
}

/** The simulation of an apt-get apply argv: same command, `-s`, no lock taken. */
export function simulationOf(argv: readonly string[]): string[] {
  const i = argv.indexOf('apt-get');
  if (i < 0) throw new Error('not an apt-get command');
  return [...ENV, 'apt-get', ...SIMULATE, ...argv.slice(i + 1).filter((a) => a !== '-y')];
}

export function applyUpgradeArgv(opts: AptApplyOptions = {}): string[] {
  return applyArgv(opts, ['upgrade']);
}

export function applyDistUpgradeArgv(opts: AptApplyOptions = {}): string[] {
  return applyArgv(opts, ['dist-upgrade']);
}

/** Upgrades only the chosen packages, never installs one that is not there yet. */
export function applyOnlyUpgradeArgv(packages: readonly string[], opts: AptApplyOptions = {}): string[] {
  assertPackageNames(packages);
  return applyArgv(opts, ['install', '--only-upgrade', ...packages]);
}

export function autoremoveArgv(opts: AptApplyOptions = {}): string[] {
  return applyArgv(opts, ['autoremove']);
}

export function cleanArgv(opts: AptApplyOptions = {}): string[] {
  return [...ENV, 'apt-get', ...lockOption(opts), 'clean'];
}

/** Bytes in the downloaded-archives cache, read before and after `clean`. */
export const ARCHIVES_SIZE_ARGV: readonly string[] = ['du', '-sb', '/var/cache/apt/archives'];
