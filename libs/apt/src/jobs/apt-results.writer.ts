import type { AptChange, SnapshotError } from '@su/contracts';
import { AptPackagesRepository, ImportantMessagesRepository, type Tx } from '@su/db';
import type { AptMessage } from '../apt-messages.extractor.ts';

/** The derived rows of APT results, written inside the caller's transaction. */
export async function saveApplied(tx: Tx, machineId: string, executionId: string, changes: AptChange[]): Promise<void> {
  await new AptPackagesRepository(tx).insertApplied(
    machineId,
    executionId,
    changes.map((c) => ({
      name: c.name,
      arch: c.arch ?? null,
      fromVersion: c.fromVersion,
      toVersion: c.toVersion,
      operation: c.operation,
      origin: c.origin ?? null,
      dedupKey: c.dedupKey ?? null,
    })),
  );
}

export async function saveErrors(
  tx: Tx,
  machineId: string,
  ref: { snapshotId?: string; executionId?: string },
  errors: SnapshotError[],
): Promise<void> {
  await new AptPackagesRepository(tx).insertErrors(
    machineId,
    ref,
    errors.map((e) => ({
      kind: e.kind,
      severity: e.severity,
      message: e.message,
      remediation: e.remediation ?? null,
      importantLines: e.importantLines ?? [],
    })),
  );
}

/** Notices extracted from output; the same notice on a later run moves last_seen_at instead of adding a row. */
export async function saveMessages(
  tx: Tx,
  machineId: string,
  ref: { snapshotId?: string; executionId?: string; rawArtifactId: string | null },
  messages: AptMessage[],
): Promise<void> {
  const repo = new ImportantMessagesRepository(tx);
  for (const m of messages) {
    await repo.upsert({
      machineId,
      source: 'apt',
      category: m.category,
      severity: m.severity,
      message: m.message,
      dedupKey: m.dedupKey,
      packageName: m.packageName,
      snapshotId: ref.snapshotId ?? null,
      executionId: ref.executionId ?? null,
      rawLineRef: ref.rawArtifactId ? `${ref.rawArtifactId}#${m.lineNo}` : null,
    });
  }
}
