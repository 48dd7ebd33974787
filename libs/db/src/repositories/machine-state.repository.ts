import type { MachineStatus } from '@su/contracts';
import type { DbClient } from '../database.ts';

export class MachineStateRepository {
  constructor(private readonly db: DbClient) {}

  /** A blocked machine is not connected to until a person acts (for example approves a changed host key). */
  async block(
    machineId: string,
    reason: string,
    errorKind: string,
    message: string,
    status: MachineStatus,
  ): Promise<void> {
    await this.db.machineState.upsert({
      where: { machineId },
      create: {
        machineId,
        blocked: true,
        blockedReason: reason,
        status,
        lastErrorKind: errorKind,
        lastErrorMessage: message,
      },
      update: {
        blocked: true,
        blockedReason: reason,
        status,
        lastErrorKind: errorKind,
        lastErrorMessage: message,
      },
    });
  }

  async unblock(machineId: string, status: MachineStatus): Promise<void> {
    await this.db.machineState.updateMany({
      where: { machineId },
      data: { blocked: false, blockedReason: null, status },
    });
  }

  async isBlocked(machineId: string): Promise<{ blocked: boolean; reason: string | null }> {
    const s = await this.db.machineState.findUnique({
      where: { machineId },
      select: { blocked: true, blockedReason: true },
    });
    return { blocked: s?.blocked ?? false, reason: s?.blockedReason ?? null };
  }

  /** The tile's APT figures from an analysis; an analysis that ended in error keeps its first problem visible. */
  async recordAptAnalysis(
    machineId: string,
    a: {
      status: string;
      updates: number;
      security: number;
      /** Held packages with a pending update, counted apart (never applied). */
      held?: number;
      heldSecurity?: number;
      /** Phased updates apt keeps back for now, counted apart (never applied). */
      phased?: number;
      rebootRequired: boolean;
      /** The plan changes a kernel: applying it will require a reboot. */
      rebootAfterApply?: boolean;
      firstError: { kind: string; message: string } | null;
      /** A failure that outlives this analysis (the last apply's), shown when the analysis itself has none. */
      standingError?: { kind: string; message: string } | null;
      machineStatus: MachineStatus;
    },
  ): Promise<void> {
    const shown =
      a.status === 'error' ? (a.firstError ?? { kind: 'apt_error', message: null }) : (a.standingError ?? null);
    const data = {
      aptStatus: a.status,
      aptUpdatesCount: a.updates,
      aptSecurityCount: a.security,
      aptHeldCount: a.held ?? 0,
      aptHeldSecurityCount: a.heldSecurity ?? 0,
      aptPhasedCount: a.phased ?? 0,
      aptRebootRequired: a.rebootRequired,
      aptRebootAfterApply: a.rebootAfterApply ?? false,
      aptLastAnalyzeAt: new Date(),
      status: a.machineStatus,
      lastErrorKind: shown?.kind ?? null,
      lastErrorMessage: shown?.message ?? null,
    };
    await this.db.machineState.upsert({ where: { machineId }, create: { machineId, ...data }, update: data });
  }

  /** The tile's update counts from an execution's after-state, in the transaction that closes it. */
  async setAptCounts(
    machineId: string,
    c: { updates: number; security: number; rebootAfterApply: boolean },
  ): Promise<void> {
    await this.db.machineState.updateMany({
      where: { machineId },
      data: { aptUpdatesCount: c.updates, aptSecurityCount: c.security, aptRebootAfterApply: c.rebootAfterApply },
    });
  }

  /**
   * Whether the machine waits for a reboot (the flag the latest analysis or apply recorded), and whether its latest
   * analysis predicts one after the upgrade.
   */
  async rebootOutlook(machineId: string): Promise<{ required: boolean; afterApply: boolean }> {
    const r = await this.db.machineState.findUnique({
      where: { machineId },
      select: { aptRebootRequired: true, aptRebootAfterApply: true },
    });
    return { required: r?.aptRebootRequired ?? false, afterApply: r?.aptRebootAfterApply ?? false };
  }

  async setRebootRequired(machineId: string, required: boolean): Promise<void> {
    await this.db.machineState.updateMany({ where: { machineId }, data: { aptRebootRequired: required } });
  }

  /** After a verified reboot: nothing waits for a reboot any more and the machine answered. */
  async markRebooted(machineId: string, status: MachineStatus): Promise<void> {
    await this.db.machineState.updateMany({
      where: { machineId },
      data: { aptRebootRequired: false, status },
    });
  }

  async setRunningJob(machineId: string, jobId: string | null): Promise<void> {
    await this.db.machineState.updateMany({ where: { machineId }, data: { runningJobId: jobId } });
  }

  /** Clears the running job only if it is still `jobId` (a later job may already have taken the machine). */
  async clearRunningJob(machineId: string, jobId: string): Promise<void> {
    await this.db.machineState.updateMany({ where: { machineId, runningJobId: jobId }, data: { runningJobId: null } });
  }

  async recordError(machineId: string, errorKind: string, message: string, status: MachineStatus): Promise<void> {
    await this.db.machineState.updateMany({
      where: { machineId },
      data: { lastErrorKind: errorKind, lastErrorMessage: message, status },
    });
  }

  /** The tile's Docker figures after a scan, a check or an apply. */
  async recordDocker(
    machineId: string,
    d: {
      status?: string | undefined;
      installed?: boolean | undefined;
      stacks: number;
      updates: number;
      alertsOpen?: number | undefined;
      scannedAt?: Date | undefined;
      checkedAt?: Date | undefined;
    },
  ): Promise<void> {
    const data = {
      ...(d.status === undefined ? {} : { dockerStatus: d.status }),
      ...(d.installed === undefined ? {} : { dockerInstalled: d.installed }),
      dockerStacksCount: d.stacks,
      dockerUpdatesCount: d.updates,
      ...(d.alertsOpen === undefined ? {} : { dockerAlertsOpen: d.alertsOpen }),
      ...(d.scannedAt ? { dockerLastScanAt: d.scannedAt } : {}),
      ...(d.checkedAt ? { dockerLastCheckAt: d.checkedAt } : {}),
    };
    await this.db.machineState.upsert({ where: { machineId }, create: { machineId, ...data }, update: data });
  }
}
