import { disksOverThreshold, type MachineProbe, type MachineStatus } from '@su/contracts';

/**
 * What a machine probe writes in each derived row, as Prisma's field names and types (BigInt, Date): the probe's
 * record (ProbeRecordRepository) writes these values, and a test compares them with Prisma's own writes.
 */
export function hardwareRow(snapshotId: string, p: MachineProbe) {
  return {
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
}

export function metricsRow(snapshotId: string, p: MachineProbe) {
  const root = p.filesystems.find((f) => f.mount === '/');
  const big = (v: number | null) => (v === null ? null : BigInt(v));
  return {
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
}

export function machineFactsRow(p: MachineProbe) {
  return {
    osFamily: p.os.family,
    osVersion: p.os.versionId,
    osCodename: p.os.codename,
    arch: p.arch,
    machineKind: p.machineKind,
    virtualization: p.virtualization,
    lastSeenAt: new Date(p.collectedAt),
  };
}

/** Disks are counted against the host-metrics threshold, as the disk messages are (ADR 0044). */
export function stateFromProbeRow(p: MachineProbe, status: MachineStatus, diskThresholdPercent: number) {
  const root = p.filesystems.find((f) => f.mount === '/');
  return {
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
}
