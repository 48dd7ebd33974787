import type { Readable, Writable } from 'node:stream';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/** The longest error text passed back to the local client: the gateway's problem details, not a page of HTML. */
const ERROR_MAX_CHARS = 300;

/**
 * The stdio entry (`npm run mcp`, ADR 0033): a local assistant speaks MCP on stdin/stdout, and every message goes to
 * the gateway's `/mcp` with the token, so the tools, the scope rule and the audit are the gateway's own (one server,
 * not a second one with its own database access). A request the gateway refuses (401, 403, unreachable) is answered
 * with a JSON-RPC error naming why; the token is in no message.
 */
export async function bridgeStdioToHttp(
  url: URL,
  token: string,
  io: { stdin?: Readable; stdout?: Writable } = {},
): Promise<{ closed: Promise<void>; close: () => Promise<void> }> {
  const local = new StdioServerTransport(io.stdin, io.stdout);
  const remote = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  let done: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (done = resolve));
  local.onmessage = (message) => {
    remote.send(message).catch((e: unknown) => {
      if (!('method' in message) || !('id' in message)) return;
      const text = (e instanceof Error ? e.message : String(e)).slice(0, ERROR_MAX_CHARS);
      void local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `gateway: ${text}` } });
    });
  };
  remote.onmessage = (message: JSONRPCMessage) => {
    // The client transport sends the negotiated version on every later request, as the SDK's Client would tell it.
    const result = 'result' in message ? (message.result as { protocolVersion?: unknown }) : undefined;
    if (typeof result?.protocolVersion === 'string') remote.setProtocolVersion(result.protocolVersion);
    void local.send(message);
  };
  local.onclose = () => {
    void remote.close();
    done();
  };
  await remote.start();
  await local.start();
  return {
    closed,
    close: async () => {
      await local.close();
      await remote.close();
    },
  };
}
