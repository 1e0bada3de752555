import type { OrgUnitKindCode, Permission } from '@linli/contracts';
import { type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Actor } from '../../core/context';
import { can, scopeFilter, scopeRoots } from '../../core/permissions';
import { roleDefinition, rolePermissions } from '../../core/roles';

/**
 * The identity module's permission table: action -> (actor, resource) => boolean.
 *
 * Every rule rests on a permission held over the resource's org unit (core `can`: a grant on the
 * unit or any ancestor covers it), plus the state the action needs. Services call `authorize()`
 * first (401 / 404 outside scope / 403) and then refuse the same states with a 409/422 naming
 * them; presenters turn the table into `abilities`, so a button shows exactly when the call
 * would succeed. README.md holds the role x action matrix.
 */

/** The level below each kind: what `POST /org-units` may create under it. */
export const CHILD_KIND: Record<OrgUnitKindCode, OrgUnitKindCode | null> = {
  district: 'town',
  town: 'community',
  community: 'grid',
  grid: null,
};

/** The level above each kind: what a unit may be moved under. */
export const PARENT_KIND: Record<OrgUnitKindCode, OrgUnitKindCode | null> = {
  district: null,
  town: 'district',
  community: 'town',
  grid: 'community',
};

/** The materialised path of a district's root unit: the district id is the root unit's id. */
export const districtRootPath = (districtId: string) => `/${districtId}/`;

const ROOT_PATH = /^\/[^/]+\/$/;
/** True for the path of a district root (`/<district>/`). */
export const isDistrictRootPath = (path: string) => ROOT_PATH.test(path);

/**
 * The path an account is scoped by: its org unit's, or, for a resident without a home
 * community, its district root's (so only holders at the district root see it).
 */
export const accountScopePath = (unitPath: string | null, districtId: string) =>
  unitPath ?? districtRootPath(districtId);

/** What the org-unit rules look at. */
export interface OrgUnitResource {
  path: string;
  kind: OrgUnitKindCode;
  status: 'active' | 'retired';
  /** The parent's status; null for a district root. */
  parentStatus: 'active' | 'retired' | null;
  activeChildCount: number;
}

/** What the account rules look at. */
export interface AccountResource {
  id: string;
  kind: 'resident' | 'staff';
  status: 'active' | 'disabled' | 'closed';
  /** `accountScopePath(...)`: never null. */
  orgPath: string;
  /** The account's active grants (role and the unit's path). */
  grants: readonly { roleCode: string; orgPath: string }[];
  /** True when it is the only active account holding an active district_admin grant. */
  lastActiveAdmin: boolean;
}

/** A role grant being made or revoked. */
export interface GrantResource {
  roleCode: string;
  orgPath: string;
  unitKind: OrgUnitKindCode;
  accountKind: 'resident' | 'staff';
}

const self = (actor: Actor, account: { id: string }) => actor.accountId === account.id;

/** True when the actor holds every permission of `roleCode` over `orgPath` (no escalation). */
export function holdsAllOf(actor: Actor, roleCode: string, orgPath: string): boolean {
  return rolePermissions(roleCode).every((p) => can(actor, p, orgPath));
}

/**
 * Acting on an account (disable, reset its password) must not hand the caller more power than
 * they hold: they must be able to have made each of its grants themselves.
 */
export const coversGrants = (actor: Actor, account: Pick<AccountResource, 'grants'>) =>
  account.grants.every((g) => holdsAllOf(actor, g.roleCode, g.orgPath));

export const orgUnitPolicy = {
  read: (actor: Actor, u: OrgUnitResource) => can(actor, 'org.read', u.path),
  /** Create a child unit: only under an active unit that has a level below it. */
  create: (actor: Actor, u: OrgUnitResource) =>
    can(actor, 'org.manage', u.path) && u.status === 'active' && CHILD_KIND[u.kind] !== null,
  rename: (actor: Actor, u: OrgUnitResource) => can(actor, 'org.manage', u.path),
  /** Move (the new parent needs org.manage too, checked when it is known). Never the district root. */
  move: (actor: Actor, u: OrgUnitResource) => can(actor, 'org.manage', u.path) && u.kind !== 'district',
  retire: (actor: Actor, u: OrgUnitResource) =>
    can(actor, 'org.manage', u.path) &&
    u.kind !== 'district' &&
    u.status === 'active' &&
    u.activeChildCount === 0,
  reinstate: (actor: Actor, u: OrgUnitResource) =>
    can(actor, 'org.manage', u.path) && u.status === 'retired' && u.parentStatus === 'active',
} as const;

/** accounts.manage over the account, covering every grant it holds. */
const manageAccount = (actor: Actor, a: AccountResource): boolean =>
  can(actor, 'accounts.manage', a.orgPath) && coversGrants(actor, a);

export const accountPolicy = {
  read: (actor: Actor, a: AccountResource) => can(actor, 'accounts.read', a.orgPath),
  /** See the full phone number (GET /accounts/:id; every such view is audited). */
  readPii: (actor: Actor, a: AccountResource) =>
    can(actor, 'accounts.read', a.orgPath) && can(actor, 'pii.read', a.orgPath),
  manage: manageAccount,
  /** Grant roles to it (the unit of each grant is checked when it is known). */
  grant: (actor: Actor, a: AccountResource) =>
    a.status !== 'closed' && can(actor, 'accounts.read', a.orgPath) && can(actor, 'roles.grant', a.orgPath),
  disable: (actor: Actor, a: AccountResource) =>
    manageAccount(actor, a) && a.status === 'active' && !self(actor, a) && !a.lastActiveAdmin,
  enable: (actor: Actor, a: AccountResource) => manageAccount(actor, a) && a.status === 'disabled',
  resetPassword: (actor: Actor, a: AccountResource) =>
    manageAccount(actor, a) && a.kind === 'staff' && !self(actor, a),
} as const;

export const grantPolicy = {
  /** Make a grant: roles.grant over the unit, a kind the role allows, and no escalation. */
  create: (actor: Actor, g: GrantResource) => {
    const role = roleDefinition(g.roleCode);
    if (!role) return false;
    if (g.accountKind === 'resident' && g.roleCode !== 'deliberation_rep') return false;
    return (
      can(actor, 'roles.grant', g.orgPath) &&
      (role.grantableAt as readonly string[]).includes(g.unitKind) &&
      holdsAllOf(actor, g.roleCode, g.orgPath)
    );
  },
  revoke: (actor: Actor, g: Pick<GrantResource, 'orgPath'>) => can(actor, 'roles.grant', g.orgPath),
} as const;

export const rolePolicy = {
  /** Change a role's district setting (requireTotp): roles.manage over the district root. */
  update: (actor: Actor, districtId: string | null) =>
    districtId !== null && can(actor, 'roles.manage', districtRootPath(districtId)),
} as const;

export const auditPolicy = {
  /** An entry without an org unit belongs to its district root. */
  read: (actor: Actor, entry: { orgPath: string | null; districtId: string | null }) =>
    can(actor, 'audit.read', auditScopePath(actor, entry)),
} as const;

/** The path an audit entry is scoped by: its unit's, else its district root's (the actor's when unknown). */
export function auditScopePath(actor: Actor, entry: { orgPath: string | null; districtId: string | null }) {
  if (entry.orgPath) return entry.orgPath;
  const district = entry.districtId ?? actor.districtId;
  return district ? districtRootPath(district) : null;
}

export type OrgUnitAbilities = { [K in Exclude<keyof typeof orgUnitPolicy, 'read'>]: boolean };
export type AccountAbilities = {
  [K in 'manage' | 'grant' | 'disable' | 'enable' | 'resetPassword']: boolean;
};

/** `abilities` of an org unit detail, straight from the table (all false for anonymous callers). */
export function orgUnitAbilities(actor: Actor, u: OrgUnitResource): OrgUnitAbilities {
  return {
    create: orgUnitPolicy.create(actor, u),
    rename: orgUnitPolicy.rename(actor, u),
    move: orgUnitPolicy.move(actor, u),
    retire: orgUnitPolicy.retire(actor, u),
    reinstate: orgUnitPolicy.reinstate(actor, u),
  };
}

/** `abilities` of an account detail, straight from the table. */
export function accountAbilities(actor: Actor, a: AccountResource): AccountAbilities {
  return {
    manage: accountPolicy.manage(actor, a),
    grant: accountPolicy.grant(actor, a),
    disable: accountPolicy.disable(actor, a),
    enable: accountPolicy.enable(actor, a),
    resetPassword: accountPolicy.resetPassword(actor, a),
  };
}

/**
 * `scopeFilter` for tables whose rows may have no org unit (residents without a home community,
 * audit entries of sign-ins): such rows belong to their district root, so only holders there
 * see them. Everything with an org unit goes through the one core filter.
 */
export function scopeFilterOrDistrictRoot(
  actor: Actor,
  permission: Permission,
  orgUnitColumn: AnyPgColumn,
  districtColumn: AnyPgColumn,
): SQL {
  const scoped = scopeFilter(actor, permission, orgUnitColumn);
  if (actor.kind === 'system') return scoped;
  const districts = scopeRoots(actor, permission)
    .filter(isDistrictRootPath)
    .map((p) => p.slice(1, -1));
  if (districts.length === 0) return scoped;
  const ids = sql.join(
    districts.map((d) => sql`${d}`),
    sql`, `,
  );
  return sql`(${scoped} OR (${orgUnitColumn} IS NULL AND (${districtColumn} IS NULL OR ${districtColumn} IN (${ids}))))`;
}
