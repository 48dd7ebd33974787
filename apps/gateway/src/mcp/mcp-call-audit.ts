import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Principal } from '@su/auth';
import type { McpAuditService } from './mcp-audit.service.ts';

interface PendingCall {
  tool: string;
  args: unknown;
  started: number;
}

/**
 * Audits every `tools/call` of one HTTP request at the protocol boundary: calls the SDK refuses itself (unknown tool,
 * arguments that fail the schema) get their row too, which a wrapper around each tool handler would miss.
 */
export function auditToolCalls(
  transport: StreamableHTTPServerTransport,
  body: unknown,
  principal: Principal,
  audit: McpAuditService,
): void {
  const calls = new Map<string | number, PendingCall>();
  for (const msg of Array.isArray(body) ? body : [body]) {
    const m = msg as { method?: unknown; id?: unknown; params?: { name?: unknown; arguments?: unknown } } | null;
    if (m?.method !== 'tools/call' || (typeof m.id !== 'string' && typeof m.id !== 'number')) continue;
    const tool = typeof m.params?.name === 'string' ? m.params.name.slice(0, 100) : '(none)';
    calls.set(m.id, { tool, args: m.params?.arguments, started: performance.now() });
  }
  if (calls.size === 0) return;
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage, options) => {
    const id = 'id' in message ? message.id : undefined;
    const call = id === undefined ? undefined : calls.get(id);
    if (call && id !== undefined) {
      calls.delete(id);
      const failed = 'error' in message || ('result' in message && message.result.isError === true);
      await audit.record(principal, call.tool, call.args, failed ? 'error' : 'ok', performance.now() - call.started);
    }
    return send(message, options);
  };
}
