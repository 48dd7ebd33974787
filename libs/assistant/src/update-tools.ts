import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { ToolContext } from './tool-context.ts';
import { answer, guarded, pageArgs, sliced, type PageArgs } from './tool-answer.ts';

/** The fleet's pending changes, each once (seed 004 §6 keys) with the machines that need it. */
export function registerUpdateTools(server: McpServer, { deps, scope }: ToolContext): void {
  server.registerTool(
    'pending_updates',
    {
      description:
        'Fleet-wide pending APT changes, deduplicated: one entry per `os_family|package|from|to|origin` key with the machines that need it (security first, then by how many machines). Held packages are listed apart (`held: true`). Paginated.',
      inputSchema: {
        ...pageArgs,
        securityOnly: z.boolean().optional().describe('Only security updates.'),
      },
    },
    guarded(async (a: PageArgs & { securityOnly?: boolean | undefined }) => {
      const groups = await deps.reads.pendingUpdates(scope);
      return answer(sliced(a.securityOnly ? groups.filter((g) => g.security) : groups, a));
    }),
  );

  server.registerTool(
    'docker_updates',
    {
      description:
        "Docker images with an update on the fleet, deduplicated by `image|fromDigest|toDigest` (image ids when a digest is missing), each with the machines, stacks and services running it and the registry's newer tags. Paginated.",
      inputSchema: { ...pageArgs },
    },
    guarded(async (a: PageArgs) => answer(sliced(await deps.reads.dockerUpdates(scope), a))),
  );
}
