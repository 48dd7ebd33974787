import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { HttpException } from '@nestjs/common';
import type { ActionRequestsService } from '@su/approvals';
import type { Principal } from '@su/auth';
import { MACHINE_ACTION_NAMES, machineScopeRefusal, type MachineAction, type MachineView } from '@su/contracts';
import type { MachinesService } from '@su/machines';
import { z } from 'zod';

/** The size cap of one answer: an assistant's context is small and a fleet is not. */
const ANSWER_MAX_CHARS = 64_000;
const PAGE_MAX = 100;

export interface McpToolDeps {
  machines: MachinesService;
  requests: ActionRequestsService;
}

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

function answer(value: unknown): CallToolResult {
  const text = JSON.stringify(value);
  if (text.length <= ANSWER_MAX_CHARS) return { content: [{ type: 'text', text }] };
  return toolError(`the answer is larger than ${ANSWER_MAX_CHARS} characters; ask for a smaller page (limit)`);
}

function toolError(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

/** A 4xx from a service becomes a tool error with its message (it names the field or the id); anything else rethrows. */
function asToolError(e: unknown): CallToolResult {
  if (e instanceof HttpException && e.getStatus() < 500) {
    const body = e.getResponse();
    const msg = typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : e.message;
    return toolError(msg);
  }
  throw e;
}

/** A service's 4xx becomes a tool error; the SDK would otherwise report the exception's text as it is. */
const guarded =
  <A>(run: (args: A) => Promise<CallToolResult>) =>
  (args: A): Promise<CallToolResult> =>
    run(args).catch(asToolError);

/** What every tool of one request's server shares: the caller, the services, and its view of the machines. */
interface ToolContext {
  p: Principal;
  deps: McpToolDeps;
  scope: Principal['machineScope'] | null;
  /** The machine, or null when it is missing or outside the caller's machine scope (the two look the same). */
  visibleMachine: (id: string) => Promise<MachineView | null>;
}

const page = {
  limit: z.number().int().min(1).max(PAGE_MAX).optional().describe(`Page size, 1..${PAGE_MAX} (default 50).`),
  offset: z.number().int().min(0).max(1_000_000).optional().describe('Rows to skip (default 0).'),
};
const machineId = z.uuid().describe('The machine id (a UUID, as list_machines gives it).');

/**
 * One MCP server per request (the transport is stateless), holding the caller's principal: every tool sees exactly
 * what the same token sees on REST, and a machine outside its scope does not exist for it.
 */
export function buildMcpServer(p: Principal, deps: McpToolDeps): McpServer {
  const server = new McpServer({ name: 'system-update', version: '1' });
  const scope = p.machineScope ?? null;
  const visibleMachine = async (id: string): Promise<MachineView | null> => {
    try {
      const m = await deps.machines.get(id);
      return machineScopeRefusal(scope, m) ? null : m;
    } catch (e) {
      if (e instanceof HttpException && e.getStatus() === 404) return null;
      throw e;
    }
  };
  const ctx: ToolContext = { p, deps, scope, visibleMachine };
  registerReadTools(server, ctx);
  registerProposalTools(server, ctx);
  return server;
}

/** The tools that read: the machines' tiles and one machine's state. */
function registerReadTools(server: McpServer, { deps, scope, visibleMachine }: ToolContext): void {
  server.registerTool(
    'list_machines',
    {
      description:
        'The machines you may see, one tile each: status, pending APT updates (security among them), reboot needed, last analysis. Paginated; `total` counts all of them.',
      inputSchema: { ...page, tag: z.string().min(1).max(64).optional().describe('Only machines with this tag.') },
    },
    guarded(async (a: { limit?: number | undefined; offset?: number | undefined; tag?: string | undefined }) => {
      const { items, total } = await deps.machines.list({
        scope,
        tag: a.tag,
        limit: a.limit ?? 50,
        offset: a.offset ?? 0,
      });
      return answer({ total, items: items.map(machineTile) });
    }),
  );

  server.registerTool(
    'machine_state',
    {
      description:
        'The state of one machine: its tile plus APT status, held and phased updates, Docker, blocked reason.',
      inputSchema: { machineId },
    },
    guarded(async (a: { machineId: string }) => {
      const m = await visibleMachine(a.machineId);
      if (!m) return toolError(`machine ${a.machineId} not found`);
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

/** The tools that propose, and follow a proposal: they never run or approve anything. */
function registerProposalTools(server: McpServer, { p, deps, visibleMachine }: ToolContext): void {
  server.registerTool(
    'propose_action',
    {
      description:
        'Propose an action on a machine. It creates an action request in state `pending` that a person approves or rejects; nothing runs until then. apt_upgrade / apt_dist_upgrade need a recent analysis of the machine (run none yourself: propose apt_analyze first).',
      inputSchema: {
        machineId,
        action: z.enum(MACHINE_ACTION_NAMES as [MachineAction, ...MachineAction[]]).describe('What to do.'),
        summary: z.string().min(1).max(500).optional().describe('Why, in a sentence the approver reads.'),
      },
    },
    guarded(async (a: { machineId: string; action: MachineAction; summary?: string | undefined }) => {
      // Invisible machines are refused with the same words as missing ones: the scope is not disclosed.
      if (!(await visibleMachine(a.machineId))) return toolError(`machine ${a.machineId} not found`);
      const r = await deps.requests.create({ machineId: a.machineId, action: a.action, summary: a.summary }, p);
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
