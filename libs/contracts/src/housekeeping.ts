/**
 * Retention and clean-up (issue 16, seed 000 §12, ADR 0035). Kept in `app_settings` under `retention`; a missing key
 * takes its default.
 */
export interface RetentionSettings {
  /** Executions and snapshots: the last `keepLastPerMachine` per machine (snapshots: per machine and kind) and
   * everything younger than `keepDays` are kept. */
  history: { keepLastPerMachine: number; keepDays: number };
  /** Raw logs (files and rows) and reports (files and rows) older than this go, unless pinned or referenced by a
   * kept execution or snapshot. */
  rawArtifactsDays: number;
  reportsDays: number;
  /** A machine's timeline rows. */
  machineEventsDays: number;
  /** Fleet-level audit rows (machine_events without a machine) and the MCP audit log. */
  auditDays: number;
  liveEventsHours: number;
  /** Host metrics (ADR 0044): probes and samples older than `rawDays` are folded into one row per machine and hour;
   * hourly rows older than `hourlyDays` go. */
  hostMetrics: { rawDays: number; hourlyDays: number };
  /** Web terminal records (ADR 0043): closed sessions opened more than `sessionsDays` ago go, with their input lines;
   * input lines older than `commandsDays` go on their own (keystrokes: kept shorter than the record of who opened a
   * shell). Open sessions are never deleted. */
  terminal: { sessionsDays: number; commandsDays: number };
}

export const DEFAULT_RETENTION: RetentionSettings = {
  history: { keepLastPerMachine: 20, keepDays: 90 },
  rawArtifactsDays: 30,
  reportsDays: 90,
  machineEventsDays: 180,
  auditDays: 365,
  liveEventsHours: 168,
  hostMetrics: { rawDays: 7, hourlyDays: 180 },
  terminal: { sessionsDays: 365, commandsDays: 90 },
};

export const CLEANUP_CATEGORIES = [
  'executions',
  'snapshots',
  'reports',
  'rawArtifacts',
  'machineEvents',
  'auditRows',
  'liveEvents',
  'hostMetrics',
  'terminalSessions',
  'terminalCommands',
] as const;
export type CleanupCategory = (typeof CLEANUP_CATEGORIES)[number];

export interface CleanupRunView {
  id: string;
  mode: 'dry_run' | 'apply';
  status: string;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  /** Rows per category (what would go, or what went). */
  counts: Record<CleanupCategory, number>;
  /** Bytes of files (raw logs, reports) plus the rows' own size in the database. */
  bytes: { files: number; rows: number; total: number };
  error: string | null;
}

export interface SystemMetricView {
  createdAt: string;
  cpuPercent: number | null;
  memoryRssBytes: number | null;
  memoryHeapBytes: number | null;
  dbBytes: number | null;
  walBytes: number | null;
  dataDirBytes: number | null;
  jobsRunning: number | null;
  machinesCount: number | null;
  /** Each service process's CPU and memory, as it last reported them. */
  services: { service: string; pid: number; host: string; cpuPercent: number; rssBytes: number; heapUsedBytes: number }[];
}
