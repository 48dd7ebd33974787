import type { Actor, MachineEventView } from '@su/contracts';
import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface NewMachineEvent {
  machineId: string | null;
  eventType: string;
  severity?: 'info' | 'warning' | 'error';
  actor: Actor;
  message: string;
  jobId?: string | null;
  /** Structured details. Must never contain a secret: callers pass field names, not values. */
  payload?: Prisma.InputJsonValue;
}

export function machineEventRow(e: NewMachineEvent) {
  return {
    machineId: e.machineId,
    eventType: e.eventType,
    severity: e.severity ?? 'info',
    actorType: e.actor.type,
    actorId: e.actor.id,
    message: e.message,
    jobId: e.jobId ?? null,
    ...(e.payload === undefined ? {} : { payload: e.payload }),
  };
}

export class MachineEventsRepository {
  constructor(private readonly db: DbClient) {}

  async insert(e: NewMachineEvent): Promise<void> {
    await this.db.machineEvent.create({ data: machineEventRow(e) });
  }

  async listByMachine(machineId: string, limit: number): Promise<MachineEventView[]> {
    const rows = await this.db.machineEvent.findMany({
      where: { machineId },
      orderBy: { createdAt: 'desc' },
      take: limit,
    });
    return rows.map((r) => ({
      id: r.id,
      machineId: r.machineId,
      eventType: r.eventType,
      severity: r.severity,
      createdAt: r.createdAt.toISOString(),
      actorType: r.actorType,
      actorId: r.actorId,
      jobId: r.jobId,
      message: r.message,
      payload: r.payload,
    }));
  }
}
