import { HttpException } from '@nestjs/common';
import { machineScopeRefusal, type MachineScope, type MachineView } from '@su/contracts';
import type { AssistantCaller, AssistantMachines, AssistantRequests } from './assistant-ports.ts';
import type { AssistantUsageService } from './assistant-usage.service.ts';
import type { FleetReadsService } from './fleet-reads.service.ts';

/** The size of an answer built from a job's log, noted by the tool for the audit row of its call (ADR 0033). */
export interface AnswerMeasure {
  executionId: string;
  rawBytes: number;
  reducedBytes: number;
}

/** What one MCP request's tools need: the gateway's services and this lib's own. */
export interface AssistantDeps {
  machines: AssistantMachines;
  requests: AssistantRequests;
  reads: FleetReadsService;
  usage: AssistantUsageService;
}

/** What every tool of one request's server shares: the caller, the services, and its view of the machines. */
export interface ToolContext {
  caller: AssistantCaller;
  deps: AssistantDeps;
  scope: MachineScope | null;
  /** The machine, or null when it is missing or outside the caller's machine scope (the two look the same). */
  visibleMachine: (id: string) => Promise<MachineView | null>;
  /** Sizes noted by the tools, by JSON-RPC request id, for the audit. */
  measures: Map<string | number, AnswerMeasure>;
}

export function toolContext(caller: AssistantCaller, deps: AssistantDeps): ToolContext {
  const scope = caller.machineScope ?? null;
  const visibleMachine = async (id: string): Promise<MachineView | null> => {
    try {
      const m = await deps.machines.get(id);
      return machineScopeRefusal(scope, m) ? null : m;
    } catch (e) {
      if (e instanceof HttpException && e.getStatus() === 404) return null;
      throw e;
    }
  };
  return { caller, deps, scope, visibleMachine, measures: new Map() };
}

/** The same words for a missing machine and one outside the scope: the scope is not disclosed. */
export const machineNotFound = (id: string) => `machine ${id} not found`;
