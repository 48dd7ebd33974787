import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolContext } from './tool-context.ts';
import { answer, guarded, toolError } from './tool-answer.ts';

const tokens = (what: string) => z.number().int().min(0).max(100_000_000).describe(what);
const label = (what: string) =>
  z
    .string()
    .regex(/^[\w.:/@+-]{1,100}$/, `${what}: 1..100 letters, digits and . _ : / @ + -`)
    .describe(what);

export const USAGE_SOURCES = ['webapp', 'tui', 'telegram', 'discord', 'cli', 'other'] as const;

/** The client reports its model's token usage; the raw vs reduced bytes of the run are ours to compute. */
export function registerUsageTools(server: McpServer, { caller, deps }: ToolContext): void {
  server.registerTool(
    'report_usage',
    {
      description:
        "Report your model's token usage for the turn that just ended (call it once per turn, after your last tool call). It closes a run of your session: the tool calls since your previous report, with the raw log bytes behind your answers and the reduced bytes you received. Nothing else happens.",
      inputSchema: {
        sessionKey: label('Your conversation id (the same for every turn of it)'),
        source: z.enum(USAGE_SOURCES).describe('Where the conversation happens.'),
        promptKind: z
          .string()
          .regex(/^[a-z_]{1,40}$/)
          .optional()
          .describe('What the turn was (fleet_summary, ...).'),
        provider: label('The model provider'),
        model: label('The model'),
        promptTokens: tokens('Prompt tokens'),
        cachedTokens: tokens('Cached prompt tokens (0 if none)').optional(),
        completionTokens: tokens('Completion tokens'),
        totalTokens: tokens('Total tokens (default prompt + completion)').optional(),
      },
    },
    guarded(
      async (a: {
        sessionKey: string;
        source: string;
        promptKind?: string | undefined;
        provider: string;
        model: string;
        promptTokens: number;
        cachedTokens?: number | undefined;
        completionTokens: number;
        totalTokens?: number | undefined;
      }) => {
        if (caller.type !== 'api_client') return toolError('usage is reported by an API client');
        const cached = a.cachedTokens ?? 0;
        if (cached > a.promptTokens) return toolError('cachedTokens: more than promptTokens');
        const run = await deps.usage.record({
          apiClientId: caller.id,
          source: a.source,
          sessionKey: a.sessionKey,
          promptKind: a.promptKind ?? null,
          provider: a.provider,
          model: a.model,
          promptTokens: a.promptTokens,
          cachedTokens: cached,
          completionTokens: a.completionTokens,
          totalTokens: a.totalTokens ?? a.promptTokens + a.completionTokens,
        });
        return answer(run);
      },
    ),
  );
}
