import type { Grant, Me, OrgUnitRef, Session } from '@linli/contracts';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { roleDefinition, rolePermissions } from '../../core/roles';
import { findDepartment } from './lookups';
import { currentNotice } from './privacy-service';
import { accounts, orgUnits, roleGrants, type sessions } from './schema';

type OrgUnitRow = Pick<typeof orgUnits.$inferSelect, 'id' | 'code' | 'name' | 'kind'>;

const orgUnitRef = (u: OrgUnitRow): OrgUnitRef => ({
  id: u.id,
  code: u.code,
  name: u.name,
  kind: u.kind,
});

/** The caller's own account: profile, grants with role names and units, and every permission they carry. */
export async function presentMe(db: Executor, accountId: string): Promise<Me> {
  const [account] = await db.select().from(accounts).where(eq(accounts.id, accountId)).limit(1);
  if (!account) throw AppError.notFound('account');
  const [home] = account.orgUnitId
    ? await db
        .select({ id: orgUnits.id, code: orgUnits.code, name: orgUnits.name, kind: orgUnits.kind })
        .from(orgUnits)
        .where(eq(orgUnits.id, account.orgUnitId))
        .limit(1)
    : [];
  const department = account.departmentId ? await findDepartment(db, account.departmentId) : null;
  // The same grants the permission check loads: unrevoked, on units still active.
  const grantRows = await db
    .select({
      id: roleGrants.id,
      roleCode: roleGrants.roleCode,
      grantedAt: roleGrants.grantedAt,
      unitId: orgUnits.id,
      unitCode: orgUnits.code,
      unitName: orgUnits.name,
      unitKind: orgUnits.kind,
    })
    .from(roleGrants)
    .innerJoin(orgUnits, eq(orgUnits.id, roleGrants.orgUnitId))
    .where(
      and(eq(roleGrants.accountId, accountId), isNull(roleGrants.revokedAt), eq(orgUnits.status, 'active')),
    )
    .orderBy(asc(roleGrants.grantedAt), asc(roleGrants.id));
  const grants: Grant[] = grantRows.map((g) => ({
    id: g.id,
    roleCode: g.roleCode,
    roleName: roleDefinition(g.roleCode)?.name['zh-CN'] ?? g.roleCode,
    orgUnit: orgUnitRef({ id: g.unitId, code: g.unitCode, name: g.unitName, kind: g.unitKind }),
    grantedAt: g.grantedAt.toISOString(),
  }));
  // Only staff sessions carry grants (core/auth/sessions.ts), so only staff hold permissions.
  const notice = account.kind === 'resident' ? await currentNotice(db, account.districtId) : null;
  const permissions =
    account.kind === 'staff'
      ? [...new Set(grantRows.flatMap((g) => rolePermissions(g.roleCode)))].sort()
      : [];
  return {
    id: account.id,
    kind: account.kind,
    username: account.username,
    displayName: account.displayName,
    phone: account.phone,
    homeOrgUnit: home ? orgUnitRef(home) : null,
    department: department ? { id: department.id, code: department.code, name: department.name } : null,
    grants,
    permissions,
    mustChangePassword: account.mustChangePassword,
    totpEnabled: account.totpEnabled,
    privacy:
      account.kind === 'resident'
        ? {
            currentVersion: notice?.version ?? null,
            consentedVersion: account.privacyConsentVersion,
            consentRequired: !!notice && (account.privacyConsentVersion ?? 0) < notice.version,
          }
        : null,
  };
}

/** One of the caller's own sessions. */
export function presentSession(row: typeof sessions.$inferSelect, currentId: string | null): Session {
  return {
    id: row.id,
    current: row.id === currentId,
    createdAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    ip: row.ip,
    userAgent: row.userAgent,
  };
}
