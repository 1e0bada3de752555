import type { CaseStatus } from '@linli/contracts';
import { and, asc, desc, eq, getTableColumns, gte, inArray, lte, not, type SQL, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../core/db/client';
import type { OrgUnitInfo } from '../identity/lookups';
import { accounts, departments, orgUnits } from '../identity/schema';
import {
  type CaseRow,
  caseCategories,
  caseFollowers,
  caseHistory,
  casePhotos,
  caseRoutingRules,
  caseSlaCards,
  cases,
  orgUnitBoundaries,
  squadMembers,
  squads,
} from './schema';
import { OPEN_STATES, RUNNING_STATES } from './workflow';

/** Plain reads and writes of the case tables: `(db | tx, params) => rows`. */

// Categories and routing rules.

export async function listCategories(db: Executor, districtId: string) {
  return db
    .select()
    .from(caseCategories)
    .where(eq(caseCategories.districtId, districtId))
    .orderBy(asc(caseCategories.sort), asc(caseCategories.code));
}

export async function findCategory(db: Executor, districtId: string, code: string) {
  const [row] = await db
    .select()
    .from(caseCategories)
    .where(and(eq(caseCategories.districtId, districtId), eq(caseCategories.code, code)))
    .limit(1);
  return row ?? null;
}

/** Prepared statements are per database object (its connection pool or PGlite instance). */
function preparedPer<T>(build: (db: Db) => T): (db: Db) => T {
  const made = new WeakMap<Db, T>();
  return (db) => {
    let p = made.get(db);
    if (!p) {
      p = build(db);
      made.set(db, p);
    }
    return p;
  };
}

const categoryWithRuleQuery = preparedPer((db) =>
  db
    .select({ category: caseCategories, rule: caseRoutingRules })
    .from(caseCategories)
    .leftJoin(
      caseRoutingRules,
      eq(
        caseRoutingRules.id,
        sql`(SELECT r.id FROM case_routing_rules r WHERE r.district_id = ${sql.placeholder('district')}
          AND r.category_code IN (${sql.placeholder('p1')}, ${sql.placeholder('p2')}, ${sql.placeholder('p3')}, ${sql.placeholder('p4')})
          ORDER BY length(r.category_code) DESC LIMIT 1)`,
      ),
    )
    .where(
      and(
        eq(caseCategories.districtId, sql.placeholder('district')),
        eq(caseCategories.code, sql.placeholder('code')),
      ),
    )
    .limit(1)
    .prepare('case_category_with_rule'),
);

/**
 * A category and the routing rule that applies to it (the longest matching prefix), in one
 * prepared statement: a report reads both before its transaction. `code` has four digits.
 */
export async function findCategoryWithRule(db: Db, districtId: string, code: string) {
  const [row] = await categoryWithRuleQuery(db).execute({
    district: districtId,
    code,
    p1: code.slice(0, 1),
    p2: code.slice(0, 2),
    p3: code.slice(0, 3),
    p4: code.slice(0, 4),
  });
  return row ? { category: row.category, rule: row.rule } : null;
}

export async function listRules(db: Executor, districtId: string) {
  return db
    .select()
    .from(caseRoutingRules)
    .where(eq(caseRoutingRules.districtId, districtId))
    .orderBy(asc(caseRoutingRules.categoryCode));
}

/** The rule of the longest code prefix of `code` (`0501` → `0501`, else `05`). */
export async function ruleFor(db: Executor, districtId: string, code: string) {
  const prefixes = Array.from({ length: code.length }, (_, i) => code.slice(0, i + 1));
  const [row] = await db
    .select()
    .from(caseRoutingRules)
    .where(and(eq(caseRoutingRules.districtId, districtId), inArray(caseRoutingRules.categoryCode, prefixes)))
    .orderBy(desc(sql`length(${caseRoutingRules.categoryCode})`))
    .limit(1);
  return row ?? null;
}

// Squads.

const activeSquadQuery = preparedPer((db) =>
  db
    .select()
    .from(squads)
    .where(and(eq(squads.orgUnitId, sql.placeholder('community')), eq(squads.status, 'active')))
    .orderBy(asc(squads.id))
    .limit(1)
    .prepare('case_active_squad'),
);

/** The community's active squad (a prepared statement: every squad category's report asks). */
export async function activeSquadOf(db: Db, communityId: string) {
  const [row] = await activeSquadQuery(db).execute({ community: communityId });
  return row ?? null;
}

export async function findSquad(db: Executor, id: string) {
  const [row] = await db.select().from(squads).where(eq(squads.id, id)).limit(1);
  return row ?? null;
}

/** The squads an account is an active member of. */
export async function squadIdsOf(db: Executor, accountId: string): Promise<Set<string>> {
  const rows = await db
    .select({ id: squadMembers.squadId })
    .from(squadMembers)
    .where(and(eq(squadMembers.accountId, accountId), eq(squadMembers.active, true)));
  return new Set(rows.map((r) => r.id));
}

/** The district's squads, within `visible` (core `scopeFilter` over `squads.orgUnitId`) when given. */
export async function listSquads(db: Executor, districtId: string, visible?: SQL) {
  return db
    .select()
    .from(squads)
    .where(and(eq(squads.districtId, districtId), visible))
    .orderBy(asc(squads.name));
}

export async function membersOf(db: Executor, squadIds: string[]) {
  if (squadIds.length === 0) return [];
  return db
    .select({
      squadId: squadMembers.squadId,
      accountId: squadMembers.accountId,
      duty: squadMembers.duty,
      active: squadMembers.active,
      displayName: accounts.displayName,
    })
    .from(squadMembers)
    .innerJoin(accounts, eq(accounts.id, squadMembers.accountId))
    .where(inArray(squadMembers.squadId, squadIds))
    .orderBy(asc(squadMembers.id));
}

// Cases.

export async function findCase(db: Executor, id: string): Promise<CaseRow | null> {
  const [row] = await db.select().from(cases).where(eq(cases.id, id)).limit(1);
  return row ?? null;
}

export async function insertCase(tx: Executor, values: typeof cases.$inferInsert) {
  const [row] = await tx.insert(cases).values(values).returning();
  return row!;
}

/** The race-safe step: updates only while the case is still in `from`; null otherwise. */
export async function updateFromStatus(
  tx: Executor,
  id: string,
  from: CaseStatus,
  set: Partial<typeof cases.$inferInsert>,
): Promise<CaseRow | null> {
  const [row] = await tx
    .update(cases)
    .set(set)
    .where(and(eq(cases.id, id), eq(cases.status, from)))
    .returning();
  return row ?? null;
}

export async function insertHistory(tx: Executor, values: typeof caseHistory.$inferInsert) {
  const [row] = await tx.insert(caseHistory).values(values).returning({ id: caseHistory.id });
  return row!.id;
}

export async function insertPhotos(tx: Executor, rows: (typeof casePhotos.$inferInsert)[]) {
  if (rows.length) await tx.insert(casePhotos).values(rows);
}

export async function photosOf(db: Executor, caseId: string) {
  return db
    .select()
    .from(casePhotos)
    .where(eq(casePhotos.caseId, caseId))
    .orderBy(asc(casePhotos.createdAt), asc(casePhotos.id));
}

export async function findPhoto(db: Executor, caseId: string, photoId: string) {
  const [row] = await db
    .select()
    .from(casePhotos)
    .where(and(eq(casePhotos.caseId, caseId), eq(casePhotos.id, photoId)))
    .limit(1);
  return row ?? null;
}

export async function historyOf(db: Executor, caseId: string) {
  return db
    .select()
    .from(caseHistory)
    .where(eq(caseHistory.caseId, caseId))
    .orderBy(asc(caseHistory.at), asc(caseHistory.id));
}

export async function isFollowing(db: Executor, caseId: string, accountId: string): Promise<boolean> {
  const [row] = await db
    .select({ caseId: caseFollowers.caseId })
    .from(caseFollowers)
    .where(and(eq(caseFollowers.caseId, caseId), eq(caseFollowers.accountId, accountId)))
    .limit(1);
  return !!row;
}

export async function addFollower(tx: Executor, caseId: string, accountId: string, at: Date) {
  const rows = await tx
    .insert(caseFollowers)
    .values({ caseId, accountId, createdAt: at })
    .onConflictDoNothing()
    .returning({ caseId: caseFollowers.caseId });
  return rows.length > 0;
}

export async function followerIds(db: Executor, caseId: string): Promise<string[]> {
  const rows = await db
    .select({ id: caseFollowers.accountId })
    .from(caseFollowers)
    .where(eq(caseFollowers.caseId, caseId));
  return rows.map((r) => r.id);
}

/** The follower count of a case, as a correlated subquery (no extra round trip per page). */
export const followerCount = sql<number>`(SELECT count(*)::int FROM case_followers f WHERE f.case_id = "cases"."id")`;

export interface CaseCursor {
  rank: number;
  id: string;
}

/** A page row: the case, its category, squad and department names and its follower count. */
export interface CaseListRow {
  c: CaseRow;
  categoryName: string | null;
  squadName: string | null;
  departmentName: string | null;
  followers: number;
  rank: number;
}

/** The three bands of the dispatch board, as predicates an index can serve (see listCases). */
const NEW_STATES = ['reported', 'registered'] as const;
export type BoardBand = 0 | 1 | 2;
function bandWhere(band: BoardBand, now: Date): SQL {
  const running = inArray(cases.status, RUNNING_STATES);
  const overdue = and(running, sql`${cases.dueAt} < ${now.toISOString()}::timestamptz`)!;
  if (band === 2) return overdue;
  if (band === 1) return and(inArray(cases.status, [...NEW_STATES]), not(overdue))!;
  return and(not(inArray(cases.status, [...NEW_STATES])), not(overdue))!;
}

/**
 * One page of a list; one row more than asked. Ranked lists (the dispatch board) show overdue
 * cases first (band 2), then new ones waiting for 立案 or 派遣 (band 1), then the rest (band 0),
 * newest first within a band. Category and squad names are joined in: a page is one query.
 *
 * The board is one UNION ALL of the bands, each `ORDER BY id DESC LIMIT n+1` under its own
 * predicate, then merged. Sorting every case in scope by a computed rank took seconds at a
 * million cases (bench/cases.ts); a band walks the id index (or the org unit + status index)
 * and stops after n+1 rows. `bands` narrows the board (the overdue filter is band 2 alone).
 */
export async function listCases(
  db: Executor,
  p: {
    where: SQL[];
    now: Date;
    after?: CaseCursor;
    limit: number;
    ranked: boolean;
    bands?: readonly BoardBand[];
  },
): Promise<CaseListRow[]> {
  const base = () =>
    db
      .select({
        c: cases,
        categoryName: caseCategories.name,
        squadName: squads.name,
        departmentName: departments.name,
        followers: followerCount,
      })
      .from(cases)
      .leftJoin(
        caseCategories,
        and(eq(caseCategories.districtId, cases.districtId), eq(caseCategories.code, cases.categoryCode)),
      )
      .leftJoin(squads, eq(squads.id, cases.squadId))
      .leftJoin(departments, eq(departments.id, cases.departmentId));

  if (!p.ranked) {
    const where = [...p.where];
    if (p.after) where.push(sql`${cases.id} < ${p.after.id}::uuid`);
    const rows = await base()
      .where(and(...where))
      .orderBy(desc(cases.id))
      .limit(p.limit + 1);
    return rows.map((r) => ({ ...r, rank: 0 }));
  }
  const after = p.after;
  const bands = ([2, 1, 0] as const).filter(
    (b) => (!p.bands || p.bands.includes(b)) && (!after || b <= after.rank),
  );
  if (bands.length === 0) return [];
  // First the page's ids, band by band (each part stops after n+1 rows), then the rows.
  const parts = bands.map((band) => {
    const where = [...p.where, bandWhere(band, p.now)];
    if (after && band === after.rank) where.push(sql`${cases.id} < ${after.id}::uuid`);
    return sql`(SELECT ${cases.id} AS id, ${sql.raw(String(band))} AS rank FROM ${cases} WHERE ${and(...where)} ORDER BY ${cases.id} DESC LIMIT ${p.limit + 1})`;
  });
  const page = await db.execute<{ id: string; rank: number }>(
    sql`SELECT id, rank FROM (${sql.join(parts, sql` UNION ALL `)}) board ORDER BY rank DESC, id DESC LIMIT ${p.limit + 1}`,
  );
  const ids = rowsOf<{ id: string; rank: number }>(page);
  if (ids.length === 0) return [];
  const rows = await base().where(
    inArray(
      cases.id,
      ids.map((r) => r.id),
    ),
  );
  const byId = new Map(rows.map((r) => [r.c.id, r]));
  return ids.flatMap((r) => {
    const row = byId.get(r.id);
    return row ? [{ ...row, rank: Number(r.rank) }] : [];
  });
}

/** A row of the export: the case, its unit, and the names the sheet shows. */
export interface CaseExportRow {
  c: CaseRow;
  unit: OrgUnitInfo;
  categoryName: string | null;
  squadName: string | null;
  departmentName: string | null;
  reporterName: string | null;
  handlerName: string | null;
}

/**
 * The whole board for an export, in the board's order, in one statement: the bands' ids (each
 * walking its index and stopping after `limit`), merged and cut to `limit`, joined to the rows and
 * everything the sheet shows (issue #15: not the list query again per 200-row page).
 */
export async function exportCaseRows(
  db: Executor,
  p: { where: SQL[]; now: Date; limit: number; bands?: readonly BoardBand[] },
): Promise<CaseExportRow[]> {
  const bands = ([2, 1, 0] as const).filter((b) => !p.bands || p.bands.includes(b));
  if (bands.length === 0) return [];
  const parts = bands.map(
    (band) =>
      sql`(SELECT ${cases.id} AS id, ${sql.raw(String(band))} AS rank FROM ${cases} WHERE ${and(...p.where, bandWhere(band, p.now))} ORDER BY ${cases.id} DESC LIMIT ${p.limit})`,
  );
  const board = sql`(SELECT id, rank FROM (${sql.join(parts, sql` UNION ALL `)}) b ORDER BY rank DESC, id DESC LIMIT ${p.limit}) AS board`;
  const rows = await db
    .select({
      c: cases,
      categoryName: caseCategories.name,
      squadName: squads.name,
      departmentName: departments.name,
      unit: {
        id: orgUnits.id,
        districtId: orgUnits.districtId,
        code: orgUnits.code,
        name: orgUnits.name,
        kind: orgUnits.kind,
        status: orgUnits.status,
        path: orgUnits.path,
      },
      reporterName: sql<
        string | null
      >`(SELECT a.display_name FROM accounts a WHERE a.id = "cases"."reporter_id")`,
      handlerName: sql<
        string | null
      >`(SELECT a.display_name FROM accounts a WHERE a.id = "cases"."handler_id")`,
    })
    .from(cases)
    .innerJoin(board, sql`board.id = ${cases.id}`)
    .innerJoin(orgUnits, eq(orgUnits.id, cases.orgUnitId))
    .leftJoin(
      caseCategories,
      and(eq(caseCategories.districtId, cases.districtId), eq(caseCategories.code, cases.categoryCode)),
    )
    .leftJoin(squads, eq(squads.id, cases.squadId))
    .leftJoin(departments, eq(departments.id, cases.departmentId))
    .orderBy(sql`board.rank DESC`, desc(cases.id));
  return rows;
}

/** `db.execute` answers an array on PGlite and `{ rows }` on node-postgres. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** Open cases of a category inside a lat/lng box (the caller filters by exact distance). */
export async function openCasesInBox(
  db: Executor,
  p: {
    /** Which cases the caller may see (core `visibleFilter`). */
    visible: SQL;
    districtId: string;
    categoryCode: string;
    minLat: number;
    maxLat: number;
    minLng: number;
    maxLng: number;
  },
) {
  return db
    .select({ c: cases, categoryName: caseCategories.name, followers: followerCount })
    .from(cases)
    .leftJoin(
      caseCategories,
      and(eq(caseCategories.districtId, cases.districtId), eq(caseCategories.code, cases.categoryCode)),
    )
    .where(
      and(
        p.visible,
        eq(cases.districtId, p.districtId),
        eq(cases.categoryCode, p.categoryCode),
        inArray(cases.status, [...OPEN_STATES]),
        gte(cases.lat, p.minLat),
        lte(cases.lat, p.maxLat),
        gte(cases.lng, p.minLng),
        lte(cases.lng, p.maxLng),
      ),
    )
    .limit(50);
}

// Boundaries and places.

/** Boundaries whose bounding box holds the point, every level, coarsest first. */
/** Boundaries whose box holds the point, with each unit's parent (to tell a community's grids). */
export async function boundaryCandidates(db: Executor, districtId: string, lng: number, lat: number) {
  return db
    .select({
      ...getTableColumns(orgUnitBoundaries),
      parentId: orgUnits.parentId,
      code: orgUnits.code,
      name: orgUnits.name,
      kind: orgUnits.kind,
    })
    .from(orgUnitBoundaries)
    .innerJoin(orgUnits, eq(orgUnits.id, orgUnitBoundaries.orgUnitId))
    .where(
      and(
        eq(orgUnitBoundaries.districtId, districtId),
        lte(orgUnitBoundaries.minLng, lng),
        gte(orgUnitBoundaries.maxLng, lng),
        lte(orgUnitBoundaries.minLat, lat),
        gte(orgUnitBoundaries.maxLat, lat),
      ),
    )
    .orderBy(asc(orgUnitBoundaries.depth), asc(orgUnitBoundaries.orgUnitId));
}

/** Boundaries of the active units of one kind in a subtree (by materialised path), by code. */
export async function boundariesUnder(
  db: Executor,
  path: string,
  kind: 'town' | 'community' | 'grid',
  limit: number,
) {
  return db
    .select({
      row: orgUnitBoundaries,
      unit: {
        id: orgUnits.id,
        districtId: orgUnits.districtId,
        code: orgUnits.code,
        name: orgUnits.name,
        kind: orgUnits.kind,
        status: orgUnits.status,
        path: orgUnits.path,
      },
    })
    .from(orgUnitBoundaries)
    .innerJoin(orgUnits, eq(orgUnits.id, orgUnitBoundaries.orgUnitId))
    .where(
      and(sql`${orgUnits.path} LIKE ${`${path}%`}`, eq(orgUnits.kind, kind), eq(orgUnits.status, 'active')),
    )
    .orderBy(asc(orgUnits.code))
    .limit(limit);
}

export async function hasDistrictBoundary(db: Executor, districtId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: orgUnitBoundaries.orgUnitId })
    .from(orgUnitBoundaries)
    .where(and(eq(orgUnitBoundaries.districtId, districtId), eq(orgUnitBoundaries.depth, 0)))
    .limit(1);
  return !!row;
}

export async function findBoundary(db: Executor, orgUnitId: string) {
  const [row] = await db
    .select()
    .from(orgUnitBoundaries)
    .where(eq(orgUnitBoundaries.orgUnitId, orgUnitId))
    .limit(1);
  return row ?? null;
}

export async function upsertBoundary(tx: Executor, values: typeof orgUnitBoundaries.$inferInsert) {
  const { orgUnitId: _id, ...rest } = values;
  await tx
    .insert(orgUnitBoundaries)
    .values(values)
    .onConflictDoUpdate({ target: orgUnitBoundaries.orgUnitId, set: rest });
}

export async function countBoundaries(db: Executor, districtId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(orgUnitBoundaries)
    .where(eq(orgUnitBoundaries.districtId, districtId));
  return Number(row?.n ?? 0);
}

// The SLA job.

/** The running states, written out: the SLA index's predicate must be implied by the query's. */
const RUNNING_SQL = sql.raw(RUNNING_STATES.map((st) => `'${st}'`).join(', '));
/** The deadline the SLA job acts on next (the `cases_sla_next_idx` expression). */
const nextSlaDeadline = sql`(CASE WHEN ${cases.overdueLevel} < 1 THEN least(${cases.dueAt}, ${cases.redAt}) ELSE ${cases.redAt} END)`;

/**
 * Running cases past their deadline (yellow not yet given) or past the red time (red not yet
 * given), earliest missed deadline first: a walk of `cases_sla_next_idx` that stops after `limit`.
 */
export async function slaBreaches(db: Executor, now: Date, limit: number) {
  return db
    .select()
    .from(cases)
    .where(
      sql`${cases.overdueLevel} < 2 AND ${cases.status} IN (${RUNNING_SQL}) AND ${nextSlaDeadline} < ${now.toISOString()}::timestamptz`,
    )
    .orderBy(nextSlaDeadline)
    .limit(limit);
}

/**
 * Marks many cases' overdue level in one statement, each only while it still has the status and
 * level it was read with (race-safe, as `updateFromStatus`); the ids of those marked.
 */
export async function markOverdue(
  tx: Executor,
  rows: { id: string; status: CaseStatus; from: number; to: number }[],
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const marked = await tx.execute<{ id: string }>(sql`
    UPDATE ${cases} SET overdue_level = v.to_level
    FROM json_to_recordset(${JSON.stringify(rows.map((r) => ({ id: r.id, status: r.status, from_level: r.from, to_level: r.to })))}::json)
      AS v(id uuid, status text, from_level int, to_level int)
    WHERE ${cases.id} = v.id AND ${cases.status} = v.status AND ${cases.overdueLevel} = v.from_level
    RETURNING ${cases.id} AS id`);
  return new Set(rowsOf<{ id: string }>(marked).map((r) => r.id));
}

/** Cards in one statement; those already given (one per case, level and deadline) are skipped. */
export async function insertCards(tx: Executor, rows: (typeof caseSlaCards.$inferInsert)[]) {
  if (rows.length === 0) return [];
  return tx
    .insert(caseSlaCards)
    .values(rows)
    .onConflictDoNothing()
    .returning({ caseId: caseSlaCards.caseId, level: caseSlaCards.level });
}

/** History rows in one statement. */
export async function insertHistories(tx: Executor, rows: (typeof caseHistory.$inferInsert)[]) {
  if (rows.length) await tx.insert(caseHistory).values(rows);
}

/** Yellow and red cards per unit of a district. */
/** Yellow and red cards per late unit; only of cases within `visible` (a filter on `cases`) when given. */
export async function cardCounts(db: Executor, districtId: string, since?: Date, visible?: SQL) {
  const where: SQL[] = [eq(caseSlaCards.districtId, districtId)];
  if (since) where.push(gte(caseSlaCards.at, since));
  if (visible) where.push(sql`${caseSlaCards.caseId} IN (SELECT ${cases.id} FROM ${cases} WHERE ${visible})`);
  return db
    .select({
      unitKind: caseSlaCards.unitKind,
      unitId: caseSlaCards.unitId,
      yellow: sql<number>`count(*) FILTER (WHERE ${caseSlaCards.level} = 'yellow')::int`,
      red: sql<number>`count(*) FILTER (WHERE ${caseSlaCards.level} = 'red')::int`,
    })
    .from(caseSlaCards)
    .where(and(...where))
    .groupBy(caseSlaCards.unitKind, caseSlaCards.unitId);
}

/**
 * In one query: the department an account works for and the squads it is an active member of
 * (who the case rules treat as a case's handler).
 */
export async function handlerContextOf(db: Executor, accountId: string) {
  const [row] = await db
    .select({
      departmentId: accounts.departmentId,
      squadIds: sql<
        string[]
      >`coalesce((SELECT array_agg(m.squad_id::text) FROM squad_members m WHERE m.account_id = "accounts"."id" AND m.active), '{}'::text[])`,
    })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .limit(1);
  return { departmentId: row?.departmentId ?? null, squadIds: new Set<string>(row?.squadIds ?? []) };
}

/** True when a photo belongs to the report itself (not to a handling step). */
export async function isReportPhoto(db: Executor, historyId: string | null): Promise<boolean> {
  if (!historyId) return true;
  const [row] = await db
    .select({ step: caseHistory.step })
    .from(caseHistory)
    .where(eq(caseHistory.id, historyId))
    .limit(1);
  return row?.step === 'report';
}
