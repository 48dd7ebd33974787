import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { AssistantCaller } from './assistant-ports.ts';
import { registerHistoryTools } from './history-tools.ts';
import { registerMachineTools } from './machine-tools.ts';
import type { McpAuditService } from './mcp-audit.service.ts';
import { auditToolCalls } from './mcp-call-audit.ts';
import { registerProposalTools } from './proposal-tools.ts';
import { registerReportResources } from './report-resources.ts';
import { registerScheduleTools } from './schedule-tools.ts';
import { toolContext, type AssistantDeps } from './tool-context.ts';
import { registerUpdateTools } from './update-tools.ts';
import { registerUsageTools } from './usage-tools.ts';

/** The MCP client kinds of API token (ADR 0029): the assistant may read and propose, never decide. */
export const ASSISTANT_CLIENT_KINDS: ReadonlySet<string> = new Set(['mcp', 'hermes']);

export function isAssistantCaller(p: AssistantCaller): boolean {
  return p.type === 'api_client' && ASSISTANT_CLIENT_KINDS.has(p.clientKind ?? '');
}

/**
 * One MCP server around one caller, connected to `transport` and audited: every tool sees exactly what the same token
 * sees on REST, and a machine outside its scope does not exist for it. The gateway builds one per HTTP request
 * (stateless Streamable HTTP).
 */
export async function serveMcp(
  transport: Transport,
  caller: AssistantCaller,
  deps: AssistantDeps & { audit: McpAuditService },
): Promise<McpServer> {
  const server = new McpServer({ name: 'system-update', version: '1' });
  const ctx = toolContext(caller, deps);
  registerMachineTools(server, ctx);
  registerUpdateTools(server, ctx);
  registerHistoryTools(server, ctx);
  registerScheduleTools(server, ctx);
  registerProposalTools(server, ctx);
  registerUsageTools(server, ctx);
  registerReportResources(server, ctx);
  await server.connect(transport);
  auditToolCalls(transport, caller, deps.audit, ctx.measures);
  return server;
}
