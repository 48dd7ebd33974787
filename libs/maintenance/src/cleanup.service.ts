import { lstat, unlink } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import type { CleanupCategory, CleanupRunView, RetentionSettings } from '@su/contracts';
import {
  Database,
  HostMetricsRepository,
  RetentionRepository,
  TerminalSessionsRepository,
  type RetentionCutoffs,
  type RetentionSelection,
  type Tx,
} from '@su/db';
import { APP_CONFIG } from '@su/platform';
import { RetentionSettingsService } from './retention-settings.service.ts';

const DAY = 86_400_000;

function cutoffs(s: RetentionSettings, now: Date): RetentionCutoffs {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  return {
    keepLast: s.history.keepLastPerMachine,
    historyBefore: ago(s.history.keepDays * DAY),
    rawBefore: ago(s.rawArtifactsDays * DAY),
    reportsBefore: ago(s.reportsDays * DAY),
    eventsBefore: ago(s.machineEventsDays * DAY),
    auditBefore: ago(s.auditDays * DAY),
    liveBefore: ago(s.liveEventsHours * 3_600_000),
    hostMetricsRawBefore: ago(s.hostMetrics.rawDays * DAY),
    hostMetricsHourlyBefore: ago(s.hostMetrics.hourlyDays * DAY),
    terminalSessionsBefore: ago(s.terminal.sessionsDays * DAY),
    terminalCommandsBefore: ago(s.terminal.commandsDays * DAY),
  };
}

function countsOf(s: RetentionSelection): Record<CleanupCategory, number> {
  return {
    executions: s.executions.length,
    snapshots: s.snapshots.length,
    reports: s.reports.length,
    rawArtifacts: s.rawArtifacts.length,
    machineEvents: s.machineEvents,
    auditRows: s.auditRows,
    liveEvents: s.liveEvents,
    hostMetrics: s.hostMetrics,
    terminalSessions: s.terminalSessions,
    terminalCommands: s.terminalCommands,
  };
}

/**
 * Retention (issue 16, ADR 0035): a dry run says what would go (counts and bytes), an apply deletes exactly that in
 * one transaction, then the files. Files are only deleted inside the data directory. Each pass is a cleanup_runs row.
 */
@Injectable()
export class CleanupService {
  private readonly logger = new Logger('Cleanup');

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(RetentionSettingsService) private readonly settings: RetentionSettingsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async run(mode: 'dry_run' | 'apply', trigger: 'manual' | 'scheduled', now = new Date()): Promise<CleanupRunView> {
    const c = cutoffs(await this.settings.get(), now);
    const runs = new RetentionRepository(this.db.prisma);
    const id = await runs.insertRun({ mode, trigger });
    try {
      const { selection, fileBytes } = await this.db.transaction(
        async (tx) => {
          const selection = await select(tx, c);
          const fileBytes = await this.fileBytes(selection);
          if (mode === 'apply') await applySelection(tx, selection, c);
          return { selection, fileBytes };
        },
        { timeoutMs: 600_000 },
      );
      const missingFiles = mode === 'apply' ? await this.deleteFiles(selection) : 0;
      const counts = countsOf(selection);
      const result = { files: fileBytes, rows: selection.rowBytes, missingFiles };
      await runs.finishRun(id, { status: 'ok', counts, bytes: fileBytes + selection.rowBytes, result });
    } catch (e) {
      this.logger.error(`clean-up ${mode} failed: ${(e as Error).message}`);
      await runs.finishRun(id, { status: 'error', counts: {}, bytes: 0, result: { error: (e as Error).message } });
    }
    const view = (await this.list(50)).find((r) => r.id === id);
    if (!view) throw new Error(`clean-up run ${id} vanished`);
    return view;
  }

  /** The scheduled pass: an apply, unless one ran less than `intervalMs` ago (a restart does not clean twice). */
  async runIfDue(intervalMs: number, now = new Date()): Promise<CleanupRunView | null> {
    const last = await new RetentionRepository(this.db.prisma).lastScheduledStart();
    if (last && now.getTime() - last.getTime() < intervalMs) return null;
    return this.run('apply', 'scheduled', now);
  }

  async list(limit: number): Promise<CleanupRunView[]> {
    const rows = await new RetentionRepository(this.db.prisma).runs(limit);
    return rows.map((r) => {
      const result = (r.resultJson ?? {}) as { files?: number; rows?: number; error?: string };
      return {
        id: r.id,
        mode: r.mode as CleanupRunView['mode'],
        status: r.status,
        trigger: r.trigger,
        startedAt: r.startedAt.toISOString(),
        finishedAt: r.finishedAt?.toISOString() ?? null,
        counts: (r.deletedCountsJson ?? {}) as CleanupRunView['counts'],
        bytes: { files: result.files ?? 0, rows: result.rows ?? 0, total: Number(r.bytesReclaimed ?? 0) },
        error: result.error ?? null,
      };
    });
  }

  /** A path the clean-up may touch: a regular file inside the data directory (never a link, never outside). */
  private inside(path: string): string | null {
    const abs = resolve(this.config.dataDir, path);
    const rel = relative(this.config.dataDir, abs);
    return rel && !rel.startsWith('..') && !rel.startsWith('/') ? abs : null;
  }

  private async size(path: string): Promise<number> {
    const p = this.inside(path);
    if (!p) return 0;
    const st = await lstat(p).catch(() => null);
    return st?.isFile() ? st.size : 0;
  }

  private async fileBytes(s: RetentionSelection): Promise<number> {
    let total = 0;
    for (const r of s.reports) total += await this.size(r.path);
    for (const a of s.rawArtifacts) total += await this.size(a.path);
    return total;
  }

  /** After the rows are gone: a file left behind is only disk, a row without its file would be a broken link. */
  private async deleteFiles(s: RetentionSelection): Promise<number> {
    let missing = 0;
    for (const path of [...s.reports.map((r) => r.path), ...s.rawArtifacts.map((a) => a.path)]) {
      const p = this.inside(path);
      if (!p || !(await lstat(p).catch(() => null))?.isFile()) {
        missing++;
        continue;
      }
      await unlink(p).catch(() => missing++);
    }
    return missing;
  }
}

async function select(tx: Tx, c: RetentionCutoffs): Promise<RetentionSelection> {
  const repo = new RetentionRepository(tx);
  const executions = await repo.executions(c);
  const snapshots = await repo.snapshots(c);
  const reports = await repo.reports(c.reportsBefore, executions);
  const rawArtifacts = await repo.rawArtifacts(c.rawBefore, { executions, snapshots });
  const ages = await repo.ageCounts(c);
  const partial = { executions, snapshots, reports, rawArtifacts, ...ages };
  const hm = await new HostMetricsRepository(tx).retentionCounts(c.hostMetricsRawBefore, c.hostMetricsHourlyBefore);
  const term = await new TerminalSessionsRepository(tx).retentionCounts(
    c.terminalSessionsBefore,
    c.terminalCommandsBefore,
  );
  return {
    ...partial,
    hostMetrics: hm.rows,
    terminalSessions: term.sessions,
    terminalCommands: term.commands,
    rowBytes: (await repo.rowBytes(partial, c)) + hm.bytes + term.bytes,
  };
}

/** Deletes the selection; old host metrics are folded into hourly rows first, then expired ones go (ADR 0044). */
async function applySelection(tx: Tx, s: RetentionSelection, c: RetentionCutoffs): Promise<void> {
  await new RetentionRepository(tx).deleteSelection(s, c);
  const hostMetrics = new HostMetricsRepository(tx);
  await hostMetrics.foldOlderThan(c.hostMetricsRawBefore);
  await hostMetrics.deleteHourlyOlderThan(c.hostMetricsHourlyBefore);
  await new TerminalSessionsRepository(tx).deleteOlderThan(c.terminalSessionsBefore, c.terminalCommandsBefore);
}
