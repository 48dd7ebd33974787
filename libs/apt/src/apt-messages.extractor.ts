// Important messages from the raw output of an apt/dpkg run, for `important_messages`. Shapes captured from a real
// apt 2.6.1 / dpkg 1.21 apply on Debian 12 (fixtures/apply-*.txt, apt-lock-*.txt).

export const MESSAGE_CATEGORIES = [
  'error',
  'warning',
  'future_major_change',
  'deprecation',
  'security_notice',
  'repository_notice',
  'conffile',
  'kept_back',
  'held',
  'phased',
  'reboot_required',
] as const;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number];
export type MessageSeverity = 'info' | 'warning' | 'error';

export interface AptMessage {
  category: MessageCategory;
  severity: MessageSeverity;
  packageName: string | null;
  /** Cleaned, one line, credentials in URLs masked. */
  message: string;
  /** 1-based line in the raw output, to link to the raw log. */
  lineNo: number;
  /** Stable across runs: category|package|message without versions, numbers and timestamps. */
  dedupKey: string;
}

const MAX_MESSAGE = 500;

/** One line, no control characters, no credentials in URLs. */
export function cleanMessage(text: string): string {
  const printable = Array.from(text, (c) => (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 ? ' ' : c)).join('');
  return printable
    .replace(/(\w+:\/\/)[^/\s:@]+(?::[^/\s@]*)?@/g, '$1***@')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_MESSAGE);
}

/** Removes what changes from run to run (versions, sizes, pids, durations, dates) so the same notice dedups. */
export function normalizeForDedup(message: string): string {
  return message
    .toLowerCase()
    .replace(/\b\d{4}-\d{2}-\d{2}[t ][\d:.]+z?\b/g, '#')
    .replace(/\b(mon|tue|wed|thu|fri|sat|sun), \d+ \w+ \d{4} [\d:]+ \w+\b/g, '#')
    .replace(/\d+[\w.:~+-]*/g, '#')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

export function messageDedupKey(category: MessageCategory, packageName: string | null, message: string): string {
  return `${category}|${packageName ?? ''}|${normalizeForDedup(message)}`;
}

const FUTURE =
  /\b(in a future (release|version)|will be (removed|dropped|disabled)|no longer (be )?supported|end of (life|support))\b/i;
const DEPRECATION = /\b(deprecat\w*|obsolete)\b/i;
const SECURITY = /\b(CVE-\d{4}-\d+|DSA-\d+|DLA-\d+|USN-\d+|security (update|fix|support|advisory))\b/i;
const REPOSITORY =
  /\b(Release file|InRelease|Failed to fetch|GPG error|NO_PUBKEY|is not signed|Repository '|repository|changed its '\w+' value)\b/;
const REBOOT = /(\*\*\* System restart required \*\*\*|reboot-required|requires? a (system )?re(boot|start))/i;

/** Category for a W:/N:/dpkg: warning line, most specific first. */
function warningCategory(text: string): MessageCategory {
  if (DEPRECATION.test(text)) return 'deprecation';
  if (FUTURE.test(text)) return 'future_major_change';
  if (SECURITY.test(text)) return 'security_notice';
  if (REPOSITORY.test(text)) return 'repository_notice';
  return 'warning';
}

/** Extracts the important messages, in output order, each dedup key once (the first line it appeared on). */
export function extractAptMessages(output: string): AptMessage[] {
  // apt runs dpkg on a pty unless Dpkg::Use-Pty=0, so dpkg's lines end in CRLF; line numbers count "\n" only.
  const lines = output.split(/\r?\n/);
  const out: AptMessage[] = [];
  const seen = new Set<string>();
  const add = (
    category: MessageCategory,
    severity: MessageSeverity,
    packageName: string | null,
    text: string,
    lineNo: number,
  ) => {
    const message = cleanMessage(text);
    if (!message) return;
    const dedupKey = messageDedupKey(category, packageName, message);
    if (seen.has(dedupKey)) return;
    seen.add(dedupKey);
    out.push({ category, severity, packageName, message, lineNo, dedupKey });
  };
  const failedPackages = new Set<string>();
  // dpkg prints "Setting up X (v) ..." before the conffile question of X; that is how the conffile gets its package.
  let currentPackage: string | null = null;

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    const lineNo = i + 1;
    const continuation = () => {
      const parts: string[] = [];
      while (i + 1 < lines.length && /^\s+\S/.test(lines[i + 1]!) && !/^ ==>/.test(lines[i + 1]!))
        parts.push(lines[++i]!.trim());
      return parts;
    };

    const setting =
      /^(?:Setting up|Unpacking|Preparing to unpack \.\.\.\/|Removing|Purging configuration files for) ([a-z0-9][a-z0-9+.-]*)(?::\S+)?[ _(]/.exec(
        line,
      );
    if (setting) currentPackage = setting[1]!;

    let m: RegExpExecArray | null;
    if ((m = /^dpkg: error processing (?:package|archive) (\S+?)(?::\S+)? \(([^)]*)\):?$/.exec(line))) {
      const pkg = m[1]!.replace(/^.*\//, '').replace(/_.*$/, '');
      failedPackages.add(pkg);
      add('error', 'error', pkg, [line, ...continuation()].join(' '), lineNo);
    } else if ((m = /^Errors were encountered while processing:$/.exec(line))) {
      for (const name of continuation()) {
        const pkg = name.replace(/^.*\//, '').replace(/_.*$/, '').replace(/:.*$/, '');
        if (!failedPackages.has(pkg))
          add('error', 'error', pkg, `Errors were encountered while processing: ${name}`, lineNo);
      }
    } else if ((m = /^Configuration file '([^']+)'$/.exec(line))) {
      const details: string[] = [];
      while (i + 1 < lines.length && /^ ==> /.test(lines[i + 1]!))
        details.push(lines[++i]!.replace(/^ ==> /, '').trim());
      const kept = details.some((d) => /Keeping old config file/.test(d));
      const decision = kept
        ? 'kept the local version'
        : details.some((d) => /Using new config file/.test(d))
          ? 'installed the package version'
          : 'decision pending';
      add(
        'conffile',
        kept ? 'warning' : 'info',
        currentPackage,
        `Configuration file '${m[1]}': ${decision} (${details.join(' ')})`,
        lineNo,
      );
    } else if ((m = /^Installing new version of config file (\S+) \.\.\.$/.exec(line))) {
      add(
        'conffile',
        'info',
        currentPackage,
        `Configuration file '${m[1]}': installed the new version (not modified locally)`,
        lineNo,
      );
    } else if (
      /^The following packages have been kept back:$/.test(line) ||
      /^The following upgrades have been deferred due to phasing:$/.test(line)
    ) {
      const phasing = /phasing/.test(line);
      for (const entry of continuation().flatMap((l) => (/\(.* => .*\)$/.test(l) ? [l] : l.split(/\s+/)))) {
        const pkg = entry.split(' ')[0]!;
        add(
          'kept_back',
          'info',
          pkg,
          phasing ? `${entry}: upgrade deferred due to phasing` : `${entry}: kept back`,
          lineNo,
        );
      }
    } else if (line.startsWith('E: ')) {
      add('error', 'error', null, line.slice(3), lineNo);
    } else if ((m = /^Waiting for cache lock: (.*)$/.exec(line))) {
      add('warning', 'warning', null, `Waited for the package manager lock: ${m[1]}`, lineNo);
    } else if (line.startsWith('W: ')) {
      add(warningCategory(line), 'warning', null, line.slice(3), lineNo);
    } else if (line.startsWith('N: ')) {
      add(
        warningCategory(line) === 'warning' ? 'repository_notice' : warningCategory(line),
        'info',
        null,
        line.slice(3),
        lineNo,
      );
    } else if ((m = /^dpkg: warning: (.*)$/.exec(line))) {
      add(
        warningCategory(m[1]!),
        'warning',
        currentPackage,
        [`dpkg: warning: ${m[1]}`, ...continuation()].join(' '),
        lineNo,
      );
    } else if (REBOOT.test(line)) {
      add('reboot_required', 'info', currentPackage, line, lineNo);
    } else if (DEPRECATION.test(line) || FUTURE.test(line)) {
      add(DEPRECATION.test(line) ? 'deprecation' : 'future_major_change', 'warning', currentPackage, line, lineNo);
    } else if (SECURITY.test(line)) {
      add('security_notice', 'info', currentPackage, line, lineNo);
    }
  }
  return out;
}
