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

/**
 * Audits every `tools/call` at the protocol boundary, on any transport (HTTP or stdio): calls the SDK refuses itself
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
    const m = message as { method?: unknown; id?: unknown; params?: { name?: unknown; arguments?: unknown } };
    if (m.method === 'tools/call' && (typeof m.id === 'string' || typeof m.id === 'number')) {
      const tool = typeof m.params?.name === 'string' ? m.params.name.slice(0, 100) : '(none)';
      calls.set(m.id, { tool, args: m.params?.arguments, started: performance.now() });
    }
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
