import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { accounts, orgUnits } from '../identity/schema';
import { type NoticeRow, notices } from './schema';

/**
 * Plain reads and writes of the `notices` table: `(db | tx, params) => rows`.
 *
 * Two reads reach into identity's tables (the unit's path and name, the author's display name):
 * identity exports no lookup service yet, and a join keeps the home-page list one query. Move
 * them behind identity's service functions once it has them.
 */

/** What the permission check and the presenter need of an org unit. */
export interface UnitInfo {
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

export async function findUnit(db: Executor, id: string): Promise<UnitInfo | null> {
  const [row] = await db.select(unitColumns).from(orgUnits).where(eq(orgUnits.id, id)).limit(1);
  return row ?? null;
}

/** Demo data names units; reference names are unique enough in one district. */
export async function findUnitByName(db: Executor, name: string): Promise<UnitInfo | null> {
  const [row] = await db.select(unitColumns).from(orgUnits).where(eq(orgUnits.name, name)).limit(1);
  return row ?? null;
}

/** The ids in a materialised path `/<district>/<town>/<community>/`: the unit and its ancestors. */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** A notice with what the presenter shows next to it. */
export interface NoticeWithRefs {
  notice: NoticeRow;
  unit: UnitInfo;
  author: string | null;
}

const selection = { notice: notices, unit: unitColumns, author: accounts.displayName };

export async function findNotice(db: Executor, id: string): Promise<NoticeWithRefs | null> {
  const [row] = await db
    .select(selection)
    .from(notices)
    .innerJoin(orgUnits, eq(orgUnits.id, notices.orgUnitId))
    .leftJoin(accounts, eq(accounts.id, notices.createdBy))
    .where(eq(notices.id, id))
    .limit(1);
  return row ?? null;
}

/** Position in the feed order (pinned first, newest first, id as tie-break). */
export interface FeedCursor {
  pinned: boolean;
  publishedAt: string;
  id: string;
}

export interface ListParams {
  /** Only notices of these units (a unit and its ancestors); all units when absent. */
  unitIds?: string[];
  /** Which rows are visible: published ones, plus whatever this condition admits. */
  visible: SQL;
  after?: FeedCursor;
  limit: number;
}

/** One page of the feed, fetching one row more than asked so the caller knows if there is a next page. */
export async function listNotices(db: Executor, p: ListParams): Promise<NoticeWithRefs[]> {
  const where: SQL[] = [p.visible];
  if (p.unitIds) where.push(inArray(notices.orgUnitId, p.unitIds));
  if (p.after) {
    where.push(
      sql`(${notices.pinned}, ${notices.publishedAt}, ${notices.id}) < (${p.after.pinned}, ${p.after.publishedAt}::timestamptz, ${p.after.id}::uuid)`,
    );
  }
  return db
    .select(selection)
    .from(notices)
    .innerJoin(orgUnits, eq(orgUnits.id, notices.orgUnitId))
    .leftJoin(accounts, eq(accounts.id, notices.createdBy))
    .where(and(...where))
    .orderBy(desc(notices.pinned), desc(notices.publishedAt), desc(notices.id))
    .limit(p.limit + 1);
}

export async function insertNotice(tx: Executor, values: typeof notices.$inferInsert): Promise<NoticeRow> {
  const [row] = await tx.insert(notices).values(values).returning();
  return row!;
}

/** Retracts a published notice; null when it was not (or no longer) published, so races answer 409. */
export async function markRetracted(
  tx: Executor,
  id: string,
  by: string | null,
  at: Date,
): Promise<NoticeRow | null> {
  const [row] = await tx
    .update(notices)
    .set({ status: 'retracted', retractedAt: at, retractedBy: by, updatedAt: at })
    .where(and(eq(notices.id, id), eq(notices.status, 'published')))
    .returning();
  return row ?? null;
}

export async function countNotices(db: Executor): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(notices);
  return Number(row?.n ?? 0);
}
