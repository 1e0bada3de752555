import { and, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import {
  accountDisplayNames,
  findOrgUnit,
  findOrgUnitByName,
  type OrgUnitInfo,
  orgUnitsByIds,
  pathIds,
} from '../identity/lookups';
import { type NoticeRow, notices } from './schema';

/**
 * Plain reads and writes of the `notices` table: `(db | tx, params) => rows`. What a notice shows
 * of its unit and author comes from identity's lookup functions, batched per page.
 */

export type UnitInfo = OrgUnitInfo;
export { findOrgUnit as findUnit, findOrgUnitByName as findUnitByName, pathIds };

/** A notice with what the presenter shows next to it. */
export interface NoticeWithRefs {
  notice: NoticeRow;
  unit: UnitInfo;
  author: string | null;
}

/** Attaches units and author names to a page of notices: two queries whatever the page size. */
async function withRefs(db: Executor, rows: NoticeRow[]): Promise<NoticeWithRefs[]> {
  const units = await orgUnitsByIds(
    db,
    rows.map((r) => r.orgUnitId),
  );
  const authors = await accountDisplayNames(
    db,
    rows.flatMap((r) => (r.createdBy ? [r.createdBy] : [])),
  );
  return rows.map((notice) => ({
    notice,
    unit: units.get(notice.orgUnitId)!,
    author: notice.createdBy ? (authors.get(notice.createdBy) ?? null) : null,
  }));
}

export async function findNotice(db: Executor, id: string): Promise<NoticeWithRefs | null> {
  const rows = await db.select().from(notices).where(eq(notices.id, id)).limit(1);
  const [found] = await withRefs(db, rows);
  return found ?? null;
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
  const rows = await db
    .select()
    .from(notices)
    .where(and(...where))
    .orderBy(desc(notices.pinned), desc(notices.publishedAt), desc(notices.id))
    .limit(p.limit + 1);
  return withRefs(db, rows);
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
