import { USER_ROLES, type UserRole } from '@su/contracts';

/**
 * The role a provider user gets here: the most powerful role any of their groups maps to, else the configured
 * default, else null (refused). Group names compare exactly (Keycloak's `/ops` is not `ops`).
 */
export function roleForGroups(
  groups: readonly string[],
  roleMap: ReadonlyMap<string, UserRole>,
  defaultRole: UserRole | undefined,
): UserRole | null {
  let best: UserRole | null = null;
  for (const group of groups) {
    const role = roleMap.get(group);
    if (role && (best === null || USER_ROLES.indexOf(role) > USER_ROLES.indexOf(best))) best = role;
  }
  return best ?? defaultRole ?? null;
}
