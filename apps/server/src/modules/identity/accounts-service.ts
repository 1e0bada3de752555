import { findDepartment } from './lookups';
import {
  type AccountQuery,
  BUILT_IN_ROLES,
  type GrantCreate,
  type OrgUnitKindCode,
  type StaffCreate,
} from '@linli/contracts';
import { and, asc, desc, eq, ilike, inArray, isNull, like, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import { sessionsChanged } from '../../core/auth/session-cache';
import { revokeSessions } from '../../core/auth/sessions';
import type { RequestContext } from '../../core/context';
import type { Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize, can } from '../../core/permissions';
import { roleDefinition } from '../../core/roles';
import type { ServiceDeps } from './org-service';
import { containsPattern } from './org-service';
import { generateTemporaryPassword, hashPassword, checkPasswordPolicy } from './password';
import {
  type AccountResource,
  accountPolicy,
  accountScopePath,
  coversGrants,
  holdsAllOf,
  scopeFilterOrDistrictRoot,
} from './permissions';
import { accounts, orgUnits, roleGrants, roles } from './schema';

export interface AccountRow {
  id: string;
  kind: 'resident' | 'staff';
  username: string | null;
  displayName: string;
  phone: string | null;
  status: 'active' | 'disabled' | 'closed';
  orgUnitId: string | null;
  districtId: string;
  lastSignInAt: Date | null;
  createdAt: Date;
  totpEnabled: boolean;
  lockedUntil: Date | null;
  mustChangePassword: boolean;
  unit: {
    id: string;
    code: string;
    name: string;
    kind: OrgUnitKindCode;
    path: string;
    status: 'active' | 'retired';
  } | null;
}

export interface GrantRow {
  id: string;
  accountId: string;
  roleCode: string;
  grantedAt: Date;
  unit: {
    id: string;
    code: string;
    name: string;
    kind: OrgUnitKindCode;
    path: string;
    status: 'active' | 'retired';
  };
}

/** An account with its active (unrevoked) grants: what the detail and the rules need. */
export interface AccountView {
  account: AccountRow;
  grants: GrantRow[];
  /** The only active account holding an effective district_admin grant in its district. */
  lastActiveAdmin: boolean;
}

export interface AccountPageResult {
  rows: AccountRow[];
  roles: Map<string, string[]>;
  nextCursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Serialises every change that could remove the last district admin (revoke, disable). */
const LAST_ADMIN_LOCK = 7315003;

const accountColumns = {
  id: accounts.id,
  kind: accounts.kind,
  username: accounts.username,
  displayName: accounts.displayName,
  phone: accounts.phone,
  status: accounts.status,
  orgUnitId: accounts.orgUnitId,
  districtId: accounts.districtId,
  lastSignInAt: accounts.lastSignInAt,
  createdAt: accounts.createdAt,
  totpEnabled: accounts.totpEnabled,
  lockedUntil: accounts.lockedUntil,
  mustChangePassword: accounts.mustChangePassword,
  unit: {
    id: orgUnits.id,
    code: orgUnits.code,
    name: orgUnits.name,
    kind: orgUnits.kind,
    path: orgUnits.path,
    status: orgUnits.status,
  },
};

// ---------- queries: (db | tx, params) => rows ----------

/**
 * One page of the accounts the caller may read (accounts.read scope; residents without a home
 * community only for holders at the district root), newest first, and the roles of the page
 * in one more query.
 */
export async function listAccounts(
  db: Executor,
  ctx: RequestContext,
  q: AccountQuery,
): Promise<AccountPageResult> {
  const limit = q.limit ?? 20;
  if (q.cursor !== undefined && !UUID.test(q.cursor)) {
    throw AppError.validation([
      { field: 'querystring/cursor', message: 'is not a cursor from a previous page' },
    ]);
  }
  if (q.role !== undefined && !roleDefinition(q.role)) {
    throw AppError.validation([{ field: 'querystring/role', message: 'is not a known role' }]);
  }
  const conditions: (SQL | undefined)[] = [
    scopeFilterOrDistrictRoot(ctx.actor, 'accounts.read', accounts.orgUnitId, accounts.districtId),
    q.kind ? eq(accounts.kind, q.kind) : undefined,
    q.status ? eq(accounts.status, q.status) : undefined,
    q.cursor ? lt(accounts.id, q.cursor) : undefined,
    q.orgUnitId
      ? sql`${accounts.orgUnitId} IN (SELECT d.id FROM org_units d, org_units r WHERE r.id = ${q.orgUnitId} AND d.path LIKE r.path || '%')`
      : undefined,
    q.role
      ? sql`EXISTS (SELECT 1 FROM role_grants g WHERE g.account_id = ${accounts.id} AND g.role_code = ${q.role} AND g.revoked_at IS NULL)`
      : undefined,
  ];
  const text = q.q?.trim();
  if (text) {
    const pattern = containsPattern(text);
    const digits = text.replace(/[\s-]/g, '');
    conditions.push(
      or(
        ilike(accounts.displayName, pattern),
        ilike(accounts.username, pattern),
        /^[0-9]{3,11}$/.test(digits) ? like(accounts.phone, `%${digits}%`) : undefined,
      ),
    );
  }
  const found: AccountRow[] = await db
    .select(accountColumns)
    .from(accounts)
    .leftJoin(orgUnits, eq(orgUnits.id, accounts.orgUnitId))
    .where(and(...conditions))
    .orderBy(desc(accounts.id))
    .limit(limit + 1);
  const rows = found.slice(0, limit);
  const roleMap = new Map<string, string[]>(rows.map((r) => [r.id, []]));
  if (rows.length > 0) {
    const grants = await db
      .selectDistinct({ accountId: roleGrants.accountId, roleCode: roleGrants.roleCode })
      .from(roleGrants)
      .where(and(inArray(roleGrants.accountId, [...roleMap.keys()]), isNull(roleGrants.revokedAt)));
    for (const g of grants) roleMap.get(g.accountId)?.push(g.roleCode);
  }
  return {
    rows,
    roles: roleMap,
    nextCursor: found.length > limit ? (rows[rows.length - 1]?.id ?? null) : null,
  };
}

/** One account with its org unit; null when absent. */
export async function findAccount(db: Executor, id: string, lock = false): Promise<AccountRow | null> {
  const query = db
    .select(accountColumns)
    .from(accounts)
    .leftJoin(orgUnits, eq(orgUnits.id, accounts.orgUnitId))
    .where(eq(accounts.id, id))
    .limit(1);
  const [row] = lock ? await query.for('update', { of: accounts }) : await query;
  return row ?? null;
}

/** The account's unrevoked grants with their units, oldest first. */
export async function findGrants(db: Executor, accountId: string): Promise<GrantRow[]> {
  return db
    .select({
      id: roleGrants.id,
      accountId: roleGrants.accountId,
      roleCode: roleGrants.roleCode,
      grantedAt: roleGrants.grantedAt,
      unit: {
        id: orgUnits.id,
        code: orgUnits.code,
        name: orgUnits.name,
        kind: orgUnits.kind,
        path: orgUnits.path,
        status: orgUnits.status,
      },
    })
    .from(roleGrants)
    .innerJoin(orgUnits, eq(orgUnits.id, roleGrants.orgUnitId))
    .where(and(eq(roleGrants.accountId, accountId), isNull(roleGrants.revokedAt)))
    .orderBy(asc(roleGrants.grantedAt), asc(roleGrants.id));
}

/**
 * True when some other effective district admin exists in the district: an active account with
 * an unrevoked district_admin grant on an active unit, other than the excluded account or grant.
 */
export async function anotherActiveAdmin(
  db: Executor,
  districtId: string,
  exclude: { accountId?: string; grantId?: string },
): Promise<boolean> {
  const [row] = await db
    .select({ id: roleGrants.id })
    .from(roleGrants)
    .innerJoin(accounts, eq(accounts.id, roleGrants.accountId))
    .innerJoin(orgUnits, eq(orgUnits.id, roleGrants.orgUnitId))
    .where(
      and(
        eq(roleGrants.roleCode, 'district_admin'),
        isNull(roleGrants.revokedAt),
        eq(roleGrants.districtId, districtId),
        eq(accounts.status, 'active'),
        eq(orgUnits.status, 'active'),
        exclude.accountId ? ne(roleGrants.accountId, exclude.accountId) : undefined,
        exclude.grantId ? ne(roleGrants.id, exclude.grantId) : undefined,
      ),
    )
    .limit(1);
  return !!row;
}

const isEffectiveAdminGrant = (g: GrantRow) => g.roleCode === 'district_admin' && g.unit.status === 'active';

/** Completes an account row into the view the rules and the presenter need. */
async function completeView(db: Executor, account: AccountRow): Promise<AccountView> {
  const grants = await findGrants(db, account.id);
  const isAdmin = account.status === 'active' && grants.some(isEffectiveAdminGrant);
  const lastActiveAdmin =
    isAdmin && !(await anotherActiveAdmin(db, account.districtId, { accountId: account.id }));
  return { account, grants, lastActiveAdmin };
}

async function loadView(db: Executor, id: string): Promise<AccountView> {
  const account = await findAccount(db, id);
  if (!account) throw AppError.notFound('account');
  return completeView(db, account);
}

/** What the account rules need, from a loaded account view. */
export function accountResource(view: AccountView): AccountResource {
  const a = view.account;
  return {
    id: a.id,
    kind: a.kind,
    status: a.status,
    orgPath: accountScopePath(a.unit?.path ?? null, a.districtId),
    grants: view.grants
      .filter((g) => g.unit.status === 'active')
      .map((g) => ({ roleCode: g.roleCode, orgPath: g.unit.path })),
    lastActiveAdmin: view.lastActiveAdmin,
  };
}

const scopePath = (a: AccountRow) => accountScopePath(a.unit?.path ?? null, a.districtId);

/** Loads and locks an account, or 404 when it is absent or outside the caller's accounts.read scope. */
async function visibleAccountForUpdate(tx: Executor, ctx: RequestContext, id: string) {
  const account = await findAccount(tx, id, true);
  if (!account || !can(ctx.actor, 'accounts.read', scopePath(account))) throw AppError.notFound('account');
  return account;
}

// ---------- use cases ----------

/**
 * GET /accounts/:id. 404 outside the caller's scope. The full phone number goes only to pii.read
 * holders, and each such view writes an `account.pii_view` audit row.
 */
export async function getAccount(
  deps: ServiceDeps,
  ctx: RequestContext,
  id: string,
): Promise<{ view: AccountView; revealPhone: boolean }> {
  const account = await findAccount(deps.db, id);
  if (!account) throw AppError.notFound('account');
  authorize(ctx.actor, 'accounts.read', { orgPath: scopePath(account) }, 'account');
  const view = await completeView(deps.db, account);
  const revealPhone = !!account.phone && accountPolicy.readPii(ctx.actor, accountResource(view));
  if (revealPhone) {
    await deps.db.transaction(async (tx) => {
      await writeAudit(tx, ctx, {
        action: 'account.pii_view',
        entityType: 'account',
        entityId: account.id,
        orgUnitId: account.orgUnitId,
        districtId: account.districtId,
        note: { fields: ['phone'] },
      });
    });
  }
  return { view, revealPhone };
}

/** POST /accounts: a staff account in a unit the caller manages; returns a temporary password once. */
export async function createStaffAccount(
  deps: ServiceDeps,
  ctx: RequestContext,
  input: StaffCreate,
): Promise<{ view: AccountView; temporaryPassword: string | null }> {
  const [unit] = await deps.db.select().from(orgUnits).where(eq(orgUnits.id, input.orgUnitId)).limit(1);
  if (!unit) throw AppError.notFound('org unit');
  authorize(ctx.actor, 'accounts.manage', { orgPath: unit.path }, 'org unit');
  if (unit.status !== 'active') {
    throw AppError.conflict('org-unit-retired', `${unit.name} is retired; staff cannot be added to it.`, {
      errors: [{ field: 'body/orgUnitId', message: 'is retired', code: 'retired' }],
    });
  }
  if (input.password !== undefined) checkPasswordPolicy(input.password, input.username, 'body/password');
  if (input.departmentId) {
    const department = await findDepartment(deps.db, input.departmentId);
    if (!department || department.districtId !== unit.districtId || department.status !== 'active') {
      throw AppError.validation([
        { field: 'body/departmentId', message: 'is not a department of this district', code: 'invalid' },
      ]);
    }
  }
  const [taken] = await deps.db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.username, input.username))
    .limit(1);
  if (taken) throw usernameTaken(input.username);
  const temporaryPassword = input.password === undefined ? generateTemporaryPassword() : null;
  // Hash before the transaction: argon2 takes ~50 ms and PGlite has one connection.
  const passwordHash = await hashPassword(input.password ?? temporaryPassword!);
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    let created: { id: string } | undefined;
    try {
      [created] = await tx
        .insert(accounts)
        .values({
          districtId: unit.districtId,
          kind: 'staff',
          username: input.username,
          displayName: input.displayName,
          phone: input.phone ?? null,
          orgUnitId: unit.id,
          departmentId: input.departmentId ?? null,
          passwordHash,
          passwordChangedAt: now,
          mustChangePassword: temporaryPassword !== null,
          createdBy: ctx.actor.accountId,
        })
        .returning({ id: accounts.id });
    } catch (err) {
      const e = err as { code?: string; cause?: { code?: string } };
      if ((e.cause?.code ?? e.code) === '23505') throw usernameTaken(input.username);
      throw err;
    }
    await writeAudit(tx, ctx, {
      action: 'account.create',
      entityType: 'account',
      entityId: created!.id,
      orgUnitId: unit.id,
      districtId: unit.districtId,
      after: {
        kind: 'staff',
        username: input.username,
        displayName: input.displayName,
        phone: input.phone ?? null,
        orgUnitId: unit.id,
        mustChangePassword: temporaryPassword !== null,
      },
    });
    return created!.id;
  });
  return { view: await loadView(deps.db, id), temporaryPassword };
}

function usernameTaken(username: string) {
  return AppError.conflict('username-taken', `The username ${username} is already taken.`, {
    errors: [{ field: 'body/username', message: 'is already taken', code: 'unique' }],
  });
}

/**
 * POST /accounts/:id/grants: roles.grant over the unit, a kind the role allows, no escalation
 * (the caller holds every permission of the role there), and residents only as deliberation_rep.
 */
export async function grantRole(
  deps: ServiceDeps,
  ctx: RequestContext,
  accountId: string,
  input: GrantCreate,
): Promise<AccountView> {
  await deps.db.transaction(async (tx) => {
    const account = await visibleAccountForUpdate(tx, ctx, accountId);
    const role = roleDefinition(input.roleCode);
    if (!role) {
      throw AppError.validation(
        [{ field: 'body/roleCode', message: 'is not a known role', code: 'enum' }],
        `There is no role ${input.roleCode}.`,
      );
    }
    const [unit] = await tx.select().from(orgUnits).where(eq(orgUnits.id, input.orgUnitId)).limit(1);
    if (!unit) throw AppError.notFound('org unit');
    authorize(ctx.actor, 'roles.grant', { orgPath: unit.path }, 'org unit');
    if (unit.status !== 'active') {
      throw AppError.conflict('org-unit-retired', `${unit.name} is retired; roles cannot be granted there.`);
    }
    if (account.kind === 'resident' && role.code !== 'deliberation_rep') {
      throw AppError.unprocessable(
        'role-not-for-residents',
        'A resident can only be a deliberation representative.',
        [{ field: 'body/roleCode', message: 'must be deliberation_rep for a resident', code: 'resident' }],
      );
    }
    if (!(role.grantableAt as readonly string[]).includes(unit.kind)) {
      throw AppError.unprocessable(
        'org-unit-kind',
        `${role.name['zh-CN']} can only be granted at: ${role.grantableAt.join(', ')}.`,
        [{ field: 'body/orgUnitId', message: `must be a ${role.grantableAt.join(' or ')}`, code: 'kind' }],
      );
    }
    if (!holdsAllOf(ctx.actor, role.code, unit.path)) {
      throw AppError.forbidden(
        `You can only grant a role whose permissions you hold yourself over ${unit.name}.`,
        'grant-escalation',
      );
    }
    const [existing] = await tx
      .select({ id: roleGrants.id })
      .from(roleGrants)
      .where(
        and(
          eq(roleGrants.accountId, account.id),
          eq(roleGrants.roleCode, role.code),
          eq(roleGrants.orgUnitId, unit.id),
          isNull(roleGrants.revokedAt),
        ),
      )
      .limit(1);
    if (existing) throw grantExists(role.name['zh-CN'], unit.name);
    let grantId: string | undefined;
    try {
      const [created] = await tx
        .insert(roleGrants)
        .values({
          districtId: unit.districtId,
          accountId: account.id,
          roleCode: role.code,
          orgUnitId: unit.id,
          grantedBy: ctx.actor.accountId,
          grantedAt: deps.clock.now(),
        })
        .returning({ id: roleGrants.id });
      grantId = created?.id;
    } catch (err) {
      const e = err as { code?: string; cause?: { code?: string } };
      if ((e.cause?.code ?? e.code) === '23505') throw grantExists(role.name['zh-CN'], unit.name);
      throw err;
    }
    await writeAudit(tx, ctx, {
      action: 'account.grant',
      entityType: 'account',
      entityId: account.id,
      orgUnitId: unit.id,
      districtId: unit.districtId,
      before: { grant: null },
      after: { grant: { id: grantId, roleCode: role.code, orgUnitId: unit.id } },
    });
  });
  // After the commit: the account's cached sessions must not outlive the change.
  sessionsChanged({ accountId });
  return loadView(deps.db, accountId);
}

function grantExists(role: string, unit: string) {
  return AppError.conflict('grant-exists', `The account already holds ${role} at ${unit}.`);
}

/** POST /accounts/:id/grants/:grantId/revoke: roles.grant over the grant's unit; never the last admin. */
export async function revokeGrant(
  deps: ServiceDeps,
  ctx: RequestContext,
  accountId: string,
  grantId: string,
): Promise<AccountView> {
  await deps.db.transaction(async (tx) => {
    const account = await visibleAccountForUpdate(tx, ctx, accountId);
    const [grant] = await tx
      .select({
        id: roleGrants.id,
        roleCode: roleGrants.roleCode,
        revokedAt: roleGrants.revokedAt,
        orgUnitId: roleGrants.orgUnitId,
        unitPath: orgUnits.path,
        unitStatus: orgUnits.status,
        districtId: roleGrants.districtId,
      })
      .from(roleGrants)
      .innerJoin(orgUnits, eq(orgUnits.id, roleGrants.orgUnitId))
      .where(and(eq(roleGrants.id, grantId), eq(roleGrants.accountId, account.id)))
      .limit(1)
      .for('update', { of: roleGrants });
    if (!grant) throw AppError.notFound('grant');
    authorize(ctx.actor, 'roles.grant', { orgPath: grant.unitPath }, 'grant');
    if (grant.revokedAt) throw AppError.invalidTransition('revoked', 'revoke');
    if (grant.roleCode === 'district_admin' && account.status === 'active' && grant.unitStatus === 'active') {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${LAST_ADMIN_LOCK})`);
      if (!(await anotherActiveAdmin(tx, grant.districtId, { grantId: grant.id }))) {
        throw AppError.conflict(
          'last-admin',
          'This is the last active district administrator; grant another first.',
        );
      }
    }
    const now = deps.clock.now();
    await tx
      .update(roleGrants)
      .set({ revokedAt: now, revokedBy: ctx.actor.accountId })
      .where(eq(roleGrants.id, grant.id));
    await writeAudit(tx, ctx, {
      action: 'account.revoke_grant',
      entityType: 'account',
      entityId: account.id,
      orgUnitId: grant.orgUnitId,
      districtId: grant.districtId,
      before: { grant: { id: grant.id, roleCode: grant.roleCode, orgUnitId: grant.orgUnitId } },
      after: { grant: null },
    });
  });
  // After the commit: the account's cached sessions must not outlive the change.
  sessionsChanged({ accountId });
  return loadView(deps.db, accountId);
}

/**
 * Loads an account for a management step: accounts.manage over it (404 outside scope, 403
 * inside), and the caller must cover each of its grants (403 `grant-escalation`).
 */
async function manageableAccount(tx: Executor, ctx: RequestContext, id: string): Promise<AccountView> {
  const account = await findAccount(tx, id, true);
  if (!account) throw AppError.notFound('account');
  authorize(ctx.actor, 'accounts.manage', { orgPath: scopePath(account) }, 'account');
  const view = await completeView(tx, account);
  if (!coversGrants(ctx.actor, accountResource(view))) {
    throw AppError.forbidden('This account holds roles you do not hold yourself.', 'grant-escalation');
  }
  return view;
}

/** POST /accounts/:id/disable: not yourself, not the last district admin; signs it out everywhere. */
export async function disableAccount(
  deps: ServiceDeps,
  ctx: RequestContext,
  id: string,
): Promise<AccountView> {
  await deps.db.transaction(async (tx) => {
    const { account, grants } = await manageableAccount(tx, ctx, id);
    if (ctx.actor.accountId === account.id) {
      throw AppError.conflict('self-action', 'You cannot disable your own account.');
    }
    if (account.status !== 'active') throw AppError.invalidTransition(account.status, 'disable');
    if (grants.some(isEffectiveAdminGrant)) {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${LAST_ADMIN_LOCK})`);
      if (!(await anotherActiveAdmin(tx, account.districtId, { accountId: account.id }))) {
        throw AppError.conflict('last-admin', 'This is the last active district administrator.');
      }
    }
    await tx
      .update(accounts)
      .set({ status: 'disabled', updatedAt: deps.clock.now() })
      .where(eq(accounts.id, account.id));
    const sessionsRevoked = await revokeSessions(tx, account.id, undefined, deps.clock.now());
    await writeAudit(tx, ctx, {
      action: 'account.disable',
      entityType: 'account',
      entityId: account.id,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      before: { status: 'active' },
      after: { status: 'disabled' },
      note: { sessionsRevoked },
    });
  });
  // After the commit: the account's cached sessions must not outlive the change.
  sessionsChanged({ accountId: id });
  return loadView(deps.db, id);
}

/** POST /accounts/:id/enable. */
export async function enableAccount(
  deps: ServiceDeps,
  ctx: RequestContext,
  id: string,
): Promise<AccountView> {
  await deps.db.transaction(async (tx) => {
    const { account } = await manageableAccount(tx, ctx, id);
    // A closed (注销) account stays closed: its person is gone from it.
    if (account.status !== 'disabled') throw AppError.invalidTransition(account.status, 'enable');
    await tx
      .update(accounts)
      .set({ status: 'active', updatedAt: deps.clock.now() })
      .where(eq(accounts.id, account.id));
    await writeAudit(tx, ctx, {
      action: 'account.enable',
      entityType: 'account',
      entityId: account.id,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      before: { status: 'disabled' },
      after: { status: 'active' },
    });
  });
  // After the commit: the account's cached sessions must not outlive the change.
  sessionsChanged({ accountId: id });
  return loadView(deps.db, id);
}

/**
 * POST /accounts/:id/reset-password: staff only, not yourself (use /me/password). A new
 * temporary password is returned once; the account must change it, is unlocked and signed out.
 */
export async function resetPassword(
  deps: ServiceDeps,
  ctx: RequestContext,
  id: string,
): Promise<{ temporaryPassword: string }> {
  const temporaryPassword = generateTemporaryPassword();
  // Hash before the transaction: argon2 takes ~50 ms and PGlite has one connection.
  const passwordHash = await hashPassword(temporaryPassword);
  await deps.db.transaction(async (tx) => {
    const { account } = await manageableAccount(tx, ctx, id);
    if (account.kind !== 'staff') {
      throw AppError.unprocessable(
        'staff-only',
        'Residents sign in with a one-time code and have no password.',
      );
    }
    if (ctx.actor.accountId === account.id) {
      throw AppError.conflict('self-action', 'Change your own password with POST /me/password.');
    }
    const [before] = await tx
      .select({
        passwordHash: accounts.passwordHash,
        mustChangePassword: accounts.mustChangePassword,
        failedLogins: accounts.failedLogins,
        lockedUntil: accounts.lockedUntil,
      })
      .from(accounts)
      .where(eq(accounts.id, account.id));
    const after = { passwordHash, mustChangePassword: true, failedLogins: 0, lockedUntil: null };
    await tx
      .update(accounts)
      .set({ ...after, passwordChangedAt: deps.clock.now(), updatedAt: deps.clock.now() })
      .where(eq(accounts.id, account.id));
    const sessionsRevoked = await revokeSessions(tx, account.id, undefined, deps.clock.now());
    await writeAudit(tx, ctx, {
      action: 'account.reset_password',
      entityType: 'account',
      entityId: account.id,
      orgUnitId: account.orgUnitId,
      districtId: account.districtId,
      before: before ?? null,
      after,
      note: { sessionsRevoked },
    });
  });
  // After the commit: the account's cached sessions must not outlive the change.
  sessionsChanged({ accountId: id });
  return { temporaryPassword };
}

// ---------- roles ----------

/** GET /roles: every built-in role with the district's requireTotp setting. */
export async function listRoles(db: Executor) {
  const rows = await db.select({ code: roles.code, requireTotp: roles.requireTotp }).from(roles);
  const settings = new Map(rows.map((r) => [r.code, r.requireTotp]));
  return BUILT_IN_ROLES.map((r) => ({ code: r.code, requireTotp: settings.get(r.code) ?? false }));
}

/** PATCH /roles/:code: roles.manage over the caller's district root. */
export async function updateRole(
  deps: ServiceDeps,
  ctx: RequestContext,
  code: string,
  requireTotp: boolean,
): Promise<{ code: string; requireTotp: boolean }> {
  const role = roleDefinition(code);
  if (!role) throw AppError.notFound('role');
  const districtId = ctx.actor.districtId;
  authorize(ctx.actor, 'roles.manage', { orgPath: districtId ? `/${districtId}/` : null }, 'role');
  await deps.db.transaction(async (tx) => {
    const [current] = await tx
      .select({ requireTotp: roles.requireTotp })
      .from(roles)
      .where(eq(roles.code, role.code))
      .for('update');
    const before = current?.requireTotp ?? false;
    if (current && before === requireTotp) return;
    await tx
      .insert(roles)
      .values({ code: role.code, requireTotp, updatedAt: deps.clock.now() })
      .onConflictDoUpdate({ target: roles.code, set: { requireTotp, updatedAt: deps.clock.now() } });
    await writeAudit(tx, ctx, {
      action: 'role.update',
      entityType: 'role',
      entityId: role.code,
      orgUnitId: districtId,
      districtId,
      before: { requireTotp: before },
      after: { requireTotp },
    });
  });
  return { code: role.code, requireTotp };
}
