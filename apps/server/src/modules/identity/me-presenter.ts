import type { Grant, Me, OrgUnitRef, Session } from '@linli/contracts';
import { eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../core/db/client';
import { preparedQuery } from '../../core/db/prepared';
import { AppError } from '../../core/errors';
import { roleDefinition, rolePermissions } from '../../core/roles';
import { accounts, departments, orgUnits, type sessions } from './schema';

type OrgUnitRow = Pick<typeof orgUnits.$inferSelect, 'id' | 'code' | 'name' | 'kind'>;

const orgUnitRef = (u: OrgUnitRow): OrgUnitRef => ({
  id: u.id,
  code: u.code,
  name: u.name,
  kind: u.kind,
});

interface GrantJson {
  id: string;
  roleCode: string;
  grantedAt: string;
  unitId: string;
  unitCode: string;
  unitName: string;
  unitKind: OrgUnitRow['kind'];
}

const home = alias(orgUnits, 'home');

/**
 * The account with its home unit, department, the privacy notice in force (residents) and its
 * grants (as JSON, oldest first): `GET /me` is one prepared statement (issue #15).
 */
const meQuery = preparedQuery('identity_me', (db, name) =>
  db
    .select({
      account: accounts,
      home: { id: home.id, code: home.code, name: home.name, kind: home.kind },
      department: { id: departments.id, code: departments.code, name: departments.name },
      noticeVersion: sql<
        number | null
      >`CASE WHEN ${accounts.kind} = 'resident' THEN (SELECT max(pn.version) FROM privacy_notices pn WHERE pn.district_id = ${accounts.districtId}) END`,
      // The same grants the permission check loads: unrevoked, on units still active.
      grants: sql<GrantJson[] | string>`(SELECT coalesce(json_agg(json_build_object(
        'id', g.id, 'roleCode', g.role_code, 'grantedAt', g.granted_at, 'unitId', u.id,
        'unitCode', u.code, 'unitName', u.name, 'unitKind', u.kind
      ) ORDER BY g.granted_at, g.id), '[]'::json)
      FROM role_grants g JOIN org_units u ON u.id = g.org_unit_id
      WHERE g.account_id = ${accounts.id} AND g.revoked_at IS NULL AND u.status = 'active')`,
    })
    .from(accounts)
    .leftJoin(home, eq(home.id, accounts.orgUnitId))
    .leftJoin(departments, eq(departments.id, accounts.departmentId))
    .where(eq(accounts.id, sql.placeholder('accountId')))
    .limit(1)
    .prepare(name),
);

/** The caller's own account: profile, grants with role names and units, and every permission they carry. */
export async function presentMe(db: Executor, accountId: string): Promise<Me> {
  const [row] = await meQuery(db).execute({ accountId });
  if (!row) throw AppError.notFound('account');
  const { account } = row;
  const grantRows = (typeof row.grants === 'string' ? JSON.parse(row.grants) : row.grants) as GrantJson[];
  const grants: Grant[] = grantRows.map((g) => ({
    id: g.id,
    roleCode: g.roleCode,
    roleName: roleDefinition(g.roleCode)?.name['zh-CN'] ?? g.roleCode,
    orgUnit: orgUnitRef({ id: g.unitId, code: g.unitCode, name: g.unitName, kind: g.unitKind }),
    grantedAt: new Date(g.grantedAt).toISOString(),
  }));
  // Only staff sessions carry grants (core/auth/sessions.ts), so only staff hold permissions.
  const noticeVersion = row.noticeVersion === null ? null : Number(row.noticeVersion);
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
    homeOrgUnit: account.orgUnitId && row.home ? orgUnitRef(row.home) : null,
    department:
      account.departmentId && row.department
        ? { id: row.department.id, code: row.department.code, name: row.department.name }
        : null,
    grants,
    permissions,
    mustChangePassword: account.mustChangePassword,
    totpEnabled: account.totpEnabled,
    privacy:
      account.kind === 'resident'
        ? {
            currentVersion: noticeVersion,
            consentedVersion: account.privacyConsentVersion,
            consentRequired: noticeVersion !== null && (account.privacyConsentVersion ?? 0) < noticeVersion,
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
