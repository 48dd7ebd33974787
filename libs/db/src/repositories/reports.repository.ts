import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface ReportView {
  id: string;
  machineId: string | null;
  executionId: string | null;
  kind: string;
  title: string;
  path: string;
  createdAt: string;
}

type Row = Prisma.ReportGetPayload<object>;
function toView(r: Row): ReportView {
  return {
    id: r.id,
    machineId: r.machineId,
    executionId: r.executionId,
    kind: r.kind,
    title: r.title,
    path: r.path,
    createdAt: r.createdAt.toISOString(),
  };
}

export class ReportsRepository {
  constructor(private readonly db: DbClient) {}

  async insert(r: {
    machineId: string;
    executionId: string;
    kind: string;
    title: string;
    path: string;
    summary: Prisma.InputJsonValue;
  }): Promise<string> {
    const row = await this.db.report.create({
      data: {
        machineId: r.machineId,
        executionId: r.executionId,
        kind: r.kind,
        title: r.title,
        path: r.path,
        summaryJson: r.summary,
      },
      select: { id: true },
    });
    return row.id;
  }

  async listByMachine(machineId: string, limit: number): Promise<ReportView[]> {
    const rows = await this.db.report.findMany({ where: { machineId }, orderBy: { createdAt: 'desc' }, take: limit });
    return rows.map(toView);
  }

  async find(machineId: string, id: string): Promise<ReportView | null> {
    const r = await this.db.report.findFirst({ where: { id, machineId } });
    return r && toView(r);
  }
}
