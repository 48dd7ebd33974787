import type { AptSnapshotDetail, SnapshotStatus, UpdateSnapshot } from '@su/contracts';
import { machineStatusAfter } from '@su/contracts';
import type { AnalysisRecordRows, AnalysisStartingPoint, AnalysisTileRow, RawLogFile } from '@su/db';
import type { AptMessage } from '../apt-messages.extractor.ts';
import { analysisSummary } from './analysis-summary.ts';
import { STATE_CATEGORIES } from './held-messages.ts';

/** What an analysis found, as the handler hands it to be written down. */
export interface AnalysisOutcome {
  machineId: string;
  jobId: string;
  raw: RawLogFile | null;
  snapshot: UpdateSnapshot;
  detail: AptSnapshotDetail;
  status: SnapshotStatus;
  messages: AptMessage[];
  securityCount: number;
}

/**
 * Every row an analysis writes (ADR 0057): the snapshot and its summary, errors, messages (held / kept-back / phased
 * notices no longer seen are resolved), the tile, the event, and the plan that becomes the machine's current one.
 */
export function analysisRecordRows(
  o: AnalysisOutcome,
  lastApply: AnalysisStartingPoint['lastApply'],
): AnalysisRecordRows {
  const { detail, status } = o;
  return {
    machineId: o.machineId,
    jobId: o.jobId,
    raw: o.raw,
    snapshot: { status, payload: o.snapshot, important: snapshotSummary(detail, status, o.securityCount) },
    errors: (detail.errors ?? []).map((e) => ({
      kind: e.kind,
      severity: e.severity,
      message: e.message,
      remediation: e.remediation ?? null,
      importantLines: e.importantLines ?? [],
    })),
    messages: o.messages.map((m) => ({
      category: m.category,
      severity: m.severity,
      message: m.message,
      dedupKey: m.dedupKey,
      packageName: m.packageName,
      lineNo: m.lineNo,
    })),
    resolveCategories: STATE_CATEGORIES,
    tile: analysisTile(detail, status, o.securityCount, lastApply),
    event: {
      severity: status === 'error' ? 'error' : status === 'warning' ? 'warning' : 'info',
      message: analysisSummary(detail, o.securityCount),
    },
    plan: plannedPackages(detail).map((p) => ({
      mode: 'dist_upgrade',
      name: p.name,
      arch: p.arch,
      currentVersion: p.currentVersion,
      targetVersion: p.targetVersion,
      origin: p.origin,
      operation: p.operation,
      security: p.security,
      keptBack: p.keptBack,
      held: p.held,
      phased: p.phased,
      dedupKey: p.dedupKey,
    })),
  };
}

/** The snapshot's `important_json`: what lists and reports read without opening the payload. */
function snapshotSummary(detail: AptSnapshotDetail, status: SnapshotStatus, security: number): object {
  return {
    status,
    count: detail.count,
    security,
    rebootRequired: detail.rebootRequired,
    keptBack: (detail.keptBack ?? []).map((p) => p.name),
    held: detail.held ?? [],
    heldCount: detail.heldCount ?? 0,
    heldSecurity: detail.heldSecurityCount ?? 0,
    phased: detail.phasedCount ?? 0,
    rebootAfterApply: detail.rebootAfterApply ?? false,
    errors: (detail.errors ?? []).map((e) => e.kind),
  };
}

/**
 * The tile: the analysis' counts and its first error; with none, a failed apply's (worker_lost included) that
 * stands until an apply succeeds.
 */
export function analysisTile(
  detail: AptSnapshotDetail,
  status: SnapshotStatus,
  security: number,
  lastApply: AnalysisStartingPoint['lastApply'],
): AnalysisTileRow {
  const first = detail.errors?.[0];
  const standing =
    lastApply?.status === 'error'
      ? { kind: lastApply.errorKind ?? 'apt_error', message: lastApply.errorMessage ?? '' }
      : null;
  return {
    status,
    updates: detail.count,
    security,
    held: detail.heldCount ?? 0,
    heldSecurity: detail.heldSecurityCount ?? 0,
    phased: detail.phasedCount ?? 0,
    rebootRequired: detail.rebootRequired,
    rebootAfterApply: detail.rebootAfterApply ?? false,
    machineStatus: machineStatusAfter({ kind: 'reached' }),
    shownError:
      status === 'error'
        ? first
          ? { kind: first.kind, message: first.message }
          : { kind: 'apt_error', message: null }
        : standing,
  };
}

/** The plan: the upgrades and installs, removals, then kept-back and held packages not already named. */
function plannedPackages(detail: AptSnapshotDetail) {
  const keptBack = detail.keptBack ?? [];
  return [
    ...detail.packages,
    ...(detail.installed ?? []),
    ...(detail.removed ?? []),
    ...keptBack.filter((k) => !detail.packages.some((p) => p.name === k.name)),
    ...(detail.heldPackages ?? []).filter((h) => !keptBack.some((k) => k.name === h.name)),
  ];
}
