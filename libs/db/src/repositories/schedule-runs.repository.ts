import type { DbClient } from '../database.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export interface RunRow {
  id: string;
  scheduleId: string;
  slotAt: Date;
  status: string;
  windowEndsAt: Date | null;
  concurrency: number;
  approvalPolicy: string;
}

export interface RunMachineRow {
  id: string;
  runId: string;
  machineId: string;
  position: number;
  status: string;
  currentStep: number;
  startedAt: Date | null;
}

export interface RunView {
  id: string;
  scheduleId: string;
  slotAt: string;
  status: string;
  reason: string | null;
  firedAt: string;
  firedBy: string | null;
  finishedAt: string | null;
  windowEndsAt: string | null;
  concurrency: number;
  actions: string[];
  approvalPolicy: string;
  machineCount: number;
  machines: {
    machineId: string;
    position: number;
    status: string;
    currentStep: number;
    startedAt: string | null;
    finishedAt: string | null;
    errorKind: string | null;
    errorMessage: string | null;
  }[];
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Which machines a run covers (a schedule's scope). */
export interface RunScope {
  all?: boolean;
  tags?: string[];
  machineIds?: string[];
  excludeMachineIds?: string[];
}

/** The scope's condition on `machines m`, its four parameters numbered from `first` (see scopeParams). */
const inScope = (first: number) => {
  const [all, ids, tags, excluded] = [0, 1, 2, 3].map((i) => `$${first + i}`);
  return `m.deleted_at IS NULL
    AND (${all}::boolean
         OR m.id = ANY(${ids}::uuid[])
         OR EXISTS (SELECT 1 FROM machine_tags mt JOIN tags t ON t.id = mt.tag_id
                    WHERE mt.machine_id = m.id AND t.name = ANY(${tags}::text[])))
    AND NOT (m.id = ANY(${excluded}::uuid[]))`;
};

const scopeParams = (scope: RunScope) => [
  scope.all === true,
  scope.machineIds ?? [],
  scope.tags ?? [],
  scope.excludeMachineIds ?? [],
];

const RUN_MACHINE_SELECT = {
  id: true,
  runId: true,
  machineId: true,
  position: true,
  status: true,
  currentStep: true,
  startedAt: true,
} as const;

/** Schedule runs and each machine's progress through them. */
export class ScheduleRunsRepository {
  constructor(private readonly db: DbClient) {}

  /**
   * The run of (schedule, slot), or null when that slot already has one: the unique key is what makes a slot fire
   * exactly once, whoever tries.
   */
  async insertOnce(r: {
    scheduleId: string;
    slotAt: Date;
    status: 'running' | 'skipped';
    reason?: string | null;
    firedBy: string;
    windowEndsAt: Date | null;
    concurrency: number;
    actions: string[];
    approvalPolicy: string;
  }): Promise<string | null> {
    const rows = await this.db.$queryRawUnsafe<{ id: string }[]>(
      `INSERT INTO schedule_runs (schedule_id, slot_at, status, reason, fired_by, window_ends_at, concurrency,
         actions_json, approval_policy, finished_at)
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, CASE WHEN $3 = 'skipped' THEN now() END)
       ON CONFLICT (schedule_id, slot_at) DO NOTHING RETURNING id`,
      r.scheduleId,
      r.slotAt,
      r.status,
      r.reason ?? null,
      r.firedBy,
      r.windowEndsAt,
      r.concurrency,
      JSON.stringify(r.actions),
      r.approvalPolicy,
    );
    return rows[0]?.id ?? null;
  }

  /**
   * The machines a scope names, in a stable order (name, then id): all, or those with one of the tags or listed by id,
   * minus the exclusions; deleted machines never.
   */
  async machinesInScope(scope: RunScope): Promise<string[]> {
    const rows = await this.db.$queryRawUnsafe<{ id: string }[]>(
      `SELECT m.id FROM machines m WHERE ${inScope(1)} ORDER BY m.name, m.id`,
      ...scopeParams(scope),
    );
    return rows.map((r) => r.id);
  }

  /**
   * A slot's fan-out in one statement: the scope's machines (in `machinesInScope` order) become the run's machines,
   * each with every step as a `waiting` job, and the run counts them. No machine id travels to this process and back:
   * at 10,000 machines the round trips and the JSON of three separate statements cost more than the inserts
   * (ADR 0046). Returns the machine count.
   */
  async insertMachinesWithSteps(run: {
    runId: string;
    scheduleId: string;
    scope: RunScope;
    steps: readonly { kind: string; payload: unknown }[];
    requestedBy: { type: string; id: string | null };
  }): Promise<number> {
    const rows = await this.db.$queryRawUnsafe<{ n: number }[]>(
      `WITH scoped AS (
         SELECT m.id, row_number() OVER (ORDER BY m.name, m.id) AS pos FROM machines m WHERE ${inScope(1)}),
       rm AS (
         INSERT INTO schedule_run_machines (run_id, machine_id, position)
         SELECT $5::uuid, id, pos::int FROM scoped ORDER BY pos
         RETURNING id, machine_id, position),
       steps AS (SELECT * FROM jsonb_to_recordset($6::jsonb) AS s(step int, kind text, payload jsonb)),
       ins AS (
         INSERT INTO jobs (kind, machine_id, schedule_id, requested_by_type, requested_by_id, payload, status,
                           run_machine_id, step)
         SELECT st.kind, rm.machine_id, $7::uuid, $8, $9, st.payload, 'waiting', rm.id, st.step
         FROM rm CROSS JOIN steps st ORDER BY rm.position, st.step),
       counted AS (
         UPDATE schedule_runs SET machine_count = (SELECT count(*) FROM rm) WHERE id = $5::uuid)
       SELECT count(*)::int AS n FROM rm`,
      ...scopeParams(run.scope),
      run.runId,
      JSON.stringify(run.steps.map((st, step) => ({ step, kind: st.kind, payload: st.payload }))),
      run.scheduleId,
      run.requestedBy.type,
      run.requestedBy.id,
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Run machines marked running that have no step queued or running: a job's end was recorded without moving its run
   * (see JobRunner). Each comes with its latest finished step, to move the run on from there.
   */
  async stalled(limit: number): Promise<{ runMachineId: string; jobId: string }[]> {
    return this.db.$queryRawUnsafe<{ runMachineId: string; jobId: string }[]>(
      `SELECT m.id AS "runMachineId",
              (SELECT j.id FROM jobs j WHERE j.run_machine_id = m.id AND j.finished_at IS NOT NULL
               ORDER BY j.step DESC LIMIT 1) AS "jobId"
       FROM schedule_run_machines m
       WHERE m.status = 'running'
         AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.run_machine_id = m.id AND j.status IN ('queued', 'running'))
         AND EXISTS (SELECT 1 FROM jobs j WHERE j.run_machine_id = m.id AND j.finished_at IS NOT NULL)
       LIMIT $1`,
      limit,
    );
  }

  /** Those of `ids` that name no (undeleted) machine. */
  async unknownMachines(ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const found = await this.db.machine.findMany({ where: { id: { in: ids }, deletedAt: null }, select: { id: true } });
    const known = new Set(found.map((m) => m.id));
    return ids.filter((id) => !known.has(id));
  }

  /** The run row, locked until the transaction ends: every change to a run's progress is serialised on it. */
  async lockRun(runId: string): Promise<RunRow | null> {
    const rows = await this.db.$queryRawUnsafe<RunRow[]>(
      `SELECT id, schedule_id AS "scheduleId", slot_at AS "slotAt", status, window_ends_at AS "windowEndsAt",
         concurrency, approval_policy AS "approvalPolicy"
       FROM schedule_runs WHERE id = $1::uuid FOR UPDATE`,
      runId,
    );
    return rows[0] ?? null;
  }

  async findMachine(id: string): Promise<RunMachineRow | null> {
    return this.db.scheduleRunMachine.findUnique({
      where: { id },
      select: RUN_MACHINE_SELECT,
    });
  }

  async countByStatus(runId: string): Promise<Record<string, number>> {
    const rows = await this.db.scheduleRunMachine.groupBy({ by: ['status'], where: { runId }, _count: true });
    return Object.fromEntries(rows.map((r) => [r.status, r._count]));
  }

  /**
   * Starts up to `limit` pending machines in one statement (the fan-out path: a run of 1,000 machines at concurrency
   * 1,000 must not be a loop of queries): each gets its next waiting step released (`queued`) and becomes `running`.
   * Same order as `nextPending`. Returns the released jobs, for one batch into the queue. A pending machine without a
   * waiting step is left for the caller's per-machine path.
   */
  async startPending(
    runId: string,
    limit: number,
    startedOnly: boolean,
  ): Promise<{ id: string; kind: string; machineId: string | null; payload: unknown }[]> {
    if (limit <= 0) return [];
    return this.db.$queryRawUnsafe(
      `WITH picked AS (
         SELECT id FROM schedule_run_machines
         WHERE run_id = $1::uuid AND status = 'pending' AND (NOT $3::boolean OR started_at IS NOT NULL)
         ORDER BY current_step DESC, position LIMIT $2 FOR UPDATE),
       -- Each machine's first waiting step, read through the (run_machine_id, step) index: OFFSET 0 keeps the status
       -- test outside the scan. Left inside, it was planned as a scan of every waiting job for each machine (this
       -- fan-out's jobs are not in the statistics yet): 1,000 × 10,000 rows at concurrency 1,000 (ADR 0046).
       nxt AS (
         SELECT n.id FROM picked p
         CROSS JOIN LATERAL (SELECT j.id FROM (SELECT id, status, step FROM jobs WHERE run_machine_id = p.id OFFSET 0) j
                             WHERE j.status = 'waiting' ORDER BY j.step LIMIT 1) n),
       rel AS (
         UPDATE jobs j SET status = 'queued' FROM nxt WHERE j.id = nxt.id
         RETURNING j.id, j.kind, j.machine_id, j.payload, j.run_machine_id, j.step),
       started AS (
         UPDATE schedule_run_machines m
         SET status = 'running', current_step = rel.step, started_at = COALESCE(m.started_at, now())
         FROM rel WHERE m.id = rel.run_machine_id RETURNING m.id)
       SELECT rel.id, rel.kind, rel.machine_id AS "machineId", rel.payload FROM rel`,
      runId,
      limit,
      startedOnly,
    );
  }

  /**
   * Machines that may start now, in order: those resumed after an approval first (they already began), then the
   * never-started by position.
   */
  async nextPending(runId: string, limit: number, startedOnly: boolean): Promise<RunMachineRow[]> {
    if (limit <= 0) return [];
    return this.db.scheduleRunMachine.findMany({
      where: { runId, status: 'pending', ...(startedOnly ? { startedAt: { not: null } } : {}) },
      orderBy: [{ currentStep: 'desc' }, { position: 'asc' }],
      take: limit,
      select: RUN_MACHINE_SELECT,
    });
  }

  async setMachine(
    id: string,
    data: {
      status: string;
      currentStep?: number;
      started?: boolean;
      finished?: boolean;
      errorKind?: string | null;
      errorMessage?: string | null;
    },
  ): Promise<void> {
    await this.db.scheduleRunMachine.update({
      where: { id },
      data: {
        status: data.status,
        ...(data.currentStep === undefined ? {} : { currentStep: data.currentStep }),
        ...(data.started ? { startedAt: new Date() } : {}),
        ...(data.finished ? { finishedAt: new Date() } : {}),
        ...(data.errorKind === undefined ? {} : { errorKind: data.errorKind }),
        ...(data.errorMessage === undefined ? {} : { errorMessage: data.errorMessage }),
      },
    });
  }

  /** Never-started machines that the closed window keeps out: skipped with their waiting steps. */
  async skipUnstarted(runId: string, errorKind: string, message: string): Promise<number> {
    const n = await this.db.$executeRawUnsafe(
      `WITH m AS (
         UPDATE schedule_run_machines SET status = 'skipped', finished_at = now(), error_kind = $2, error_message = $3
         WHERE run_id = $1::uuid AND status = 'pending' AND started_at IS NULL RETURNING id)
       UPDATE jobs SET status = 'skipped', finished_at = now(), error_kind = $2, error_message = $3
       WHERE run_machine_id IN (SELECT id FROM m) AND status = 'waiting'`,
      runId,
      errorKind,
      message,
    );
    return n;
  }

  /** The statuses of one run machine's jobs (to tell how the machine ended). */
  async jobStatuses(
    runMachineId: string,
  ): Promise<{ status: string; errorKind: string | null; errorMessage: string | null }[]> {
    return this.db.job.findMany({
      where: { runMachineId },
      orderBy: { step: 'asc' },
      select: { status: true, errorKind: true, errorMessage: true },
    });
  }

  async finishRun(runId: string, scheduleId: string, status: string): Promise<void> {
    await this.db.scheduleRun.update({ where: { id: runId }, data: { status, finishedAt: new Date() } });
    await this.db.schedule.updateMany({ where: { id: scheduleId }, data: { lastRunAt: new Date() } });
  }

  async find(runId: string): Promise<RunView | null> {
    const r = await this.db.scheduleRun.findUnique({
      where: { id: runId },
      include: WITH_MACHINES,
    });
    return r ? toView(r) : null;
  }

  async listBySchedule(scheduleId: string, limit: number): Promise<RunView[]> {
    const rows = await this.db.scheduleRun.findMany({
      where: { scheduleId },
      orderBy: { slotAt: 'desc' },
      take: limit,
      include: WITH_MACHINES,
    });
    return rows.map(toView);
  }
}

const WITH_MACHINES = { machines: { orderBy: { position: 'asc' } } } as const;

function toView(r: Prisma.ScheduleRunGetPayload<{ include: typeof WITH_MACHINES }>): RunView {
  return {
    id: r.id,
    scheduleId: r.scheduleId,
    slotAt: r.slotAt.toISOString(),
    status: r.status,
    reason: r.reason,
    firedAt: r.firedAt.toISOString(),
    firedBy: r.firedBy,
    finishedAt: iso(r.finishedAt),
    windowEndsAt: iso(r.windowEndsAt),
    concurrency: r.concurrency,
    actions: r.actionsJson as string[],
    approvalPolicy: r.approvalPolicy,
    machineCount: r.machineCount,
    machines: r.machines.map((m) => ({
      machineId: m.machineId,
      position: m.position,
      status: m.status,
      currentStep: m.currentStep,
      startedAt: iso(m.startedAt),
      finishedAt: iso(m.finishedAt),
      errorKind: m.errorKind,
      errorMessage: m.errorMessage,
    })),
  };
}
