import { Inject, Injectable } from '@nestjs/common';
import { AssistantAccountingRepository, Database } from '@su/db';
import type { AssistantCaller } from './assistant-ports.ts';
import type { AnswerMeasure } from './tool-context.ts';

/** The longest argument summary kept: the audit says what was asked, not every byte of it. */
const SUMMARY_MAX = 300;

/** Writes one `mcp_audit_log` row per tool call (issue 18). */
@Injectable()
export class McpAuditService {
  constructor(@Inject(Database) private readonly db: Database) {}

  async record(
    p: AssistantCaller,
    call: {
      tool: string;
      args: unknown;
      status: 'ok' | 'error';
      durationMs: number;
      measure?: AnswerMeasure | undefined;
    },
  ): Promise<void> {
    await new AssistantAccountingRepository(this.db.prisma).audit({
      apiClientId: p.type === 'api_client' ? p.id : null,
      actorLabel: p.label,
      tool: call.tool,
      argsSummary: summarize(call.args),
      status: call.status,
      durationMs: Math.max(0, Math.round(call.durationMs)),
      executionId: call.measure?.executionId ?? null,
      rawBytes: call.measure?.rawBytes ?? null,
      reducedBytes: call.measure?.reducedBytes ?? null,
    });
  }
}

/** Argument names and short values; long strings are cut so a pasted blob does not land in the audit table. */
function summarize(args: unknown): string {
  if (args === undefined || args === null) return '';
  const text = JSON.stringify(args, (_k, v: unknown) =>
    typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}…` : v,
  );
  return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX)}…` : text;
}
