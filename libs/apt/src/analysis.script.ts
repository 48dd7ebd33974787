import { quoteArg } from '@su/ssh';
import { proxyFileScript } from './apt-proxy.ts';
import { SOURCES_SCRIPT } from './apt-sources.parser.ts';
import {
  aptUpdateArgv,
  DPKG_AUDIT_ARGV,
  OS_RELEASE_ARGV,
  RELEASES_ARGV,
  REBOOT_REQUIRED_ARGV,
  simulateArgv,
  type AptApplyOptions,
} from './apt-commands.ts';

/*
 * The analysis as one script over one channel: refreshing the lists needs root, and running the read-only steps in
 * the same sudo session saves a channel, a sudo round trip and a password check per step (the analysis of a machine
 * went from ~480 ms to under 300 ms on the lab). Each step's output (stdout and stderr merged, as apt interleaves
 * them) is framed by markers with its exit code, so every step is parsed exactly as if it had run alone.
 *
 * Every process the script starts costs a fork and an exec on the machine, and on a busy host each one also waits
 * its turn for a core (ADR 0048): each side-by-side step writes its output and exit code to its own file, and one
 * `awk` prints them all under their markers at the end (not a `cat` and a `$(cat)` per step); the policy of the
 * packages the simulations name is read in the same script instead of over a second channel; and what does not read
 * the lists (dpkg's state, files) runs while `apt-get update` waits on the network.
 */
const STEP = '@@su-step:';
const RC = '@@su-rc:';

export const ANALYSIS_STEPS = [
  'update',
  'upgrade',
  'dist-upgrade',
  'autoremove',
  'showhold',
  'reboot',
  'dpkg-audit',
  'dpkg-unsettled',
  'policy',
  'os',
  'sources',
  'package-policy',
] as const;
export type AnalysisStep = (typeof ANALYSIS_STEPS)[number];

/**
 * The steps that read the refreshed lists, run side by side once `apt-get update` is done (they take no lock): each
 * apt run on its own.
 */
function afterUpdateSteps(): [AnalysisStep, readonly string[]][][] {
  return [
    // What an apt_autoremove would remove: the plan its request is bound to.
    [['autoremove', simulateArgv('autoremove')]],
    // Every package file with its Release fields (origin, label, suite, codename).
    [['policy', RELEASES_ARGV]],
  ];
}

/**
 * The steps that do not read the lists (dpkg's database, files under /etc and /run), run while `apt-get update`
 * waits on the network: dpkg's audit on its own, the quick reads one after the other in one more.
 */
function independentSteps(): [AnalysisStep, readonly string[]][][] {
  return [
    // The same dpkg state check as an apply's preflight, as root like the rest of the script.
    [['dpkg-audit', DPKG_AUDIT_ARGV]],
    [
      ['reboot', REBOOT_REQUIRED_ARGV],
      // The OS version, and the APT source files (one-line and deb822): repositories per machine.
      ['os', OS_RELEASE_ARGV],
      ['sources', ['sh', '-c', SOURCES_SCRIPT]],
    ],
  ];
}

/**
 * apt's architectures, asked of apt once for every apt run of the script (ADR 0060). Without them in its
 * configuration each apt-get and apt-cache run starts `dpkg --print-foreign-architectures`, some twice: 11 dpkg runs
 * per analysis on the lab, about 15 % of its CPU. `apt-config` prints the list apt itself settled on (the
 * configuration's `APT::Architectures` if the machine sets one, else the native architecture and dpkg's foreign
 * ones); given back as `APT::Architectures`, apt uses it as it is. An answer that is empty or not shaped like
 * architecture names passes nothing, and each apt run asks dpkg itself, as before.
 */
const ARCHITECTURES = [
  `archs=$(apt-config -o APT::Config::Dump::Format=%v, -o APT::Config::Dump::EmptyValue=false dump APT::Architectures 2>/dev/null </dev/null) || archs=`,
  `case $archs in '' | *[!a-z0-9,-]*) archs= ;; *) archs="-o APT::Architectures=$archs" ;; esac`,
].join('\n');
const APT_PROGRAMS = new Set(['apt-get', 'apt-cache']);

/**
 * A step's argv as a line of the script, which exports LC_ALL=C once: without the `env LC_ALL=C` in front, a `sh -c`
 * snippet run in a subshell (a fork, not a fork and a new shell), and apt's architectures after an apt program's name.
 */
function scriptLine(argv: readonly string[]): string {
  const plain = argv[0] === 'env' && argv[1] === 'LC_ALL=C' ? argv.slice(2) : argv;
  if (plain.length === 3 && plain[0] === 'sh' && plain[1] === '-c') return `( ${plain[2]} )`;
  const words = plain.map(quoteArg);
  // Unquoted: empty, or two words the `case` above checked.
  if (APT_PROGRAMS.has(plain[0] ?? '')) words.splice(1, 0, '$archs');
  return words.join(' ');
}

/** A step's merged output followed by its exit code, into the step's file. */
function intoFile(name: AnalysisStep, command: string): string {
  return `{ ${command} 2>&1 </dev/null; printf '\\n${RC}%s@@\\n' "$?"; } >"$d/${name}"`;
}

/**
 * `apt-cache policy` of the packages the simulations install or upgrade or keep back, and of the held ones: what the
 * analysis asks the policy of (it checks that every package it needs is there, and asks over a channel of its own
 * when one is not). The names come from apt's and dpkg's own output, and only names shaped like a package's are
 * passed: no quote, space or glob character can reach the unquoted `$names`.
 */
const PACKAGE_NAMES = [
  `FNR == 1 { k = 0 }`,
  `FILENAME ~ /showhold$/ { n = $1 }`,
  `FILENAME !~ /showhold$/ { n = "" } /^Inst / { n = $2 }`,
  `/^The following packages have been kept back:$/ { k = 1; next } k && /^ / { n = $1 } !/^ / { k = 0 }`,
  `n ~ /^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?$/ && !seen[n]++ { print n }`,
].join(' ');
const PACKAGE_POLICY = `names=$(awk ${quoteArg(PACKAGE_NAMES)} "$d/upgrade" "$d/dist-upgrade" "$d/showhold") && if [ -n "$names" ]; then ${scriptLine(RELEASES_ARGV)} $names; fi`;

/**
 * The holds (`showhold`: what `apt-mark showhold` prints) and the packages dpkg left unsettled (`dpkg-unsettled`:
 * "<db:Status-Abbrev> <package>" of those not installed/not-installed/config-files), from ONE `dpkg-query` of
 * dpkg's database instead of one each (ADR 0051), and ONE `awk` that writes both steps (ADR 0052: it was a `cat`
 * and a `printf | awk` per step). Each step prints exactly what its own command printed (see SHOWHOLD_ARGV,
 * DPKG_UNSETTLED_ARGV): dpkg-query's complaints, then the lines, under dpkg-query's exit code, so a query that
 * failed is a failed step for both, never an empty list; an `awk` that could not write them leaves both unreported
 * (`analysis_incomplete`).
 */
const DPKG_QUERY = `dpkg-query -W -f='\${db:Status-Want}\\t\${db:Status-Abbrev} \${binary:Package}\\n'`;
const DPKG_STATE = [
  `FILENAME == err { print > hold; print > unsettled; next }`,
  `r != 0 { next }`,
  `$1 == "hold" { n = split($2, w, " "); print w[n] > hold }`,
  `substr($2, 2, 1) ~ /[UHFWt]/ || substr($2, 3, 1) == "R" { print $2 > unsettled }`,
  `END { printf "\\n${RC}%s@@\\n", r > hold; printf "\\n${RC}%s@@\\n", r > unsettled }`,
].join(' ');
function dpkgStateSteps(): string {
  return [
    `${DPKG_QUERY} >"$d/q" 2>"$d/q.err" </dev/null; r=$?`,
    `awk -F '\\t' -v r="$r" -v err="$d/q.err" -v hold="$d/showhold" -v unsettled="$d/dpkg-unsettled" ${quoteArg(DPKG_STATE)} "$d/q.err" "$d/q"`,
  ].join('; ');
}

/**
 * `apt-get -s upgrade` only when its answer can differ from dist-upgrade's (ADR 0051). When dist-upgrade exited 0,
 * printed no E:/W: line, nothing kept back, deferred or held, and "N upgraded, 0 newly installed, 0 to remove and 0
 * not upgraded", its plan upgrades every upgradable package and touches nothing else: a plan `upgrade` (which may
 * not install or remove) reaches too, with the same lines in the same order, so its output is dist-upgrade's. Any
 * other case, and any doubt, runs `upgrade` itself.
 */
const SAME_AS_DIST = [
  `{ l[NR] = $0 }`,
  `/^[EW]: / || /^The following .*(kept back|deferred|held)/ { bad = 1 }`,
  `/^[0-9]+ upgraded, 0 newly installed, 0 to remove and 0 not upgraded\\.$/ { plain = 1 }`,
  `$0 == "${RC}0@@" { ok = 1 }`,
  `END { if (bad || !plain || !ok) exit 1; for (i = 1; i <= NR; i++) print l[i] > out }`,
].join(' ');
function simulationSteps(): string {
  const dist = intoFile('dist-upgrade', scriptLine(simulateArgv('dist-upgrade')));
  const upgrade = intoFile('upgrade', scriptLine(simulateArgv('upgrade')));
  const policy = intoFile('package-policy', `{ ${PACKAGE_POLICY}; }`);
  return `{ ${dist}; awk ${quoteArg(SAME_AS_DIST)} out="$d/upgrade" "$d/dist-upgrade" || ${upgrade}; ${policy}; } &`;
}

export function analysisScript(opts: AptApplyOptions): string {
  const before = independentSteps();
  const after = afterUpdateSteps();
  const inBackground = (g: [AnalysisStep, readonly string[]][]) =>
    `{ ${g.map(([name, argv]) => intoFile(name, scriptLine(argv))).join('; ')}; } &`;
  const files = ANALYSIS_STEPS.filter((n) => n !== 'update')
    .map((n) => `"$d/${n}"`)
    .join(' ');
  // Each side-by-side step writes into its own file; the package policy follows the simulations it reads; one awk
  // prints every file under its step's marker, in a fixed order, after the update's own output.
  return [
    'export LC_ALL=C',
    // Our apt.conf.d proxy file matches the machine's setting before apt reads its configuration.
    ...(opts.proxy ? [`${proxyFileScript(opts.proxy)} || exit 1`] : []),
    `d=$(mktemp -d) || exit 1`,
    // Its PID: the package policy reads the holds it writes.
    `{ ${dpkgStateSteps()}; } & h=$!`,
    ...before.map(inBackground),
    // While those run: every apt run from here on reads it.
    ARCHITECTURES,
    `printf '\\n${STEP}update@@\\n'; ${scriptLine(aptUpdateArgv(opts))} 2>&1 </dev/null; printf '\\n${RC}%s@@\\n' "$?"`,
    // The holds are in (dpkg-query ran while the lists were refreshed): the simulations' group reads them.
    `wait $h`,
    simulationSteps(),
    ...after.map(inBackground),
    `wait`,
    `awk 'FNR == 1 { n = FILENAME; sub(/.*\\//, "", n); printf "\\n${STEP}%s@@\\n", n } { print }' ${files}`,
    `rm -rf "$d"`,
    '',
  ].join('\n');
}

export interface StepOutput {
  output: string;
  exitCode: number | null;
}

export function splitAnalysisOutput(text: string): Map<AnalysisStep, StepOutput> {
  const out = new Map<AnalysisStep, StepOutput>();
  const re = new RegExp(`^${STEP}([a-z-]+)@@$([\\s\\S]*?)^${RC}(\\d+)@@$`, 'gm');
  for (const m of text.matchAll(re)) {
    const output = (m[2] ?? '').replace(/^\n/, '').replace(/\n?\n$/, '');
    out.set(m[1] as AnalysisStep, { output, exitCode: Number(m[3]) });
  }
  return out;
}
