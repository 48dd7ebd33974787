import { describe, expect, it } from 'vitest';
import { assistantRefusal } from './assistant.rule.ts';
import type { Principal } from './principal.ts';

const client = (clientKind: string): Principal => ({
  type: 'api_client',
  id: 'c1',
  label: clientKind,
  scopes: ['admin'],
  clientKind,
});
const user: Principal = { type: 'user', id: 'u1', label: 'admin', scopes: ['admin'] };

describe('assistantRefusal (the assistant proposes, never executes)', () => {
  it('refuses hermes and mcp clients every method but GET and HEAD, whatever their scopes', () => {
    for (const kind of ['hermes', 'mcp'])
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'])
        expect(assistantRefusal(client(kind), method, false)).toMatch(
          /may read and propose actions .* a person must do it/,
        );
  });

  it('lets them read, and call a route marked as a proposal', () => {
    for (const kind of ['hermes', 'mcp']) {
      expect(assistantRefusal(client(kind), 'GET', false)).toBeNull();
      expect(assistantRefusal(client(kind), 'HEAD', false)).toBeNull();
      expect(assistantRefusal(client(kind), 'POST', true)).toBeNull();
    }
  });

  it('never limits users or other API clients', () => {
    for (const p of [user, client('script'), client('webapp')])
      for (const method of ['POST', 'DELETE']) expect(assistantRefusal(p, method, false)).toBeNull();
  });
});
