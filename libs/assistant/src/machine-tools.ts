import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { MachineView } from '@su/contracts';
import { z } from 'zod';
import { machineNotFound, type ToolContext } from './tool-context.ts';
import { answer, guarded, machineIdArg, pageArgs, pageOf, toolError, type PageArgs } from './tool-answer.ts';

/** What the assistant sees of a machine: state and counts; of its credentials only whether they are set. */
function machineTile(m: MachineView) {
  const s = m.state;
  return {
    id: m.id,
    name: m.name,
    hostname: m.hostname,
    os: [m.osFamily, m.osVersion, m.osCodename].filter(Boolean).join(' '),
    tags: m.tags,
    status: m.status,
    credentials: m.credentials ? 'set' : 'not set',
    aptUpdates: s?.aptUpdatesCount ?? 0,
    aptSecurityUpdates: s?.aptSecurityCount ?? 0,
    rebootRequired: s?.aptRebootRequired ?? false,
    lastAnalyzeAt: s?.aptLastAnalyzeAt ?? null,
    blocked: s?.blocked ?? false,
    lastSeenAt: m.lastSeenAt,
  };
}

/** The tools that read the machines: their tiles and one machine's state. */
export function registerMachineTools(server: McpServer, { deps, scope, visibleMachine }: ToolContext): void {
  server.registerTool(
    'list_machines',
    {
      description:
        'The machines you may see, one tile each: status, pending APT updates (security among them), reboot needed, last analysis. Paginated; `total` counts all of them.',
      inputSchema: { ...pageArgs, tag: z.string().min(1).max(64).optional().describe('Only machines with this tag.') },
    },
    guarded(async (a: PageArgs & { tag?: string | undefined }) => {
      const { items, total } = await deps.machines.list({ scope, tag: a.tag, ...pageOf(a) });
      return answer({ total, items: items.map(machineTile) });
    }),
  );

  server.registerTool(
    'machine_state',
    {
      description:
        'The state of one machine: its tile plus APT status, held and phased updates, Docker, blocked reason.',
      inputSchema: { machineId: machineIdArg },
    },
    guarded(async (a: { machineId: string }) => {
      const m = await visibleMachine(a.machineId);
      if (!m) return toolError(machineNotFound(a.machineId));
      const s = m.state;
      return answer({
        ...machineTile(m),
        apt: s
          ? {
              status: s.aptStatus,
              held: s.aptHeldCount,
              phased: s.aptPhasedCount,
              rebootAfterApply: s.aptRebootAfterApply,
              usable: s.aptUsable,
            }
          : null,
        docker: s ? { installed: s.dockerInstalled, status: s.dockerStatus, updates: s.dockerUpdatesCount } : null,
        blockedReason: s?.blockedReason ?? null,
      });
    }),
  );
}
