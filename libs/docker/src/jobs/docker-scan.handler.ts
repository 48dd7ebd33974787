import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '@su/config';
import {
  machineStatusAfter,
  type Actor,
  type DockerAlertView,
  type DockerSnapshot,
  type JobResult,
  type SnapshotError,
} from '@su/contracts';
import {
  Database,
  DockerAlertsRepository,
  DockerRootsRepository,
  DockerSettingsRepository,
  DockerStacksRepository,
  MachineEventsRepository,
  MachineInventoryRepository,
  MachineStateRepository,
  RawArtifactsRepository,
  type Tx,
} from '@su/db';
import { MachineConnector } from '@su/machine-access';
import { APP_CONFIG, ClassifiedError, machineJob, type JobContext, type JobHandler } from '@su/platform';
import type { RawLogResult } from '@su/ssh';
import { openDockerSession } from './docker-session.ts';
import { containerProblems, scanMachine, snapshotStacks, type ScanResult } from './docker-scanner.ts';

/**
 * docker.scan: the machine's compose stacks (under its roots, and running ones found by their labels), their
 * services' images and every container's state, written with the stacks table, the alerts and the tile in one
 * transaction. A Docker that cannot be used fails the job with its classified kind (never "no stacks").
 */
@Injectable()
export class DockerScanHandler implements JobHandler<'docker.scan'> {
  readonly kind = 'docker.scan' as const;

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(MachineConnector) private readonly connector: MachineConnector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async handle(ctx: JobContext<'docker.scan'>): Promise<JobResult<'docker.scan'>> {
    const { machineId, jobId, actor } = machineJob(ctx);
    const settings = await new DockerSettingsRepository(this.db.prisma).get(machineId);
    const roots = await new DockerRootsRepository(this.db.prisma).enabledRoots(machineId, settings.scanDepth);
    const s = await openDockerSession(this.connector, this.config, machineId, jobId, 'docker.scan', ctx.signal);
    let raw: RawLogResult | null = null;
    let scan: ScanResult | null = null;
    let failure: ClassifiedError | null = null;
    try {
      scan = await scanMachine((argv) => s.docker(argv), roots);
    } catch (e) {
      if (!(e instanceof ClassifiedError)) throw e;
      failure = e;
    } finally {
      raw = await s.opened.release();
    }
    const at = new Date();
    const result = await this.db.transaction(async (tx) => {
      const rawArtifactId = await new RawArtifactsRepository(tx).insertRawLog(machineId, jobId, raw);
      if (failure || !scan)
        return this.recordFailure(tx, machineId, jobId, failure ?? unreadScan(), rawArtifactId, roots);
      return this.record(tx, { machineId, jobId, actor, scan, at, rawArtifactId, roots: roots.map((r) => r.path) });
    });
    if (failure) throw failure;
    return result;
  }

  private async record(
    tx: Tx,
    r: {
      machineId: string;
      jobId: string;
      actor: Actor;
      scan: ScanResult;
      at: Date;
      rawArtifactId: string | null;
      roots: string[];
    },
  ): Promise<JobResult<'docker.scan'>> {
    const { machineId, jobId, scan, at } = r;
    const stacksRepo = new DockerStacksRepository(tx);
    const stored = await stacksRepo.saveScan(machineId, scan.stacks, at);
    const alerts = await new DockerAlertsRepository(tx).reconcile(
      machineId,
      containerProblems(stored, scan.containers),
      at,
    );
    const counts = await stacksRepo.counts(machineId);
    const broken = stored.filter((x) => x.status === 'error');
    const errors: SnapshotError[] = [
      ...scan.errors,
      ...broken.map((b) => ({
        source: 'docker' as const,
        kind: 'compose_invalid',
        severity: 'error' as const,
        message: `${b.name} (${b.workingDir}): ${b.error ?? 'compose failed'}`,
        remediation: 'Fix the compose file (run `docker compose config` in its directory), then scan again.',
      })),
    ];
    const status = broken.length || scan.errors.length ? 'warning' : counts.updates ? 'updates_available' : 'ok';
    const docker: DockerSnapshot = {
      enabled: true,
      installed: true,
      count: counts.updates,
      declaredRoots: r.roots,
      stacks: snapshotStacks(stored, scan.stacks),
      status,
      serverVersion: scan.serverVersion,
      composeVersion: scan.composeVersion,
      containers: scan.containers.map(({ workingDir: _w, configFiles: _c, ...c }) => c),
    };
    const snapshotId = await new MachineInventoryRepository(tx).insertSnapshot({
      machineId,
      kind: 'docker_scan',
      status,
      payload: {
        schemaVersion: 1,
        kind: 'docker_scan',
        machineId,
        checkedAt: at.toISOString(),
        status,
        docker,
        errors,
      },
      importantJson: {
        status,
        stacks: stored.length,
        candidates: stored.filter((x) => x.status === 'candidate').map((x) => x.name),
        errors: broken.map((b) => b.name),
        alertsOpened: alerts.opened.map((a) => a.containerName),
      },
      sourceJobId: jobId,
      rawArtifactId: r.rawArtifactId,
    });
    await new DockerSettingsRepository(tx).markScanned(machineId, at);
    await new MachineStateRepository(tx).recordDocker(machineId, {
      status,
      installed: true,
      stacks: counts.stacks,
      updates: counts.updates,
      alertsOpen: await new DockerAlertsRepository(tx).openCount(machineId),
      scannedAt: at,
    });
    await recordScanEvents(tx, r, { snapshotId, stored, broken: broken.length, alerts });
    return { snapshotId, status, stacks: stored.length };
  }

  /** Docker could not be used: the snapshot and the tile say so, with the remediation. */
  private async recordFailure(
    tx: Tx,
    machineId: string,
    jobId: string,
    f: ClassifiedError,
    rawArtifactId: string | null,
    roots: { path: string }[],
  ): Promise<JobResult<'docker.scan'>> {
    const error: SnapshotError = {
      source: 'docker',
      kind: f.errorKind,
      severity: 'error',
      message: f.message,
      ...(f.remediation ? { remediation: f.remediation } : {}),
    };
    const docker: DockerSnapshot = {
      enabled: true,
      installed: f.errorKind !== 'docker_missing',
      count: 0,
      declaredRoots: roots.map((r) => r.path),
      stacks: [],
      status: 'error',
    };
    const snapshotId = await new MachineInventoryRepository(tx).insertSnapshot({
      machineId,
      kind: 'docker_scan',
      status: 'error',
      payload: {
        schemaVersion: 1,
        kind: 'docker_scan',
        machineId,
        checkedAt: new Date().toISOString(),
        status: 'error',
        docker,
        errors: [error],
      },
      importantJson: { status: 'error', errors: [f.errorKind] },
      sourceJobId: jobId,
      rawArtifactId,
    });
    const counts = await new DockerStacksRepository(tx).counts(machineId);
    await new MachineStateRepository(tx).recordDocker(machineId, {
      status: 'error',
      installed: docker.installed,
      stacks: counts.stacks,
      updates: counts.updates,
    });
    await new MachineStateRepository(tx).recordError(
      machineId,
      f.errorKind,
      f.message,
      machineStatusAfter({ kind: 'failed', errorKind: f.errorKind }),
    );
    return { snapshotId, status: 'error', stacks: 0 };
  }
}

/** A scan that neither finished nor failed cannot happen; if it did, it is still not "no stacks". */
function unreadScan(): ClassifiedError {
  return new ClassifiedError('docker_unexpected_output', 'the scan produced no result');
}

/** The timeline of a scan: what it found, and each alert it opened or closed. */
async function recordScanEvents(
  tx: Tx,
  r: { machineId: string; jobId: string; actor: Actor; scan: ScanResult },
  x: {
    snapshotId: string;
    stored: { status: string }[];
    broken: number;
    alerts: { opened: DockerAlertView[]; closed: DockerAlertView[] };
  },
): Promise<void> {
  const { machineId, jobId, scan } = r;
  const { snapshotId, stored, alerts } = x;
  const events = new MachineEventsRepository(tx);
  await events.insert({
    machineId,
    eventType: 'docker.scanned',
    severity: x.broken ? 'warning' : 'info',
    actor: r.actor,
    jobId,
    message: `${stored.length} stack(s), ${stored.filter((x) => x.status === 'candidate').length} candidate(s), ${x.broken} in error, ${scan.containers.length} container(s)`,
    payload: { snapshotId },
  });
  for (const a of alerts.opened)
    await events.insert({
      machineId,
      eventType: 'docker.alert_opened',
      severity: a.severity === 'error' ? 'error' : 'warning',
      actor: r.actor,
      jobId,
      message: a.message ?? `${a.containerName} ${a.state}`,
      payload: { alertId: a.id },
    });
  for (const a of alerts.closed)
    await events.insert({
      machineId,
      eventType: 'docker.alert_closed',
      actor: r.actor,
      jobId,
      message: `${a.containerName} recovered (${a.state} no more)`,
      payload: { alertId: a.id },
    });
}
