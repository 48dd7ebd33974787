import type { Actor, MachineScope, RequesterType, Scope } from '@su/contracts';

/**
 * Who asks for or decides on a request: the authenticated principal (a user or an API client token), in the terms
 * this lib needs. The gateway's Principal has this shape.
 */
export interface Requester {
  type: 'user' | 'api_client';
  id: string;
  label: string;
  scopes: readonly Scope[];
  /** API clients: `hermes` is the assistant, which may propose but never decide. */
  clientKind?: string | undefined;
  /** API clients: the machines it may act on; null or absent: every machine. */
  machineScope?: MachineScope | null | undefined;
}

export function isAssistant(r: Requester): boolean {
  return r.type === 'api_client' && (r.clientKind === 'hermes' || r.clientKind === 'mcp');
}

/** `requested_by_type` of a request: the assistant is told apart from other API clients. */
export function requesterType(r: Requester): RequesterType {
  return r.type === 'user' ? 'user' : isAssistant(r) ? 'hermes' : 'api_client';
}

export function actorOfRequester(r: Requester): Actor {
  return { type: requesterType(r), id: r.id, label: r.label };
}
