import { quoteArg } from '@su/ssh';
import { proxyFileScript } from './apt-proxy.ts';
import { SOURCES_SCRIPT } from './apt-sources.parser.ts';
import {
  aptUpdateArgv,
  DPKG_AUDIT_ARGV,
  DPKG_UNSETTLED_ARGV,
  OS_RELEASE_ARGV,
  RELEASES_ARGV,
  REBOOT_REQUIRED_ARGV,
  SHOWHOLD_ARGV,
  simulateArgv,
  type AptApplyOptions,
} from './apt-commands.ts';

/*
 * The analysis as one script over one channel: refreshing the lists needs root, and running the read-only steps in
 * the same sudo session saves a channel, a sudo round trip and a password check per step (the analysis of a machine
 * went from ~480 ms to under 300 ms on the lab). Each step's output (stdout and stderr merged, as apt interleaves
 * them) is framed by markers with its exit code, so every step is parsed exactly as if it had run alone.
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
] as const;
export type AnalysisStep = (typeof ANALYSIS_STEPS)[number];

export function analysisScript(opts: AptApplyOptions): string {
  const q = (argv: readonly string[]) => argv.map(quoteArg).join(' ');
  const readOnly: [AnalysisStep, readonly string[]][] = [
    ['upgrade', simulateArgv('upgrade')],
    ['dist-upgrade', simulateArgv('dist-upgrade')],
    // What an apt_autoremove would remove: the plan its request is bound to.
    ['autoremove', simulateArgv('autoremove')],
    ['showhold', SHOWHOLD_ARGV],
    ['reboot', REBOOT_REQUIRED_ARGV],
    // The same dpkg state check as an apply's preflight, as root like the rest of the script.
    ['dpkg-audit', DPKG_AUDIT_ARGV],
    ['dpkg-unsettled', DPKG_UNSETTLED_ARGV],
    // Every package file with its Release fields (origin, label, suite, codename), and the OS version.
    ['policy', RELEASES_ARGV],
    ['os', OS_RELEASE_ARGV],
    // The APT source files (one-line and deb822): repositories per machine.
    ['sources', ['sh', '-c', SOURCES_SCRIPT]],
  ];
  // The lists are refreshed first; the read-only steps then run side by side (they take no lock) into files that
  // are printed in a fixed order, so the output is as readable as a sequential run.
  return [
    // Our apt.conf.d proxy file matches the machine's setting before apt reads its configuration.
    ...(opts.proxy ? [`${proxyFileScript(opts.proxy)} || exit 1`] : []),
    `printf '\\n${STEP}update@@\\n'; ${q(aptUpdateArgv(opts))} 2>&1 </dev/null; printf '\\n${RC}%s@@\\n' "$?"`,
    `d=$(mktemp -d) || exit 1`,
    ...readOnly.map(([name, argv]) => `( ${q(argv)} >"$d/${name}" 2>&1 </dev/null; echo $? >"$d/${name}.rc" ) &`),
    `wait`,
    ...readOnly.map(
      ([name]) =>
        `printf '\\n${STEP}${name}@@\\n'; cat "$d/${name}"; printf '\\n${RC}%s@@\\n' "$(cat "$d/${name}.rc")"`,
    ),
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
