import type { ActionRequestView, MachineAction, MachineScope, MachineView, Scope } from '@su/contracts';

// The assistant's tools use the machines and approvals features through these shapes; the gateway hands the real
// services in (a feature lib does not import another feature lib).

/** Who calls the tools: an API client token of kind mcp or hermes (the gateway's Principal has this shape). */
export interface AssistantCaller {
  type: 'user' | 'api_client';
  id: string;
  label: string;
  scopes: Scope[];
  clientKind?: string | undefined;
  machineScope?: MachineScope | null | undefined;
}

export interface AssistantMachines {
  get(id: string): Promise<MachineView>;
  list(q: {
    tag?: string | undefined;
    scope?: MachineScope | null | undefined;
    limit: number;
    offset: number;
  }): Promise<{ items: MachineView[]; total: number }>;
}

export interface AssistantRequests {
  create(
    input: { machineId: string; action: MachineAction; summary?: string | undefined },
    by: AssistantCaller,
  ): Promise<ActionRequestView>;
  get(id: string): Promise<ActionRequestView>;
}
