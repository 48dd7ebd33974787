import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolContext } from './tool-context.ts';
import { answer, guarded, pageArgs, sliced, toolError, type PageArgs } from './tool-answer.ts';

/** The schedules: what runs when, on which machines, and how the last run went. */
export function registerScheduleTools(server: McpServer, { deps, scope }: ToolContext): void {
  server.registerTool(
    'schedules_overview',
    {
      description:
        'The schedules: name, enabled, cron and time zone, actions, machine scope, approval policy, next run, and the status of the last run. Paginated.',
      inputSchema: { ...pageArgs },
    },
    guarded(async (a: PageArgs) => {
      // Schedules span the fleet; a machine-scoped token is refused them on REST too (ADR 0014).
      if (scope) return toolError('schedules are fleet-wide: a token limited to some machines may not read them');
      return answer(sliced(await deps.reads.schedules(), a));
    }),
  );
}
