import type { MachineView } from '../api/types.ts';

/** A tile's one status, from the derived state only (worst first). */
export type TileStatus = 'blocked' | 'running' | 'error' | 'offline' | 'unknown' | 'security' | 'updates' | 'ok';

export function tileStatus(m: MachineView): TileStatus {
  const s = m.state;
  if (!s) return 'unknown';
  if (s.blocked) return 'blocked';
  if (s.runningJobId) return 'running';
  if (s.lastErrorKind || s.status === 'error') return 'error';
  if (s.status === 'offline') return 'offline';
  if (s.status === 'unknown') return 'unknown';
  if (s.aptSecurityCount > 0) return 'security';
  if (s.aptUpdatesCount > 0) return 'updates';
  return 'ok';
}

/** The summary bar's counts; each is also a filter of the list. */
export const SUMMARY_FILTERS = ['updates', 'security', 'reboot', 'errors', 'blocked'] as const;
export type SummaryFilter = (typeof SUMMARY_FILTERS)[number];

const matchers: Record<SummaryFilter, (m: MachineView) => boolean> = {
  updates: (m) => (m.state?.aptUpdatesCount ?? 0) > 0,
  security: (m) => (m.state?.aptSecurityCount ?? 0) > 0,
  reboot: (m) => m.state?.aptRebootRequired === true,
  errors: (m) => tileStatus(m) === 'error' || tileStatus(m) === 'offline',
  blocked: (m) => m.state?.blocked === true,
};

export function summaryOf(machines: MachineView[]): Record<SummaryFilter | 'machines', number> {
  const counts = { machines: machines.length, updates: 0, security: 0, reboot: 0, errors: 0, blocked: 0 };
  for (const m of machines) for (const f of SUMMARY_FILTERS) if (matchers[f](m)) counts[f] += 1;
  return counts;
}

export interface MachineFilter {
  text: string;
  tag: string | null;
  only: SummaryFilter | null;
}

/** The machines the dashboard shows for a filter (kept in the URL). Text matches name, host, OS and tags. */
export function filterMachines(machines: MachineView[], f: MachineFilter): MachineView[] {
  const needle = f.text.trim().toLowerCase();
  return machines.filter(
    (m) =>
      (!f.tag || m.tags.includes(f.tag)) &&
      (!f.only || matchers[f.only](m)) &&
      (!needle ||
        [m.name, m.hostname, m.osFamily, m.osVersion ?? '', m.osCodename ?? '', ...m.tags].some((v) =>
          v.toLowerCase().includes(needle),
        )),
  );
}

export function isSummaryFilter(v: string | null): v is SummaryFilter {
  return v !== null && (SUMMARY_FILTERS as readonly string[]).includes(v);
}
