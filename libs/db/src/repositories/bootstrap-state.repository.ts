import type { DbClient } from '../database.ts';

export interface BootstrapStateRow {
  machineId: string;
  /** not_started | running | done | failed */
  status: string;
  automationUser: string | null;
  lastAttemptAt: Date | null;
  errorMessage: string | null;
}

/** The automation-user bootstrap of each machine (seed 002 bootstrap_status). */
export class BootstrapStateRepository {
  constructor(private readonly db: DbClient) {}

  find(machineId: string): Promise<BootstrapStateRow | null> {
    return this.db.machineBootstrapState.findUnique({
      where: { machineId },
      select: { machineId: true, status: true, automationUser: true, lastAttemptAt: true, errorMessage: true },
    });
  }

  async record(
    machineId: string,
    s: { status: string; automationUser: string; errorMessage: string | null },
  ): Promise<void> {
    const data = { ...s, lastAttemptAt: new Date() };
    await this.db.machineBootstrapState.upsert({ where: { machineId }, create: { machineId, ...data }, update: data });
  }
}
