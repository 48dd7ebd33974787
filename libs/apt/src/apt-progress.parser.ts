// apt's machine-readable progress (`-o APT::Status-Fd=N`), as apt 2.6 writes it (apt-pkg/install-progress.cc):
//   dlstatus:<file no>:<percent>:<text>         while downloading
//   pmstatus:<package>:<percent>:<text>          while dpkg unpacks/configures ("Unpacking homelab-demo (amd64)")
//   pmerror:<package>:<percent>:<text>, pmconffile:..., media-change: ... (kept as they come)

export interface AptProgress {
  phase: 'download' | 'install' | 'error';
  /** 0..100, as apt computes it over the whole run. */
  percent: number;
  /** The package dpkg works on (install phase), null while downloading. */
  package: string | null;
  text: string;
}

// The package may carry its arch ("libc6:amd64"): the percent is the first all-numeric field after it.
const LINE = /^(dlstatus|pmstatus|pmerror):(.+?):([0-9]+(?:\.[0-9]+)?):(.*)$/;

export function parseAptStatusLine(line: string): AptProgress | null {
  const m = LINE.exec(line.trim());
  if (!m) return null;
  const [, kind = '', what = '', pct = '0', text = ''] = m;
  return {
    phase: kind === 'dlstatus' ? 'download' : kind === 'pmerror' ? 'error' : 'install',
    percent: Math.max(0, Math.min(100, Math.round(Number(pct) * 10) / 10)),
    package: kind === 'dlstatus' ? null : what.split(':')[0] || null,
    text: text.trim(),
  };
}

/** Lines apt's Status-Fd wrote into a stream, removed so the rest reads (and is classified) as without it. */
export function withoutStatusLines(text: string): string {
  return text
    .split('\n')
    .filter((l) => !LINE.test(l.trim()) && !/^(pmconffile|media-change):/.test(l.trim()))
    .join('\n');
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
