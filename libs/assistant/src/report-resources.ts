import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { capped } from './history-tools.ts';
import type { ToolContext } from './tool-context.ts';

/** The most reports the resource list names: the newest ones; older ones are read by their URI. */
const LISTED_MAX = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reports as MCP resources: `report://<machineId>/<reportId>`, Markdown, for the machines the caller sees. */
export function registerReportResources(server: McpServer, { deps, scope, visibleMachine }: ToolContext): void {
  server.registerResource(
    'report',
    new ResourceTemplate('report://{machineId}/{reportId}', {
      list: async () => ({
        resources: (await deps.reads.recentReports(scope, LISTED_MAX)).map((r) => ({
          uri: `report://${r.machineId}/${r.id}`,
          name: r.title,
          description: `${r.kind} report of ${r.createdAt}`,
          mimeType: 'text/markdown',
        })),
      }),
    }),
    { title: 'Machine report', description: 'A report written after a job (Markdown).', mimeType: 'text/markdown' },
    async (uri, vars) => {
      const [machineId, reportId] = [String(vars.machineId), String(vars.reportId)];
      const found =
        UUID.test(machineId) && UUID.test(reportId) && (await visibleMachine(machineId))
          ? await deps.reads.report(machineId, reportId)
          : null;
      // The SDK turns this into a JSON-RPC error; an unknown and an invisible report read the same.
      if (!found) throw new Error(`report ${uri.href.slice(0, 200)} not found`);
      return { contents: [{ uri: uri.href, mimeType: 'text/markdown', text: capped(found.markdown) }] };
    },
  );
}
