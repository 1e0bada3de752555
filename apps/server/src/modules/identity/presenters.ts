import {
  type Account,
  type AccountSummary,
  type AuditEntry,
  BUILT_IN_ROLES,
  type Grant,
  maskPhone,
  type OrgUnit,
  type OrgUnitDetail,
  type OrgUnitRef,
  type Role,
  type RoleCode,
} from '@linli/contracts';
import type { Actor } from '../../core/context';
import { roleDefinition } from '../../core/roles';
import { type AccountRow, type AccountView, accountResource } from './accounts-service';
import type { AuditRow } from './audit-service';
import type { OrgUnitDetailView, OrgUnitListRow } from './org-service';
import { accountAbilities, orgUnitAbilities } from './permissions';

/** Rows -> contract DTOs. Rows never leave the server raw; phones are masked here. */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const ROLE_ORDER = new Map<string, number>(BUILT_IN_ROLES.map((r, i) => [r.code, i]));
/** Role codes in the order contracts list them (most powerful first), without duplicates. */
export const sortRoleCodes = (codes: Iterable<string>) =>
  [...new Set(codes)].sort((a, b) => (ROLE_ORDER.get(a) ?? 99) - (ROLE_ORDER.get(b) ?? 99));

export function presentOrgUnitRef(u: { id: string; code: string; name: string; kind: OrgUnitRef['kind'] }) {
  return { id: u.id, code: u.code, name: u.name, kind: u.kind } satisfies OrgUnitRef;
}

export function presentOrgUnit(row: OrgUnitListRow): OrgUnit {
  const { unit, childCount } = row;
  return {
    id: unit.id,
    code: unit.code,
    name: unit.name,
    fullName: unit.fullName,
    kind: unit.kind,
    subtype: unit.subtype,
    status: unit.status,
    parentId: unit.parentId,
    depth: unit.depth,
    childCount,
    address: unit.address,
    retiredAt: iso(unit.retiredAt),
  };
}

/** The detail, with `abilities` from the permission table (all false for anonymous callers). */
export function presentOrgUnitDetail(actor: Actor, view: OrgUnitDetailView): OrgUnitDetail {
  return {
    ...presentOrgUnit({ unit: view.unit, childCount: view.activeChildCount }),
    ancestors: view.ancestors.map(presentOrgUnitRef),
    abilities: orgUnitAbilities(actor, {
      path: view.unit.path,
      kind: view.unit.kind,
      status: view.unit.status,
      parentStatus: view.parentStatus,
      activeChildCount: view.activeChildCount,
    }),
  };
}

/**
 * One account in a list. Lists always mask the phone (ARCHITECTURE: personal data is masked in
 * lists); the full number is only on GET /accounts/:id, for pii.read holders, and audited.
 */
export function presentAccountSummary(row: AccountRow, roles: string[], revealPhone = false): AccountSummary {
  return {
    id: row.id,
    kind: row.kind,
    username: row.username,
    displayName: row.displayName,
    phone: revealPhone ? row.phone : maskPhone(row.phone),
    status: row.status,
    orgUnit: row.unit ? presentOrgUnitRef(row.unit) : null,
    roles: sortRoleCodes(roles),
    lastSignInAt: iso(row.lastSignInAt),
    createdAt: row.createdAt.toISOString(),
  };
}

export function presentGrant(g: {
  id: string;
  roleCode: string;
  grantedAt: Date;
  unit: { id: string; code: string; name: string; kind: OrgUnitRef['kind'] };
}): Grant {
  const role = roleDefinition(g.roleCode);
  return {
    id: g.id,
    roleCode: g.roleCode,
    roleName: role?.name['zh-CN'] ?? g.roleCode,
    orgUnit: presentOrgUnitRef(g.unit),
    grantedAt: g.grantedAt.toISOString(),
  };
}

/** The account detail. `revealPhone` only after the service checked pii.read and audited the view. */
export function presentAccount(actor: Actor, view: AccountView, revealPhone = false): Account {
  return {
    ...presentAccountSummary(
      view.account,
      view.grants.map((g) => g.roleCode),
      revealPhone,
    ),
    grants: view.grants.map(presentGrant),
    totpEnabled: view.account.totpEnabled,
    lockedUntil: iso(view.account.lockedUntil),
    mustChangePassword: view.account.mustChangePassword,
    abilities: accountAbilities(actor, accountResource(view)),
  };
}

export function presentRole(code: RoleCode | string, requireTotp: boolean): Role {
  const def = roleDefinition(code);
  if (!def) throw new Error(`unknown role ${code}`);
  return {
    code: def.code,
    name: def.name['zh-CN'],
    nameEn: def.name.en,
    permissions: [...def.permissions],
    grantableAt: [...def.grantableAt],
    requireTotp,
  };
}

export function presentAuditEntry(row: AuditRow): AuditEntry {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    actor: row.actorId ? { id: row.actorId, displayName: row.actorName ?? '' } : null,
    actingFor: row.actingForId ? { id: row.actingForId, displayName: row.actingForName ?? '' } : null,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    orgUnit: row.unit ? presentOrgUnitRef(row.unit) : null,
    changes: row.changes,
    requestId: row.requestId,
    ip: row.ip,
    userAgent: row.userAgent,
  };
}
