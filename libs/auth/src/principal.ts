import type { Actor, Scope } from '@su/contracts';

/** Who is calling the API: a logged-in user or an API client token. */
export interface Principal {
  type: 'user' | 'api_client';
  id: string;
  label: string;
  scopes: Scope[];
  /** The user session id, so logout revokes exactly this token. */
  sessionId?: string;
}

export function actorOf(p: Principal): Actor {
  return { type: p.type, id: p.id, label: p.label };
}
