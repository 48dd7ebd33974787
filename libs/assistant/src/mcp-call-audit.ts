import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { AssistantCaller } from './assistant-ports.ts';
import type { McpAuditService } from './mcp-audit.service.ts';
import type { AnswerMeasure } from './tool-context.ts';

interface PendingCall {
  tool: string;
  args: unknown;
  started: number;
}

/** The calls audited: a tool call (by its tool's name) and a resource read (as `resources/read`, with its URI). */
function auditedCall(message: JSONRPCMessage): { id: string | number; tool: string; args: unknown } | null {
  const m = message as {
    method?: unknown;
    id?: unknown;
    params?: { name?: unknown; arguments?: unknown; uri?: unknown };
  };
  if (typeof m.id !== 'string' && typeof m.id !== 'number') return null;
  if (m.method === 'tools/call') {
    const tool = typeof m.params?.name === 'string' ? m.params.name.slice(0, 100) : '(none)';
    return { id: m.id, tool, args: m.params?.arguments };
  }
  if (m.method === 'resources/read') return { id: m.id, tool: 'resources/read', args: { uri: m.params?.uri } };
  return null;
}

/**
 * Audits every `tools/call` and `resources/read` at the protocol boundary, on any transport (HTTP or stdio): calls the SDK refuses itself
 * (unknown tool, arguments that fail the schema) get their row too, which a wrapper around each tool handler would
 * miss. Call after the server connected the transport: it wraps the handler the server installed.
 */
export function auditToolCalls(
  transport: Transport,
  caller: AssistantCaller,
  audit: McpAuditService,
  measures: Map<string | number, AnswerMeasure>,
): void {
  const calls = new Map<string | number, PendingCall>();
  const receive = transport.onmessage;
  transport.onmessage = (message, extra) => {
    const call = auditedCall(message);
    if (call) calls.set(call.id, { tool: call.tool, args: call.args, started: performance.now() });
    receive?.(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message: JSONRPCMessage, options) => {
    const id = 'id' in message ? message.id : undefined;
    const call = id === undefined ? undefined : calls.get(id);
    if (call && id !== undefined) {
      calls.delete(id);
      const failed = 'error' in message || ('result' in message && message.result.isError === true);
      const measure = failed ? undefined : measures.get(id);
      measures.delete(id);
      const { tool, args } = call;
      const durationMs = performance.now() - call.started;
      await audit.record(caller, { tool, args, status: failed ? 'error' : 'ok', durationMs, measure });
    }
    return send(message, options);
  };
}
