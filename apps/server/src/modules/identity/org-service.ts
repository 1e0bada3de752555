import type { OrgUnitCreate, OrgUnitQuery, OrgUnitRename } from '@linli/contracts';
import { and, asc, eq, ilike, inArray, like, or, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { writeAudit } from '../../core/audit';
import { orgTreeChanged } from '../../core/auth/session-cache';
import type { Clock } from '../../core/clock';
import type { RequestContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { uuidv7 } from '../../core/db/columns';
import { AppError } from '../../core/errors';
import { authorize, scopeFilter } from '../../core/permissions';
import { findPinyin, type PinyinForm, toPinyin } from '../../core/pinyin';
import { CHILD_KIND, PARENT_KIND } from './permissions';
import { orgUnits } from './schema';

/** What every identity service needs besides the request context. */
export interface ServiceDeps {
  db: Db;
  clock: Clock;
}

export type OrgUnitRow = typeof orgUnits.$inferSelect;
export interface OrgUnitListRow {
  unit: OrgUnitRow;
  childCount: number;
}
export interface OrgUnitDetailView {
  unit: OrgUnitRow;
  parentStatus: 'active' | 'retired' | null;
  activeChildCount: number;
  /** From the district root down to the parent. */
  ancestors: Pick<OrgUnitRow, 'id' | 'code' | 'name' | 'kind'>[];
}

/** `%q%` for LIKE/ILIKE with the wildcards of `q` escaped. */
export const containsPattern = (q: string) => `%${q.replace(/[\\%_]/g, '\\$&')}%`;

const isUniqueViolation = (err: unknown) => {
  const e = err as { code?: string; cause?: { code?: string } };
  return (e.cause?.code ?? e.code) === '23505';
};

/** Pinyin of unit names, computed once per name (the tree has hundreds of names, rarely renamed). */
const pinyinOfName = new Map<string, PinyinForm>();
const PINYIN_QUERY = /^[a-z][a-z' ]*$/i;

/**
 * The units whose name a Latin query spells in pinyin or its initials (`hanlin`, `han lin`,
 * `hlsq` → 翰林社区), as the service-guide search does for items. Empty for other queries.
 */
async function unitsSpelled(db: Executor, text: string): Promise<string[]> {
  if (!PINYIN_QUERY.test(text)) return [];
  const q = text.toLowerCase().replace(/[' ]/g, '');
  if (q.length < 2) return [];
  const rows = await db.select({ id: orgUnits.id, name: orgUnits.name }).from(orgUnits);
  return rows
    .filter((r) => {
      let py = pinyinOfName.get(r.name);
      if (!py) {
        py = toPinyin(r.name);
        if (pinyinOfName.size > 20_000) pinyinOfName.clear();
        pinyinOfName.set(r.name, py);
      }
      return findPinyin(py, q) !== undefined || py.initials.startsWith(q);
    })
    .map((r) => r.id);
}

// ---------- queries: (db | tx, params) => rows ----------

/**
 * The org tree for pickers and the console. Names and codes are public; retired units are only
 * listed for callers holding org.read over them, and `scope=mine` keeps to the caller's org.read
 * subtrees. `childCount` comes from one grouped subquery (no query per row).
 */
export async function listOrgUnits(
  db: Executor,
  ctx: RequestContext,
  q: OrgUnitQuery,
): Promise<OrgUnitListRow[]> {
  const readable = scopeFilter(ctx.actor, 'org.read', orgUnits.id);
  const withRetired = q.includeRetired === true;
  const children = db
    .select({
      parentId: orgUnits.parentId,
      active: sql<number>`count(*) FILTER (WHERE ${orgUnits.status} = 'active')`.as('active_children'),
      total: sql<number>`count(*)`.as('all_children'),
    })
    .from(orgUnits)
    .where(sql`${orgUnits.parentId} IS NOT NULL`)
    .groupBy(orgUnits.parentId)
    .as('children');
  const conditions: (SQL | undefined)[] = [
    withRetired ? or(eq(orgUnits.status, 'active'), readable) : eq(orgUnits.status, 'active'),
    q.parentId ? eq(orgUnits.parentId, q.parentId) : undefined,
    q.kind ? eq(orgUnits.kind, q.kind) : undefined,
    q.scope === 'mine' ? readable : undefined,
  ];
  const text = q.q?.trim();
  if (text) {
    const pattern = containsPattern(text);
    const spelled = await unitsSpelled(db, text);
    conditions.push(
      or(
        ilike(orgUnits.name, pattern),
        ilike(orgUnits.fullName, pattern),
        ilike(orgUnits.code, pattern),
        spelled.length ? inArray(orgUnits.id, spelled) : undefined,
      ),
    );
  }
  // Retired children count only where the caller may see retired units (org.read over the parent).
  const childCount = withRetired
    ? sql<number>`coalesce(CASE WHEN ${readable} THEN ${children.total} ELSE ${children.active} END, 0)::int`
    : sql<number>`coalesce(${children.active}, 0)::int`;
  const rows = await db
    .select({ unit: orgUnits, childCount })
    .from(orgUnits)
    .leftJoin(children, eq(children.parentId, orgUnits.id))
    .where(and(...conditions))
    .orderBy(asc(orgUnits.sort), asc(orgUnits.code))
    .limit(q.limit ?? 200);
  return rows.map((r) => ({ unit: r.unit, childCount: Number(r.childCount) }));
}

const parentUnit = alias(orgUnits, 'parent_unit');

/** One unit with its parent's status and its count of active children; null when absent. */
export async function findOrgUnit(db: Executor, id: string) {
  const [row] = await db
    .select({
      unit: orgUnits,
      parentStatus: parentUnit.status,
      activeChildCount: sql<number>`(SELECT count(*)::int FROM org_units c WHERE c.parent_id = ${orgUnits.id} AND c.status = 'active')`,
    })
    .from(orgUnits)
    .leftJoin(parentUnit, eq(parentUnit.id, orgUnits.parentId))
    .where(eq(orgUnits.id, id))
    .limit(1);
  return row ? { ...row, activeChildCount: Number(row.activeChildCount) } : null;
}

/** The unit's ancestors, district first, in one query over the ids its path names. */
export async function findAncestors(db: Executor, unit: Pick<OrgUnitRow, 'id' | 'path'>) {
  const ids = unit.path.split('/').filter((s) => s && s !== unit.id);
  if (ids.length === 0) return [];
  return db
    .select({ id: orgUnits.id, code: orgUnits.code, name: orgUnits.name, kind: orgUnits.kind })
    .from(orgUnits)
    .where(inArray(orgUnits.id, ids))
    .orderBy(asc(orgUnits.depth));
}

/** Reads and row-locks one unit inside a transaction. */
async function lockOrgUnit(tx: Executor, id: string, mode: 'update' | 'share' = 'update') {
  const [row] = await tx.select().from(orgUnits).where(eq(orgUnits.id, id)).limit(1).for(mode);
  return row ?? null;
}

async function countActiveChildren(tx: Executor, id: string) {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(orgUnits)
    .where(and(eq(orgUnits.parentId, id), eq(orgUnits.status, 'active')));
  return Number(row?.n ?? 0);
}

// ---------- use cases ----------

/** GET /org-units/:id: public. 404 when there is no such unit. */
export async function getOrgUnitDetail(db: Executor, id: string): Promise<OrgUnitDetailView> {
  const found = await findOrgUnit(db, id);
  if (!found) throw AppError.notFound('org unit');
  const ancestors = await findAncestors(db, found.unit);
  return {
    unit: found.unit,
    parentStatus: found.parentStatus ?? null,
    activeChildCount: found.activeChildCount,
    ancestors,
  };
}

const auditedFields = (u: OrgUnitRow) => ({
  code: u.code,
  name: u.name,
  fullName: u.fullName,
  kind: u.kind,
  subtype: u.subtype,
  address: u.address,
  parentId: u.parentId,
  path: u.path,
  status: u.status,
  retiredAt: u.retiredAt,
  retiredReason: u.retiredReason,
});

/** POST /org-units: a unit of the next level under an active parent the caller manages. */
export async function createOrgUnit(
  deps: ServiceDeps,
  ctx: RequestContext,
  input: OrgUnitCreate,
): Promise<OrgUnitDetailView> {
  const id = uuidv7();
  await deps.db.transaction(async (tx) => {
    const parent = await lockOrgUnit(tx, input.parentId, 'share');
    if (!parent) throw AppError.notFound('org unit');
    authorize(ctx.actor, 'org.manage', { orgPath: parent.path }, 'org unit');
    const expected = CHILD_KIND[parent.kind];
    if (input.kind !== expected) {
      throw AppError.unprocessable(
        'org-unit-kind',
        expected
          ? `A ${parent.kind} can only hold units of kind ${expected}.`
          : `A ${parent.kind} cannot hold other units.`,
        [
          {
            field: 'body/kind',
            message: expected ? `must be ${expected}` : 'no kind fits here',
            code: 'kind',
          },
        ],
      );
    }
    if (parent.status !== 'active') {
      throw AppError.conflict('org-unit-retired', `${parent.name} is retired; reinstate it first.`);
    }
    const [taken] = await tx
      .select({ id: orgUnits.id })
      .from(orgUnits)
      .where(eq(orgUnits.code, input.code))
      .limit(1);
    if (taken) throw codeTaken(input.code);
    const [last] = await tx
      .select({ sort: sql<number>`coalesce(max(${orgUnits.sort}), -1)::int` })
      .from(orgUnits)
      .where(eq(orgUnits.parentId, parent.id));
    const row = {
      id,
      districtId: parent.districtId,
      parentId: parent.id,
      code: input.code,
      name: input.name,
      fullName: input.fullName ?? null,
      kind: input.kind,
      subtype: input.subtype ?? null,
      address: input.address ?? null,
      path: `${parent.path}${id}/`,
      depth: parent.depth + 1,
      sort: Number(last?.sort ?? -1) + 1,
    };
    try {
      await tx.insert(orgUnits).values(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw codeTaken(input.code);
      throw err;
    }
    await writeAudit(tx, ctx, {
      action: 'org_unit.create',
      entityType: 'org_unit',
      entityId: id,
      orgUnitId: id,
      districtId: parent.districtId,
      after: {
        code: row.code,
        name: row.name,
        fullName: row.fullName,
        kind: row.kind,
        subtype: row.subtype,
        address: row.address,
        parentId: row.parentId,
        path: row.path,
        status: 'active',
      },
    });
  });
  // After the commit: grants carry unit paths and need an active unit; re-read every session.
  orgTreeChanged();
  return getOrgUnitDetail(deps.db, id);
}

function codeTaken(code: string) {
  return AppError.conflict('org-unit-code-taken', `The code ${code} is already used by another unit.`, {
    errors: [{ field: 'body/code', message: 'is already taken', code: 'unique' }],
  });
}

/** PATCH /org-units/:id: rename (name and official full name). */
export async function renameOrgUnit(
  deps: ServiceDeps,
  ctx: RequestContext,
  id: string,
  input: OrgUnitRename,
): Promise<OrgUnitDetailView> {
  await deps.db.transaction(async (tx) => {
    const unit = await lockOrgUnit(tx, id);
    if (!unit) throw AppError.notFound('org unit');
    authorize(ctx.actor, 'org.manage', { orgPath: unit.path }, 'org unit');
    const next = {
      name: input.name,
      fullName: input.fullName === undefined ? unit.fullName : input.fullName,
    };
    if (next.name === unit.name && next.fullName === unit.fullName) return;
    await updateAudited(tx, ctx, unit, 'org_unit.rename', { ...next, updatedAt: deps.clock.now() });
  });
  // After the commit: grants carry unit paths and need an active unit; re-read every session.
  orgTreeChanged();
  return getOrgUnitDetail(deps.db, id);
}

/** Updates one unit's own columns and writes the audit row with before → after: one step of the service. */
async function updateAudited(
  tx: Executor,
  ctx: RequestContext,
  unit: OrgUnitRow,
  action: string,
  changes: Partial<typeof orgUnits.$inferInsert>,
) {
  const [after] = await tx.update(orgUnits).set(changes).where(eq(orgUnits.id, unit.id)).returning();
  await writeAudit(tx, ctx, {
    action,
    entityType: 'org_unit',
    entityId: unit.id,
    orgUnitId: unit.id,
    districtId: unit.districtId,
    before: auditedFields(unit),
    after: auditedFields(after!),
  });
}

/**
 * POST /org-units/:id/move: re-parents a unit under a unit of the level above, which the caller
 * must manage as well. The paths of the whole subtree are rewritten by one UPDATE.
 */
export async function moveOrgUnit(
  deps: ServiceDeps,
  ctx: RequestContext,
  id: string,
  parentId: string,
): Promise<OrgUnitDetailView> {
  await deps.db.transaction(async (tx) => {
    const unit = await lockOrgUnit(tx, id);
    if (!unit) throw AppError.notFound('org unit');
    authorize(ctx.actor, 'org.manage', { orgPath: unit.path }, 'org unit');
    if (unit.kind === 'district' || unit.parentId === null) {
      throw AppError.conflict('org-unit-root', 'The district root cannot be moved.');
    }
    const parent = await lockOrgUnit(tx, parentId, 'share');
    if (!parent) throw AppError.notFound('org unit');
    authorize(ctx.actor, 'org.manage', { orgPath: parent.path }, 'org unit');
    if (parent.path.startsWith(unit.path)) {
      throw AppError.unprocessable(
        'org-unit-cycle',
        'A unit cannot move under itself or its own descendants.',
        [{ field: 'body/parentId', message: 'is the unit itself or one of its descendants', code: 'cycle' }],
      );
    }
    const expected = PARENT_KIND[unit.kind];
    if (parent.kind !== expected) {
      throw AppError.unprocessable('org-unit-kind', `A ${unit.kind} can only sit under a ${expected}.`, [
        { field: 'body/parentId', message: `must be a ${expected}`, code: 'kind' },
      ]);
    }
    if (parent.districtId !== unit.districtId) {
      throw AppError.unprocessable('unprocessable', 'Units cannot move between districts.', [
        { field: 'body/parentId', message: 'is in another district', code: 'district' },
      ]);
    }
    if (parent.status !== 'active') {
      throw AppError.conflict('org-unit-retired', `${parent.name} is retired; reinstate it first.`);
    }
    if (unit.parentId === parent.id) return;
    const newPath = `${parent.path}${unit.id}/`;
    // The whole subtree in one statement: swap the path prefix, shift depth, re-point the root.
    const moved = await tx
      .update(orgUnits)
      .set({
        path: sql`${newPath} || substr(${orgUnits.path}, ${unit.path.length + 1})`,
        depth: sql`${orgUnits.depth} + ${parent.depth + 1 - unit.depth}`,
        parentId: sql`CASE WHEN ${orgUnits.id} = ${unit.id} THEN ${parent.id}::uuid ELSE ${orgUnits.parentId} END`,
        updatedAt: deps.clock.now(),
      })
      .where(like(orgUnits.path, `${unit.path}%`))
      .returning({ id: orgUnits.id });
    await writeAudit(tx, ctx, {
      action: 'org_unit.move',
      entityType: 'org_unit',
      entityId: id,
      orgUnitId: id,
      districtId: unit.districtId,
      before: { parentId: unit.parentId, path: unit.path },
      after: { parentId: parent.id, path: newPath },
      note: { descendantsMoved: moved.length - 1 },
    });
  });
  // After the commit: grants carry unit paths and need an active unit; re-read every session.
  orgTreeChanged();
  return getOrgUnitDetail(deps.db, id);
}

/** POST /org-units/:id/retire: never a hard delete; refused while active children remain. */
export async function retireOrgUnit(
  deps: ServiceDeps,
  ctx: RequestContext,
  id: string,
  reason: string,
): Promise<OrgUnitDetailView> {
  await deps.db.transaction(async (tx) => {
    const unit = await lockOrgUnit(tx, id);
    if (!unit) throw AppError.notFound('org unit');
    authorize(ctx.actor, 'org.manage', { orgPath: unit.path }, 'org unit');
    if (unit.kind === 'district' || unit.parentId === null) {
      throw AppError.conflict('org-unit-root', 'The district root cannot be retired.');
    }
    if (unit.status === 'retired') throw AppError.invalidTransition('retired', 'retire');
    const activeChildren = await countActiveChildren(tx, id);
    if (activeChildren > 0) {
      throw AppError.conflict(
        'org-unit-has-children',
        `${unit.name} still has ${activeChildren} active child unit(s); retire or move them first.`,
        { activeChildren },
      );
    }
    const now = deps.clock.now();
    await updateAudited(tx, ctx, unit, 'org_unit.retire', {
      status: 'retired',
      retiredAt: now,
      retiredReason: reason,
      updatedAt: now,
    });
  });
  // After the commit: grants carry unit paths and need an active unit; re-read every session.
  orgTreeChanged();
  return getOrgUnitDetail(deps.db, id);
}

/** POST /org-units/:id/reinstate: a retired unit comes back, if its parent is active. */
export async function reinstateOrgUnit(
  deps: ServiceDeps,
  ctx: RequestContext,
  id: string,
): Promise<OrgUnitDetailView> {
  await deps.db.transaction(async (tx) => {
    const unit = await lockOrgUnit(tx, id);
    if (!unit) throw AppError.notFound('org unit');
    authorize(ctx.actor, 'org.manage', { orgPath: unit.path }, 'org unit');
    if (unit.status === 'active') throw AppError.invalidTransition('active', 'reinstate');
    const parent = unit.parentId ? await lockOrgUnit(tx, unit.parentId, 'share') : null;
    if (parent && parent.status !== 'active') {
      throw AppError.conflict(
        'org-unit-retired',
        `The parent unit ${parent.name} is retired; reinstate it first.`,
      );
    }
    await updateAudited(tx, ctx, unit, 'org_unit.reinstate', {
      status: 'active',
      retiredAt: null,
      retiredReason: null,
      updatedAt: deps.clock.now(),
    });
  });
  // After the commit: grants carry unit paths and need an active unit; re-read every session.
  orgTreeChanged();
  return getOrgUnitDetail(deps.db, id);
}
