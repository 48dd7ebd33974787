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
  return new AptOutputReader(output).read();
}

/**
 * One pass over an apt/dpkg output. Each line is offered to the recognizers in order (most specific first); the first
 * that knows the line records its message, reading the indented lines that continue it when it has any.
 */
class AptOutputReader {
  // apt runs dpkg on a pty unless Dpkg::Use-Pty=0, so dpkg's lines end in CRLF; line numbers count "\n" only.
  private readonly lines: string[];
  private readonly out: AptMessage[] = [];
  private readonly seen = new Set<string>();
  private readonly failedPackages = new Set<string>();
  // dpkg prints "Setting up X (v) ..." before the conffile question of X; that is how the conffile gets its package.
  private currentPackage: string | null = null;
  private i = 0;
  private lineNo = 1;

  constructor(output: string) {
    this.lines = output.split(/\r?\n/);
  }

  read(): AptMessage[] {
    const recognizers = [
      (l: string) => this.dpkgError(l),
      (l: string) => this.errorsWhileProcessing(l),
      (l: string) => this.conffileQuestion(l),
      (l: string) => this.conffileInstalled(l),
      (l: string) => this.keptBack(l),
      (l: string) => this.aptLine(l),
      (l: string) => this.dpkgWarning(l),
      (l: string) => this.notice(l),
    ];
    for (this.i = 0; this.i < this.lines.length; this.i++) {
      const line = this.line(this.i).trimEnd();
      this.lineNo = this.i + 1;
      this.followPackage(line);
      recognizers.some((recognize) => recognize(line));
    }
    return this.out;
  }

  private line(i: number): string {
    return this.lines[i] ?? '';
  }

  private add(category: MessageCategory, severity: MessageSeverity, packageName: string | null, text: string) {
    const message = cleanMessage(text);
    if (!message) return;
    const dedupKey = messageDedupKey(category, packageName, message);
    if (this.seen.has(dedupKey)) return;
    this.seen.add(dedupKey);
    this.out.push({ category, severity, packageName, message, lineNo: this.lineNo, dedupKey });
  }

  /** The indented lines that continue the current one (not a conffile's " ==>" details), consumed. */
  private continuation(): string[] {
    const parts: string[] = [];
    while (
      this.i + 1 < this.lines.length &&
      /^\s+\S/.test(this.line(this.i + 1)) &&
      !/^ ==>/.test(this.line(this.i + 1))
    )
      parts.push(this.line(++this.i).trim());
    return parts;
  }

  private followPackage(line: string): void {
    const setting =
      /^(?:Setting up|Unpacking|Preparing to unpack \.\.\.\/|Removing|Purging configuration files for) ([a-z0-9][a-z0-9+.-]*)(?::\S+)?[ _(]/.exec(
        line,
      );
    if (setting?.[1]) this.currentPackage = setting[1];
  }

  private dpkgError(line: string): boolean {
    const m = /^dpkg: error processing (?:package|archive) (\S+?)(?::\S+)? \(([^)]*)\):?$/.exec(line);
    if (!m) return false;
    const pkg = (m[1] ?? '').replace(/^.*\//, '').replace(/_.*$/, '');
    this.failedPackages.add(pkg);
    this.add('error', 'error', pkg, [line, ...this.continuation()].join(' '));
    return true;
  }

  private errorsWhileProcessing(line: string): boolean {
    if (!/^Errors were encountered while processing:$/.test(line)) return false;
    for (const name of this.continuation()) {
      const pkg = name.replace(/^.*\//, '').replace(/_.*$/, '').replace(/:.*$/, '');
      if (!this.failedPackages.has(pkg))
        this.add('error', 'error', pkg, `Errors were encountered while processing: ${name}`);
    }
    return true;
  }

  private conffileQuestion(line: string): boolean {
    const m = /^Configuration file '([^']+)'$/.exec(line);
    if (!m) return false;
    const details: string[] = [];
    while (this.i + 1 < this.lines.length && /^ ==> /.test(this.line(this.i + 1)))
      details.push(
        this.line(++this.i)
          .replace(/^ ==> /, '')
          .trim(),
      );
    const kept = details.some((d) => /Keeping old config file/.test(d));
    const decision = kept
      ? 'kept the local version'
      : details.some((d) => /Using new config file/.test(d))
        ? 'installed the package version'
        : 'decision pending';
    const text = `Configuration file '${m[1]}': ${decision} (${details.join(' ')})`;
    this.add('conffile', kept ? 'warning' : 'info', this.currentPackage, text);
    return true;
  }

  private conffileInstalled(line: string): boolean {
    const m = /^Installing new version of config file (\S+) \.\.\.$/.exec(line);
    if (!m) return false;
    const text = `Configuration file '${m[1]}': installed the new version (not modified locally)`;
    this.add('conffile', 'info', this.currentPackage, text);
    return true;
  }

  private keptBack(line: string): boolean {
    if (
      !/^The following packages have been kept back:$/.test(line) &&
      !/^The following upgrades have been deferred due to phasing:$/.test(line)
    )
      return false;
    const phasing = /phasing/.test(line);
    for (const entry of this.continuation().flatMap((l) => (/\(.* => .*\)$/.test(l) ? [l] : l.split(/\s+/)))) {
      const pkg = entry.split(' ')[0] ?? entry;
      this.add('kept_back', 'info', pkg, phasing ? `${entry}: upgrade deferred due to phasing` : `${entry}: kept back`);
    }
    return true;
  }

  /** apt's own E:/W:/N: lines and its wait for the lock. */
  private aptLine(line: string): boolean {
    let m: RegExpExecArray | null;
    if (line.startsWith('E: ')) this.add('error', 'error', null, line.slice(3));
    else if ((m = /^Waiting for cache lock: (.*)$/.exec(line)))
      this.add('warning', 'warning', null, `Waited for the package manager lock: ${m[1]}`);
    else if (line.startsWith('W: ')) this.add(warningCategory(line), 'warning', null, line.slice(3));
    else if (line.startsWith('N: '))
      this.add(
        warningCategory(line) === 'warning' ? 'repository_notice' : warningCategory(line),
        'info',
        null,
        line.slice(3),
      );
    else return false;
    return true;
  }

  private dpkgWarning(line: string): boolean {
    const m = /^dpkg: warning: (.*)$/.exec(line);
    if (!m) return false;
    const text = m[1] ?? '';
    this.add(
      warningCategory(text),
      'warning',
      this.currentPackage,
      [`dpkg: warning: ${text}`, ...this.continuation()].join(' '),
    );
    return true;
  }

  /** Any other line that says a reboot is needed, something is deprecated or going away, or a security fix. */
  private notice(line: string): boolean {
    if (REBOOT.test(line)) this.add('reboot_required', 'info', this.currentPackage, line);
    else if (DEPRECATION.test(line) || FUTURE.test(line))
      this.add(DEPRECATION.test(line) ? 'deprecation' : 'future_major_change', 'warning', this.currentPackage, line);
    else if (SECURITY.test(line)) this.add('security_notice', 'info', this.currentPackage, line);
    else return false;
    return true;
  }
}
