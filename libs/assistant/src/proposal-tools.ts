import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { MACHINE_ACTION_NAMES, type MachineAction } from '@su/contracts';
import { z } from 'zod';
import { machineNotFound, type ToolContext } from './tool-context.ts';
import { answer, guarded, machineIdArg, toolError } from './tool-answer.ts';

/** The tools that propose, and follow a proposal: they never run or approve anything. */
export function registerProposalTools(server: McpServer, { caller, deps, visibleMachine }: ToolContext): void {
  server.registerTool(
    'propose_action',
    {
      description:
        'Propose an action on a machine. It creates an action request in state `pending` that a person approves or rejects; nothing runs until then. apt_upgrade / apt_dist_upgrade need a recent analysis of the machine (run none yourself: propose apt_analyze first).',
      inputSchema: {
        machineId: machineIdArg,
        action: z.enum(MACHINE_ACTION_NAMES as [MachineAction, ...MachineAction[]]).describe('What to do.'),
        summary: z.string().min(1).max(500).optional().describe('Why, in a sentence the approver reads.'),
      },
    },
    guarded(async (a: { machineId: string; action: MachineAction; summary?: string | undefined }) => {
      if (!(await visibleMachine(a.machineId))) return toolError(machineNotFound(a.machineId));
      const r = await deps.requests.create({ machineId: a.machineId, action: a.action, summary: a.summary }, caller);
      return answer({
        id: r.id,
        status: r.status,
        action: r.action,
        risk: r.risk,
        summary: r.summary,
        expiresAt: r.expiresAt,
      });
    }),
  );

  server.registerTool(
    'request_status',
    {
      description:
        'The status of an action request (pending, approved, rejected, expired, ...) and its job once approved.',
      inputSchema: { requestId: z.uuid().describe('The id propose_action returned.') },
    },
    guarded(async (a: { requestId: string }) => {
      const r = await deps.requests.get(a.requestId).catch(() => null);
      if (!r || !r.machineId || !(await visibleMachine(r.machineId)))
        return toolError(`action request ${a.requestId} not found`);
      return answer({
        id: r.id,
        status: r.status,
        action: r.action,
        machineId: r.machineId,
        summary: r.summary,
        jobId: r.jobId ?? null,
      });
    }),
  );
}
