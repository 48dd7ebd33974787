import type { Principal } from './principal.ts';

/** API client kinds that are an assistant: they may propose actions, never carry them out (ADR 0014). */
export const ASSISTANT_CLIENT_KINDS: readonly string[] = ['hermes', 'mcp'];

export function isAssistantPrincipal(p: Principal): boolean {
  return p.type === 'api_client' && ASSISTANT_CLIENT_KINDS.includes(p.clientKind ?? '');
}

/**
 * Why the assistant may not call this route, or null. Fail closed: every method but GET/HEAD is refused unless the
 * route is marked `@AssistantMayCall()`, so a route added later cannot become a way for the assistant to execute.
 */
export function assistantRefusal(p: Principal, method: string, mayCall: boolean): string | null {
  if (!isAssistantPrincipal(p) || method === 'GET' || method === 'HEAD' || mayCall) return null;
  return `the assistant (API client "${p.label}", kind ${p.clientKind}) may read and propose actions (POST /api/v1/action-requests) but not execute or change anything: a person must do it`;
}
