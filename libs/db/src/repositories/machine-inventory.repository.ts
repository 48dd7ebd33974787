import { disksOverThreshold, type MachineProbe, type MachineStatus } from '@su/contracts';
import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

/** Writes of a machine probe: each method one statement; the caller runs them in one transaction. */
export class MachineInventoryRepository {
  constructor(private readonly db: DbClient) {}

  async insertSnapshot(s: {
    machineId: string;
    kind: string;
    status: string;
    payload: Prisma.InputJsonValue;
    importantJson?: Prisma.InputJsonValue;
    sourceJobId: string | null;
    rawArtifactId?: string | null;
  }): Promise<string> {
    const row = await this.db.snapshot.create({
      data: {
        machineId: s.machineId,
        kind: s.kind,
        status: s.status,
        payload: s.payload,
        ...(s.importantJson === undefined ? {} : { importantJson: s.importantJson }),
        sourceJobId: s.sourceJobId,
        rawArtifactId: s.rawArtifactId ?? null,
      },
      select: { id: true },
    });
    return row.id;
  }

  async upsertHardware(machineId: string, snapshotId: string, p: MachineProbe): Promise<void> {
    const data = {
      probeSnapshotId: snapshotId,
      cpuModel: p.cpu.model,
      cpuCores: p.cpu.cores,
      memoryBytes: p.memory.totalBytes === null ? null : BigInt(p.memory.totalBytes),
      disksJson: p.filesystems.map((f) => ({
        device: f.device,
        mount: f.mount,
        fsType: f.fsType,
        sizeBytes: f.sizeBytes,
      })),
      firmwareJson: { hardwareModel: p.hardwareModel, kernel: p.kernel },
      warningsJson: p.warnings,
    };
    await this.db.machineHardware.upsert({ where: { machineId }, create: { machineId, ...data }, update: data });
  }

  async upsertMetrics(machineId: string, snapshotId: string, p: MachineProbe): Promise<void> {
    const root = p.filesystems.find((f) => f.mount === '/');
    const big = (v: number | null) => (v === null ? null : BigInt(v));
    const data = {
      snapshotId,
      collectedAt: new Date(p.collectedAt),
      cpuLoad1: p.load?.load1 ?? null,
      cpuLoad5: p.load?.load5 ?? null,
      cpuCores: p.cpu.cores,
      memoryTotalBytes: big(p.memory.totalBytes),
      memoryUsedBytes: big(p.memory.usedBytes),
      memoryAvailableBytes: big(p.memory.availableBytes),
      memoryUsedPercent: p.memory.usedPercent,
      filesystemsJson: p.filesystems,
      rootUsedPercent: root?.usedPercent ?? null,
      bootId: p.bootId,
      uptimeSeconds: p.uptimeSeconds,
      warningsJson: p.warnings,
    };
    await this.db.machineMetricsLatest.upsert({ where: { machineId }, create: { machineId, ...data }, update: data });
  }

  async updateMachineFacts(machineId: string, p: MachineProbe): Promise<void> {
    await this.db.machine.update({
      where: { id: machineId },
      data: {
        osFamily: p.os.family,
        osVersion: p.os.versionId,
        osCodename: p.os.codename,
        arch: p.arch,
        machineKind: p.machineKind,
        virtualization: p.virtualization,
        lastSeenAt: new Date(p.collectedAt),
      },
    });
  }

  /** Disks are counted against the host-metrics threshold, as the disk messages are (ADR 0044). */
  async updateStateFromProbe(
    machineId: string,
    p: MachineProbe,
    status: MachineStatus,
    diskThresholdPercent: number,
  ): Promise<void> {
    const root = p.filesystems.find((f) => f.mount === '/');
    const data = {
      status,
      dockerInstalled: p.docker.installed,
      aptUsable: p.apt.usable,
      lastProbeAt: new Date(p.collectedAt),
      metricsLastCollectedAt: new Date(p.collectedAt),
      cpuLoad1: p.load?.load1 ?? null,
      memoryUsedPercent: p.memory.usedPercent,
      rootUsedPercent: root?.usedPercent ?? null,
      diskWarningsCount: disksOverThreshold(p.filesystems, diskThresholdPercent).length,
      lastErrorKind: null,
      lastErrorMessage: null,
    };
    await this.db.machineState.upsert({ where: { machineId }, create: { machineId, ...data }, update: data });
  }
}
