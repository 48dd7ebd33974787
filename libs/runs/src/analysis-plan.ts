import { analysisPlanOf, updateSnapshotSchema, type AnalysisBoundAction, type AptPackage } from '@su/contracts';
import { SnapshotsRepository, type DbClient } from '@su/db';

/**
 * The plan of a machine's latest APT analysis for one apply, the one derivation used by people's requests and by
 * schedule runs alike: `none` when no analysis is on record, `unusable` when it ended in error or cannot be read,
 * otherwise the packages that apply would change (analysisPlanOf: the set the worker simulates before applying).
 */
export type AnalysisPlan =
  | { kind: 'none' }
  | { kind: 'unusable'; snapshotId: string; analysedAt: string }
  | { kind: 'plan'; snapshotId: string; analysedAt: string; packages: AptPackage[] };

export async function planOfLatestAnalysis(
  db: DbClient,
  machineId: string,
  action: AnalysisBoundAction,
  only?: readonly string[],
): Promise<AnalysisPlan> {
  const snap = await new SnapshotsRepository(db).latest(machineId, 'apt_update_analyze');
  if (!snap) return { kind: 'none' };
  // Read from the snapshot (the canonical JSON), which alone tells kept-back-only packages from planned ones.
  const parsed = updateSnapshotSchema.safeParse(snap.payload);
  if (!parsed.success || snap.status === 'error')
    return { kind: 'unusable', snapshotId: snap.id, analysedAt: snap.createdAt };
  return {
    kind: 'plan',
    snapshotId: snap.id,
    analysedAt: snap.createdAt,
    packages: analysisPlanOf(action, parsed.data.apt, only),
  };
}
