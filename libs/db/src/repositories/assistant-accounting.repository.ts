import type { DbClient } from '../database.ts';

/** One MCP tool call as the audit keeps it (issue 18). */
export interface McpAuditRow {
  apiClientId: string | null;
  actorLabel: string;
  tool: string;
  argsSummary: string;
  status: 'ok' | 'error';
  durationMs: number;
  /** Answers built from a job's log: which execution, its raw log's size, the size of what the assistant got. */
  executionId?: string | null;
  rawBytes?: number | null;
  reducedBytes?: number | null;
}

export interface UsageReport {
  apiClientId: string;
  source: string;
  sessionKey: string;
  promptKind: string | null;
  provider: string;
  model: string;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface UsageDayRow {
  day: string;
  apiClientId: string | null;
  clientLabel: string | null;
  runs: number;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  totalTokens: number;
  rawBytes: number;
  reducedBytes: number;
}

/** The assistant's audit and accounting tables (seed 000 §11): mcp_audit_log, hermes_sessions/runs/usage. */
export class AssistantAccountingRepository {
  constructor(private readonly db: DbClient) {}

  async audit(r: McpAuditRow): Promise<void> {
    await this.db.mcpAuditLog.create({
      data: {
        ...r,
        rawBytes: r.rawBytes === null || r.rawBytes === undefined ? null : BigInt(r.rawBytes),
      },
    });
  }

  /**
   * Records a usage report as one finished run of its session: the run spans the client's tool calls since its
   * previous report, whose raw and reduced answer bytes are summed from the audit here (computed by us, not the client).
   */
  async recordUsage(u: UsageReport, now: Date) {
    return this.db.$transaction(async (tx) => {
      const previous = await tx.hermesUsage.findFirst({
        where: { apiClientId: u.apiClientId },
        orderBy: { createdAt: 'desc' },
        select: { createdAt: true },
      });
      const since = previous?.createdAt ?? new Date(0);
      const calls = await tx.mcpAuditLog.groupBy({
        by: ['tool'],
        where: { apiClientId: u.apiClientId, createdAt: { gt: since, lte: now } },
        _count: { _all: true },
        _sum: { rawBytes: true, reducedBytes: true },
        _min: { createdAt: true },
      });
      const firstCall = calls.map((c) => c._min.createdAt).filter((d): d is Date => d !== null);
      const rawBytes = calls.reduce((s, c) => s + (c._sum.rawBytes ?? 0n), 0n);
      const reducedBytes = BigInt(calls.reduce((s, c) => s + (c._sum.reducedBytes ?? 0), 0));
      const session = await tx.hermesSession.upsert({
        where: { apiClientId_sessionKey: { apiClientId: u.apiClientId, sessionKey: u.sessionKey } },
        create: { apiClientId: u.apiClientId, sessionKey: u.sessionKey, source: u.source, lastMessageAt: now },
        update: { lastMessageAt: now },
        select: { id: true },
      });
      const run = await tx.hermesRun.create({
        data: {
          sessionId: session.id,
          promptKind: u.promptKind,
          status: 'finished',
          startedAt: firstCall.length ? new Date(Math.min(...firstCall.map((d) => d.getTime()))) : now,
          finishedAt: now,
          requestJson: { tools: Object.fromEntries(calls.map((c) => [c.tool, c._count._all])) },
        },
        select: { id: true },
      });
      const reductionRatio = reducedBytes > 0n ? Number(rawBytes) / Number(reducedBytes) : null;
      await tx.hermesUsage.create({
        data: {
          runId: run.id,
          apiClientId: u.apiClientId,
          provider: u.provider,
          model: u.model,
          promptTokens: u.promptTokens,
          cachedTokens: u.cachedTokens,
          completionTokens: u.completionTokens,
          totalTokens: u.totalTokens,
          rawBytes,
          reducedBytes,
          reductionRatio,
          createdAt: now,
        },
      });
      return {
        sessionId: session.id,
        runId: run.id,
        rawBytes: Number(rawBytes),
        reducedBytes: Number(reducedBytes),
        reductionRatio,
      };
    });
  }

  /** Usage summed per UTC day and API client over the last `days` days, newest day first. */
  async usagePerDay(days: number): Promise<UsageDayRow[]> {
    const rows = await this.db.$queryRawUnsafe<
      {
        day: string;
        api_client_id: string | null;
        label: string | null;
        runs: bigint;
        prompt: bigint | null;
        cached: bigint | null;
        completion: bigint | null;
        total: bigint | null;
        raw: bigint | null;
        reduced: bigint | null;
      }[]
    >(
      `SELECT to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, u.api_client_id::text AS api_client_id,
              min(c.label) AS label, count(DISTINCT u.run_id) AS runs,
              sum(u.prompt_tokens) AS prompt, sum(u.cached_tokens) AS cached, sum(u.completion_tokens) AS completion,
              sum(u.total_tokens) AS total, sum(u.raw_bytes) AS raw, sum(u.reduced_bytes) AS reduced
         FROM hermes_usage u LEFT JOIN api_clients c ON c.id = u.api_client_id
        WHERE u.created_at > now() - make_interval(days => $1)
        GROUP BY 1, 2
        ORDER BY 1 DESC, 3`,
      days,
    );
    return rows.map((r) => ({
      day: r.day,
      apiClientId: r.api_client_id,
      clientLabel: r.label,
      runs: Number(r.runs),
      promptTokens: Number(r.prompt ?? 0),
      cachedTokens: Number(r.cached ?? 0),
      completionTokens: Number(r.completion ?? 0),
      totalTokens: Number(r.total ?? 0),
      rawBytes: Number(r.raw ?? 0),
      reducedBytes: Number(r.reduced ?? 0),
    }));
  }
}
