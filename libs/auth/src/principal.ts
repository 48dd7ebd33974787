import type { Actor, MachineScope, Scope } from '@su/contracts';

/** Who is calling the API: a logged-in user or an API client token. */
export interface Principal {
  type: 'user' | 'api_client';
  id: string;
  label: string;
  scopes: Scope[];
  /** The user session id, so logout revokes exactly this token. */
  sessionId?: string;
  /** Users: the password must be changed before anything else is allowed (first start, new user, offline reset). */
  mustChangePassword?: boolean;
  /** API clients: what the client is (`hermes`, the assistant, may propose but never decide). */
  clientKind?: string;
  /** API clients: the machines it may act on; null or absent: every machine. */
  machineScope?: MachineScope | null;
  /** When the token stops authenticating by itself (null: never); open SSE streams end then. */
  expiresAt?: Date | null;
}

export function actorOf(p: Principal): Actor {
  return { type: p.type, id: p.id, label: p.label };
}
