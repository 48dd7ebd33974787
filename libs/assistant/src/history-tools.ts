import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { executionAnswer } from './execution-answer.ts';
import { machineNotFound, type ToolContext } from './tool-context.ts';
import {
  ANSWER_MAX_CHARS,
  answer,
  guarded,
  machineIdArg,
  pageArgs,
  pageOf,
  toolError,
  type PageArgs,
} from './tool-answer.ts';

const word = (what: string) =>
  z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,39}$/, `a ${what} is lower-case letters, digits and _`)
    .optional();

/** The answer's text when it fits, else the first part with a note: a report is read, not paged. */
export const capped = (text: string) =>
  text.length <= ANSWER_MAX_CHARS - 200
    ? text
    : `${text.slice(0, ANSWER_MAX_CHARS - 200)}\n\n[… cut at ${ANSWER_MAX_CHARS - 200} characters]`;

/** The tools that read what happened: open messages, the latest report, an execution's reduced outcome. */
export function registerHistoryTools(server: McpServer, ctx: ToolContext): void {
  const { deps, scope, visibleMachine } = ctx;
  server.registerTool(
    'important_messages',
    {
      description:
        'Unacknowledged messages of the machines you see (APT errors and warnings, held or phased packages, Docker alerts, host keys...), newest first, with their count per category and severity. Filter by machine, category or severity. Paginated.',
      inputSchema: {
        ...pageArgs,
        machineId: machineIdArg.optional(),
        category: word('category').describe('Only this category (as `counts` names them).'),
        severity: word('severity').describe('Only this severity: info, warning, error, critical.'),
      },
    },
    guarded(
      async (
        a: PageArgs & { machineId?: string | undefined; category?: string | undefined; severity?: string | undefined },
      ) => {
        if (a.machineId && !(await visibleMachine(a.machineId))) return toolError(machineNotFound(a.machineId));
        const found = await deps.reads.openMessages({ scope, ...a, ...pageOf(a) });
        return answer({ ...found, offset: pageOf(a).offset });
      },
    ),
  );

  server.registerTool(
    'latest_report',
    {
      description:
        "A machine's latest report (Markdown, what a person reads after a job), with its title and kind. Every report is also an MCP resource `report://<machineId>/<reportId>`.",
      inputSchema: { machineId: machineIdArg },
    },
    guarded(async (a: { machineId: string }) => {
      if (!(await visibleMachine(a.machineId))) return toolError(machineNotFound(a.machineId));
      const found = await deps.reads.report(a.machineId);
      if (!found) return toolError(`machine ${a.machineId} has no report yet`);
      const { report: r, markdown } = found;
      return answer({
        id: r.id,
        kind: r.kind,
        title: r.title,
        createdAt: r.createdAt,
        executionId: r.executionId,
        uri: `report://${a.machineId}/${r.id}`,
        markdown: capped(markdown),
      });
    }),
  );
  registerExecutionSummary(server, ctx);
}

function registerExecutionSummary(server: McpServer, { deps, visibleMachine, measures }: ToolContext): void {
  server.registerTool(
    'execution_summary',
    {
      description:
        "What an execution did, reduced (never the raw log): its status and error, its reduced JSON (`important`) and the log lines that matter (Inst/Conf/Remv/E:/W:/dpkg:, Docker pulls, recreations, errors). The machine's latest finished execution by default, or one action's, or one by id.",
      inputSchema: {
        machineId: machineIdArg,
        executionId: z.uuid().optional().describe('One execution (as request_status or a report gives it).'),
        action: word('action').describe('The latest execution of this action (apt_dist_upgrade, docker_apply, ...).'),
      },
    },
    guarded(
      async (
        a: { machineId: string; executionId?: string | undefined; action?: string | undefined },
        extra: { requestId: string | number },
      ) => {
        if (!(await visibleMachine(a.machineId))) return toolError(machineNotFound(a.machineId));
        const found = await deps.reads.execution(a.machineId, a);
        if (!found)
          return toolError(a.executionId ? `execution ${a.executionId} not found` : 'no finished execution yet');
        const result = answer(executionAnswer(found.execution, found.rawLog?.text ?? null));
        const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
        measures.set(extra.requestId, {
          executionId: found.execution.id,
          rawBytes: found.rawLog?.bytes ?? 0,
          reducedBytes: Buffer.byteLength(text),
        });
        return result;
      },
    ),
  );
}
