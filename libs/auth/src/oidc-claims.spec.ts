import { describe, expect, it } from 'vitest';
import { groupsFromClaims, usernameCandidates, usernameFromClaims } from './oidc-claims.ts';
import { roleForGroups } from './oidc-role-mapping.ts';

describe('groups from claims', () => {
  it('reads a list, a single string, a namespaced claim name and a dotted path', () => {
    expect(groupsFromClaims({ groups: ['a', 'b'] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsFromClaims({ groups: 'a' }, 'groups')).toEqual(['a']);
    expect(groupsFromClaims({ 'https://example.org/groups': ['x'] }, 'https://example.org/groups')).toEqual(['x']);
    expect(groupsFromClaims({ realm_access: { roles: ['r1'] } }, 'realm_access.roles')).toEqual(['r1']);
  });

  it('ignores what is not a group name', () => {
    expect(groupsFromClaims({}, 'groups')).toEqual([]);
    expect(groupsFromClaims({ groups: [1, null, '', { a: 1 }, 'ok', 'x'.repeat(300)] }, 'groups')).toEqual(['ok']);
    expect(groupsFromClaims({ realm_access: 'flat' }, 'realm_access.roles')).toEqual([]);
    expect(groupsFromClaims({ groups: ['g'] }, 'toString')).toEqual([]);
  });
});

describe('role for groups', () => {
  const map = new Map([
    ['viewers', 'viewer'],
    ['ops', 'operator'],
    ['admins', 'admin'],
  ] as const);

  it('gives the most powerful mapped role, whatever the order of the groups', () => {
    expect(roleForGroups(['viewers', 'admins', 'ops'], map, undefined)).toBe('admin');
    expect(roleForGroups(['ops', 'viewers'], map, undefined)).toBe('operator');
  });

  it('falls back to the default role, else refuses (null); names compare exactly', () => {
    expect(roleForGroups(['guests'], map, undefined)).toBeNull();
    expect(roleForGroups(['Admins', '/admins'], map, undefined)).toBeNull();
    expect(roleForGroups([], map, 'viewer')).toBe('viewer');
    expect(roleForGroups(['ops'], map, 'viewer')).toBe('operator');
  });
});

describe('username from claims', () => {
  it('prefers preferred_username, then the e-mail, then one made from the subject', () => {
    expect(usernameFromClaims({ sub: 's', preferred_username: 'alice', email: 'a@x.org' })).toBe('alice');
    expect(usernameFromClaims({ sub: 's', email: 'a@x.org' })).toBe('a@x.org');
    expect(usernameFromClaims({ sub: 's' })).toMatch(/^oidc-[0-9a-f]{10}$/);
  });

  it('keeps letters and digits of any script, and makes the rest safe', () => {
    expect(usernameFromClaims({ sub: 's', preferred_username: 'Zoë Müller' })).toBe('Zoë-Müller');
    expect(usernameFromClaims({ sub: 's', preferred_username: 'a\u0000b<script>' })).toBe('a-b-script');
    expect(usernameFromClaims({ sub: 's', preferred_username: '///' })).toMatch(/^oidc-/);
    expect(usernameFromClaims({ sub: 's', preferred_username: 'x'.repeat(200) })).toHaveLength(48);
  });

  it('numbers the candidates after the first', () => {
    expect(usernameCandidates('admin', 3)).toEqual(['admin', 'admin-2', 'admin-3']);
  });
});
