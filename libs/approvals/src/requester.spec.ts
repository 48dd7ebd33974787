import { describe, expect, it } from 'vitest';
import { actorOfRequester, isAssistant, requesterType, type Requester } from './requester.ts';

const user: Requester = { type: 'user', id: 'u1', label: 'alice', scopes: ['operate'] };
const client: Requester = { type: 'api_client', id: 'c1', label: 'ci', scopes: ['operate'], clientKind: 'api' };
const hermes: Requester = { type: 'api_client', id: 'c2', label: 'hermes', scopes: ['operate'], clientKind: 'hermes' };

describe('requester', () => {
  it('tells the assistant apart from other API clients and from people', () => {
    expect([user, client, hermes].map(isAssistant)).toEqual([false, false, true]);
    expect([user, client, hermes].map(requesterType)).toEqual(['user', 'api_client', 'hermes']);
  });

  it('counts an MCP client as the assistant too (ADR 0029): it proposes as hermes', () => {
    const mcp: Requester = { ...client, clientKind: 'mcp' };
    expect(isAssistant(mcp)).toBe(true);
    expect(requesterType(mcp)).toBe('hermes');
  });

  it('is a user only by its type, whatever kind it claims', () => {
    expect(isAssistant({ ...user, clientKind: 'hermes' })).toBe(false);
  });

  it('becomes the actor of audit events with its label', () => {
    expect(actorOfRequester(hermes)).toEqual({ type: 'hermes', id: 'c2', label: 'hermes' });
  });
});
