import { BUILT_IN_ROLES, type Permission, type RoleDefinition } from '@linli/contracts';

const byCode = new Map<string, RoleDefinition>(BUILT_IN_ROLES.map((r) => [r.code, r]));

export function roleDefinition(code: string): RoleDefinition | undefined {
  return byCode.get(code);
}

/** The permissions a role carries; an unknown code carries none. */
export function rolePermissions(code: string): readonly Permission[] {
  return byCode.get(code)?.permissions ?? [];
}

/** The built-in roles that carry `permission`: who may be told about work that needs it. */
export function rolesHolding(permission: Permission): string[] {
  return BUILT_IN_ROLES.filter((r) => (r.permissions as readonly Permission[]).includes(permission)).map(
    (r) => r.code,
  );
}
