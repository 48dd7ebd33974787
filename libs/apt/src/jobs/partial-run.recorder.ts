import type { AptExecutionResult } from '@su/contracts';
import { type Database, ExecutionsRepository, MachineEventsRepository } from '@su/db';
import { diffPackageSets, DPKG_QUERY_ARGV, parseDpkgQuery, type DpkgPackageState } from '../dpkg-state.parser.ts';
import { saveApplied } from './apt-results.writer.ts';
import type { AptJobSession } from './apt-session.ts';

/** The before-state as an apply keeps it on its execution: [name, arch, version, status] per package. */
export type StoredPackageState = [string, string, string, string];

export function storedState(state: DpkgPackageState[]): StoredPackageState[] {
  return state.map((p) => [p.name, p.arch, p.version, p.status]);
}

export function restoredState(stored: unknown): DpkgPackageState[] {
  if (!Array.isArray(stored)) return [];
  // Back to DPKG_QUERY_FORMAT's field order (name, version, arch, status) for the one parser.
  const lines = stored
    .filter((r): r is StoredPackageState => Array.isArray(r) && r.length === 4)
    .map(([name, arch, version, status]) => [name, version, arch, status].join('\t'));
  return parseDpkgQuery(lines.join('\n'));
}

/**
 * The machine's applies that never finished, with the before-state each kept. The analysis reads them while its
 * connection opens (ADR 0052): under the machine's lock none can start or end meanwhile.
 */
export function unfinishedRuns(db: Database, machineId: string) {
  return new ExecutionsRepository(db.prisma).unfinishedWithBeforeState(machineId);
}

/**
 * At the next contact after an apply that never finished (worker lost, crash), what it changed: dpkg's package set
 * now against the before-state the run kept, recorded as that execution's partial diff. Runs within the job's
 * session, before the job changes anything itself. Returns the number of executions completed.
 */
export async function recordUnfinishedRuns(
  db: Database,
  s: AptJobSession,
  machineId: string,
  jobId: string,
  unfinished = unfinishedRuns(db, machineId),
): Promise<number> {
  const pending = await unfinished;
  if (pending.length === 0) return 0;
  const now = parseDpkgQuery((await s.run(DPKG_QUERY_ARGV, { sudo: true })).stdout);
  for (const e of pending) {
    const applied = diffPackageSets(restoredState(e.beforeState), now);
    const apt: AptExecutionResult = {
      planned: [],
      applied,
      installed: applied.filter((c) => c.operation === 'installed'),
      removed: applied.filter((c) => c.operation === 'removed'),
      held: [],
      rebootRequiredAfterRun: false,
    };
    await db.transaction(async (tx) => {
      await new ExecutionsRepository(tx).recordPartialDiff(e.id, {
        // Later runs' changes would show here too if several were lost in a row: the diff is up to this contact.
        result: { partial: true, diffedAt: new Date().toISOString(), diffedByJobId: jobId, apt } as object,
        importantJson: {
          partial: true,
          changed: applied.map((c) => `${c.name} ${c.fromVersion ?? '∅'} → ${c.toVersion ?? '∅'}`),
        },
      });
      await saveApplied(tx, machineId, e.id, applied);
      await new MachineEventsRepository(tx).insert({
        machineId,
        eventType: 'apt.partial_run_recorded',
        severity: 'warning',
        actor: { type: 'system', id: `job:${jobId}` },
        jobId,
        message: `an apply that did not finish had changed ${applied.length} package(s): ${applied.map((c) => c.name).join(', ') || 'none'}`,
        payload: { executionId: e.id },
      });
    });
  }
  return pending.length;
}
