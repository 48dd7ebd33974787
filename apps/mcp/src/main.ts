import { bridgeStdioToHttp } from '@su/assistant';
import { ConfigError, loadMcpClientConfig } from '@su/config';

/**
 * `npm run --silent mcp`: the MCP server on stdin/stdout for a local assistant (issue 18, ADR 0033). It needs the
 * product running: every message goes to the gateway's `/mcp` with the token from SU_MCP_TOKEN (never an argument:
 * process lists show arguments). SU_MCP_URL, else http://127.0.0.1:$SU_HTTP_PORT/mcp. stdout carries the protocol
 * only; diagnostics go to stderr.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadMcpClientConfig();
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : String(e)}\n`);
    process.exit(2);
  }
  const bridge = await bridgeStdioToHttp(config.url, config.token);
  process.stderr.write(`system-update MCP (stdio) → ${config.url.origin}${config.url.pathname}\n`);
  await bridge.closed;
}

void main();
