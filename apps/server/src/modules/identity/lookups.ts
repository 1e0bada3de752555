import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { accounts, departments, orgUnits, roleGrants } from './schema';

/**
 * What other modules may read of identity's data. They call these functions, never the tables
 * (ARCHITECTURE.md: a module reads another's data only through its service functions).
 */

/** An org unit as other modules need it: for the permission check (`path`) and for display. */
export interface OrgUnitInfo {
  id: string;
  districtId: string;
  code: string;
  name: string;
  kind: 'district' | 'town' | 'community' | 'grid';
  status: 'active' | 'retired';
  path: string;
}

const unitColumns = {
  id: orgUnits.id,
  districtId: orgUnits.districtId,
  code: orgUnits.code,
  name: orgUnits.name,
  kind: orgUnits.kind,
  status: orgUnits.status,
  path: orgUnits.path,
};

export async function findOrgUnit(db: Executor, id: string): Promise<OrgUnitInfo | null> {
  const [row] = await db.select(unitColumns).from(orgUnits).where(eq(orgUnits.id, id)).limit(1);
  return row ?? null;
}

/** By name, for seeds and demo data (reference names are unique within one district). */
export async function findOrgUnitByName(db: Executor, name: string): Promise<OrgUnitInfo | null> {
  const [row] = await db.select(unitColumns).from(orgUnits).where(eq(orgUnits.name, name)).limit(1);
  return row ?? null;
}

/** Several units in one query, keyed by id (for presenting a page of rows without N+1). */
export async function orgUnitsByIds(db: Executor, ids: Iterable<string>): Promise<Map<string, OrgUnitInfo>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.select(unitColumns).from(orgUnits).where(inArray(orgUnits.id, unique));
  return new Map(rows.map((r) => [r.id, r]));
}

/** The ids in a materialised path `/<district>/<town>/<community>/`: the unit and its ancestors. */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** Display names of accounts, in one query, keyed by id. */
export async function accountDisplayNames(db: Executor, ids: Iterable<string>): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ id: accounts.id, displayName: accounts.displayName })
    .from(accounts)
    .where(inArray(accounts.id, unique));
  return new Map(rows.map((r) => [r.id, r.displayName]));
}

/** Every district root unit (one per district), oldest first: for per-district reference data. */
/** Mobile numbers of accounts (null when none), in one query, keyed by id: callers mask them. */
export async function accountPhones(
  db: Executor,
  ids: Iterable<string>,
): Promise<Map<string, string | null>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ id: accounts.id, phone: accounts.phone })
    .from(accounts)
    .where(inArray(accounts.id, unique));
  return new Map(rows.map((r) => [r.id, r.phone]));
}

/**
 * What the notification hub needs of its recipients, in one query, keyed by id: the mobile
 * number of each active account (null for none). Accounts that are not active are left out.
 */
export async function activeAccountPhones(
  db: Executor,
  ids: Iterable<string>,
): Promise<Map<string, string | null>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .select({ id: accounts.id, phone: accounts.phone })
    .from(accounts)
    .where(and(inArray(accounts.id, unique), eq(accounts.status, 'active')));
  return new Map(rows.map((r) => [r.id, r.phone]));
}

/** An account's mobile number, for notification texts; null when it has none or is not active. */
export async function accountPhone(db: Executor, id: string): Promise<string | null> {
  const [row] = await db
    .select({ phone: accounts.phone })
    .from(accounts)
    .where(and(eq(accounts.id, id), eq(accounts.status, 'active')))
    .limit(1);
  return row?.phone ?? null;
}

export async function listDistricts(db: Executor): Promise<OrgUnitInfo[]> {
  return db.select(unitColumns).from(orgUnits).where(eq(orgUnits.kind, 'district')).orderBy(orgUnits.id);
}

const defaultDistricts = new WeakMap<Executor, string>();

/**
 * The district a public request (no sign-in) is about. A deployment serves one district today;
 * a multi-district one will name it in the request.
 */
export async function defaultDistrict(db: Executor): Promise<string> {
  const known = defaultDistricts.get(db);
  if (known) return known;
  const [row] = await db
    .select({ id: orgUnits.id })
    .from(orgUnits)
    .where(eq(orgUnits.kind, 'district'))
    .orderBy(orgUnits.code)
    .limit(1);
  if (!row) throw new Error('no district in the org tree');
  defaultDistricts.set(db, row.id);
  return row.id;
}

export interface DepartmentInfo {
  id: string;
  districtId: string;
  code: string;
  name: string;
  status: 'active' | 'retired';
}

export async function findDepartment(db: Executor, id: string): Promise<DepartmentInfo | null> {
  const [row] = await db.select().from(departments).where(eq(departments.id, id)).limit(1);
  return row ?? null;
}

/** By name, as the service catalogue names its 受理部门. */
export async function findDepartmentByName(db: Executor, districtId: string, name: string) {
  const [row] = await db
    .select()
    .from(departments)
    .where(and(eq(departments.districtId, districtId), eq(departments.name, name)))
    .limit(1);
  return (row as DepartmentInfo | undefined) ?? null;
}

export async function listDepartments(db: Executor, districtId: string): Promise<DepartmentInfo[]> {
  return db
    .select()
    .from(departments)
    .where(and(eq(departments.districtId, districtId), eq(departments.status, 'active')))
    .orderBy(departments.code);
}

/** The department an account works for, or null. */
export async function departmentOfAccount(db: Executor, accountId: string): Promise<DepartmentInfo | null> {
  const [row] = await db
    .select({ d: departments })
    .from(accounts)
    .innerJoin(departments, eq(departments.id, accounts.departmentId))
    .where(eq(accounts.id, accountId))
    .limit(1);
  return row?.d ?? null;
}

/**
 * Active towns, communities and grids of a district with their paths (the cases module's address
 * fallback matches names against them).
 */
export async function placesOfDistrict(db: Executor, districtId: string) {
  return db
    .select({
      id: orgUnits.id,
      name: orgUnits.name,
      kind: orgUnits.kind,
      path: orgUnits.path,
      parentId: orgUnits.parentId,
    })
    .from(orgUnits)
    .where(and(eq(orgUnits.districtId, districtId), eq(orgUnits.status, 'active')));
}

/**
 * Staff holding `roleCodes` at one of the units `unitIds` (the case's unit and its ancestors):
 * e.g. the supervisors the cases SLA job notifies.
 */
export async function accountsWithRolesAt(db: Executor, roleCodes: string[], unitIds: string[]) {
  return [...new Set((await grantsWithRolesAt(db, roleCodes, unitIds)).map((g) => g.accountId))];
}

/** The active grants of those roles at those units (of active accounts): who holds which unit. */
export async function grantsWithRolesAt(db: Executor, roleCodes: string[], unitIds: string[]) {
  if (roleCodes.length === 0 || unitIds.length === 0) return [];
  return db
    .selectDistinct({ accountId: accounts.id, orgUnitId: roleGrants.orgUnitId })
    .from(roleGrants)
    .innerJoin(accounts, eq(accounts.id, roleGrants.accountId))
    .where(
      and(
        inArray(roleGrants.roleCode, roleCodes),
        inArray(roleGrants.orgUnitId, [...new Set(unitIds)]),
        isNull(roleGrants.revokedAt),
        eq(accounts.status, 'active'),
      ),
    );
}
