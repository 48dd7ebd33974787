import { ConfigError } from './config.ts';
import { envSchema } from './config.schema.ts';

export interface McpClientConfig {
  /** The API token of kind mcp: from the environment only, never an argument (process lists show arguments). */
  token: string;
  url: URL;
}

const mcpEnv = envSchema.pick({ SU_MCP_TOKEN: true, SU_MCP_URL: true, SU_HTTP_PORT: true });

/** What the stdio bridge (`npm run mcp`) needs: its token, and the gateway's `/mcp` (default: this host's port). */
export function loadMcpClientConfig(env: Record<string, string | undefined> = process.env): McpClientConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const res = mcpEnv.safeParse(cleaned);
  if (!res.success) throw new ConfigError(res.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = res.data;
  if (!e.SU_MCP_TOKEN) throw new ConfigError(['SU_MCP_TOKEN: required (an API token of kind mcp)']);
  return { token: e.SU_MCP_TOKEN, url: new URL(e.SU_MCP_URL ?? `http://127.0.0.1:${e.SU_HTTP_PORT}/mcp`) };
}
