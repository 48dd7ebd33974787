// An apply's progress read from what apt-get prints anyway, so the log stays exactly what a person would see. apt's
// machine-readable Status-Fd was tried first and rejected: with it, apt 2.6 stops passing dpkg's own messages through
// (the conffile decision and "dpkg: error processing package …" become pmconffile/pmerror lines, and a failing
// maintainer script's output is lost), which the important-message extraction and people reading the log rely on.
//   "2 upgraded, 1 newly installed, 0 to remove and 3 not upgraded."   → the dpkg steps to come
//   "Get:2 http://… bookworm/main amd64 homelab-conf all 1.1 [766 B]"    → downloading that package
//   "Unpacking homelab-conf (1.1) over (1.0) ...", "Setting up homelab-conf (1.1) ...", "Removing x (1.0) ..."

export interface AptProgress {
  phase: 'download' | 'install';
  /** 0..100: dpkg steps done (unpack and set up per installed package, one per removal) over those announced. */
  percent: number;
  /** The package apt downloads or dpkg works on. */
  package: string | null;
  text: string;
}

const SUMMARY = /^(\d+) upgraded, (\d+) newly installed, (\d+) to remove/;
const GET = /^Get:\d+ \S+ \S+ (?:\S+ )?(\S+) \S+ \S+ \[/;
const STEP = /^(Unpacking|Setting up|Removing) ([a-z0-9][a-z0-9+.-]*)(?::\S+)? \(/;

/** Follows apt-get's output line by line; `line` returns the progress when the line moved it. */
export class AptProgressTracker {
  private total = 0;
  private done = 0;

  line(raw: string): AptProgress | null {
    const line = raw.trim();
    const summary = SUMMARY.exec(line);
    if (summary) {
      this.total = 2 * (Number(summary[1]) + Number(summary[2])) + Number(summary[3]);
      return null;
    }
    const get = GET.exec(line);
    if (get) return { phase: 'download', percent: this.percent(), package: get[1] ?? null, text: line };
    const step = STEP.exec(line);
    if (!step) return null;
    this.done++;
    return { phase: 'install', percent: this.percent(), package: step[2] ?? null, text: line.replace(/ \.\.\.$/, '') };
  }

  private percent(): number {
    return this.total > 0 ? Math.min(100, Math.round((this.done / this.total) * 1000) / 10) : 0;
  }
}

/** Splits a stream into complete lines as chunks arrive. */
export class LineSplitter {
  private rest = '';
  push(chunk: string): string[] {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    return parts;
  }
}
