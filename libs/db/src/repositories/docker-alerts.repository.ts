import type { DockerAlertView } from '@su/contracts';
import type { DbClient } from '../database.ts';

/** A container of an enabled stack that is not well, as a scan sees it. */
export interface ContainerProblem {
  stackId: string | null;
  containerName: string;
  state: 'exited' | 'unhealthy';
  message: string;
}

type AlertRow = {
  id: string;
  machineId: string;
  stackId: string | null;
  containerName: string;
  severity: string;
  state: string;
  message: string | null;
  openedAt: Date;
  closedAt: Date | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
};

const view = (a: AlertRow): DockerAlertView => ({
  id: a.id,
  machineId: a.machineId,
  stackId: a.stackId,
  containerName: a.containerName,
  severity: a.severity,
  state: a.state,
  message: a.message,
  openedAt: a.openedAt.toISOString(),
  closedAt: a.closedAt?.toISOString() ?? null,
  acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
  acknowledgedBy: a.acknowledgedBy,
});

export class DockerAlertsRepository {
  constructor(private readonly db: DbClient) {}

  /**
   * One scan's verdict: an alert opens for each problem without an open alert of the same container and state, and
   * the open alerts whose problem is gone close (the container recovered, or is no longer there).
   */
  async reconcile(
    machineId: string,
    problems: readonly ContainerProblem[],
    at: Date,
  ): Promise<{ opened: DockerAlertView[]; closed: DockerAlertView[] }> {
    const open = await this.db.dockerAlert.findMany({ where: { machineId, closedAt: null } });
    const key = (x: { containerName: string; state: string }) => `${x.containerName}\u0000${x.state}`;
    const now = new Set(problems.map(key));
    const had = new Set(open.map(key));
    const opened: DockerAlertView[] = [];
    for (const p of problems.filter((x) => !had.has(key(x))))
      opened.push(
        view(
          await this.db.dockerAlert.create({
            data: { machineId, ...p, severity: p.state === 'exited' ? 'error' : 'warning', openedAt: at },
          }),
        ),
      );
    const closed: DockerAlertView[] = [];
    for (const a of open.filter((x) => !now.has(key(x))))
      closed.push(view(await this.db.dockerAlert.update({ where: { id: a.id }, data: { closedAt: at } })));
    return { opened, closed };
  }

  async list(machineId: string, openOnly: boolean, limit: number): Promise<DockerAlertView[]> {
    const rows = await this.db.dockerAlert.findMany({
      where: { machineId, ...(openOnly ? { closedAt: null } : {}) },
      orderBy: { openedAt: 'desc' },
      take: limit,
    });
    return rows.map(view);
  }

  async acknowledge(machineId: string, id: string, by: string, at: Date): Promise<boolean> {
    const r = await this.db.dockerAlert.updateMany({
      where: { machineId, id, acknowledgedAt: null },
      data: { acknowledgedAt: at, acknowledgedBy: by },
    });
    return r.count > 0;
  }

  async openCount(machineId: string): Promise<number> {
    return this.db.dockerAlert.count({ where: { machineId, closedAt: null } });
  }
}
