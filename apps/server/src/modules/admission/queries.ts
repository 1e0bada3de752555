import type { AdmissionListItem, AdmissionRequestStatus, AdmissionTaskStatus } from '@linli/contracts';
import { and, asc, desc, eq, inArray, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import {
  admissionCertificates,
  admissionListItems,
  admissionListVersions,
  admissionOutsideReports,
  admissionRequestComments,
  admissionRequestEvents,
  admissionRequests,
  admissionRequestTargets,
  admissionTaskEvents,
  admissionTasks,
  type ListItemRow,
  type ListVersionRow,
  type RequestRow,
  type TaskRow,
} from './schema';

/** Plain reads and writes of the admission tables: `(db | tx, params) => rows`. */

// ---------- lists ----------

export async function versionsOf(db: Executor, districtId: string): Promise<ListVersionRow[]> {
  return db
    .select()
    .from(admissionListVersions)
    .where(eq(admissionListVersions.districtId, districtId))
    .orderBy(desc(admissionListVersions.version));
}

export async function findVersion(db: Executor, districtId: string, version: number) {
  const [row] = await db
    .select()
    .from(admissionListVersions)
    .where(and(eq(admissionListVersions.districtId, districtId), eq(admissionListVersions.version, version)))
    .limit(1);
  return row ?? null;
}

export async function findDraft(db: Executor, districtId: string, lock = false) {
  const q = db
    .select()
    .from(admissionListVersions)
    .where(and(eq(admissionListVersions.districtId, districtId), eq(admissionListVersions.status, 'draft')))
    .limit(1);
  const [row] = lock ? await q.for('update') : await q;
  return row ?? null;
}

/** The version in force on `today` (Beijing date): the newest published one already effective. */
export async function currentVersion(db: Executor, districtId: string, today: string) {
  const [row] = await db
    .select()
    .from(admissionListVersions)
    .where(
      and(
        eq(admissionListVersions.districtId, districtId),
        eq(admissionListVersions.status, 'published'),
        or(isNull(admissionListVersions.effectiveDate), lte(admissionListVersions.effectiveDate, today)),
      ),
    )
    .orderBy(desc(admissionListVersions.version))
    .limit(1);
  if (row) return row;
  // Every published version takes effect later: the first one published is the best answer.
  const [first] = await db
    .select()
    .from(admissionListVersions)
    .where(
      and(eq(admissionListVersions.districtId, districtId), eq(admissionListVersions.status, 'published')),
    )
    .orderBy(asc(admissionListVersions.version))
    .limit(1);
  return first ?? null;
}

export async function itemsOf(db: Executor, versionId: string): Promise<ListItemRow[]> {
  return db
    .select()
    .from(admissionListItems)
    .where(eq(admissionListItems.versionId, versionId))
    .orderBy(asc(admissionListItems.sort));
}

export async function replaceItems(
  tx: Executor,
  version: { id: string; districtId: string },
  items: AdmissionListItem[],
) {
  await tx.delete(admissionListItems).where(eq(admissionListItems.versionId, version.id));
  if (items.length === 0) return;
  await tx.insert(admissionListItems).values(
    items.map((i, sort) => ({
      districtId: version.districtId,
      versionId: version.id,
      sort,
      code: i.code,
      name: i.name,
      list: i.list,
      category: i.category,
      legalBasis: i.legalBasis,
      responsibleDepartment: i.responsibleDepartment,
      feeFollowsTask: i.feeFollowsTask,
      fundingTerms: i.fundingTerms,
      minFundingYuanPerHour: i.minFundingYuanPerHour,
      assistanceForm: i.assistanceForm,
      keywords: i.keywords,
    })),
  );
}

/** Item counts per list of several versions, in one query. */
export async function countsOf(db: Executor, versionIds: string[]) {
  const out = new Map<string, { self: number; assist: number; negative: number }>();
  for (const id of versionIds) out.set(id, { self: 0, assist: 0, negative: 0 });
  if (versionIds.length === 0) return out;
  const rows = await db
    .select({
      versionId: admissionListItems.versionId,
      list: admissionListItems.list,
      n: sql<number>`count(*)::int`,
    })
    .from(admissionListItems)
    .where(inArray(admissionListItems.versionId, versionIds))
    .groupBy(admissionListItems.versionId, admissionListItems.list);
  for (const r of rows) out.get(r.versionId)![r.list] = Number(r.n);
  return out;
}

export async function certificatesOf(db: Executor, districtId: string) {
  return db
    .select()
    .from(admissionCertificates)
    .where(eq(admissionCertificates.districtId, districtId))
    .orderBy(asc(admissionCertificates.kind), asc(admissionCertificates.sort));
}

// ---------- requests ----------

export async function findRequest(db: Executor, id: string): Promise<RequestRow | null> {
  const [row] = await db.select().from(admissionRequests).where(eq(admissionRequests.id, id)).limit(1);
  return row ?? null;
}

export async function insertRequest(tx: Executor, values: typeof admissionRequests.$inferInsert) {
  const [row] = await tx.insert(admissionRequests).values(values).returning();
  return row!;
}

/** The race-safe step: updates only while the request is still in `from`; null otherwise. */
export async function updateRequestFrom(
  tx: Executor,
  id: string,
  from: AdmissionRequestStatus,
  set: Partial<typeof admissionRequests.$inferInsert>,
): Promise<RequestRow | null> {
  const [row] = await tx
    .update(admissionRequests)
    .set(set)
    .where(and(eq(admissionRequests.id, id), eq(admissionRequests.status, from)))
    .returning();
  return row ?? null;
}

export async function insertTargets(tx: Executor, requestId: string, orgUnitIds: string[]) {
  if (orgUnitIds.length)
    await tx
      .insert(admissionRequestTargets)
      .values(orgUnitIds.map((orgUnitId) => ({ requestId, orgUnitId })));
}

export async function targetsOf(db: Executor, requestId: string): Promise<string[]> {
  const rows = await db
    .select({ id: admissionRequestTargets.orgUnitId })
    .from(admissionRequestTargets)
    .where(eq(admissionRequestTargets.requestId, requestId));
  return rows.map((r) => r.id);
}

export async function targetCounts(db: Executor, requestIds: string[]): Promise<Map<string, number>> {
  if (requestIds.length === 0) return new Map();
  const rows = await db
    .select({ requestId: admissionRequestTargets.requestId, n: sql<number>`count(*)::int` })
    .from(admissionRequestTargets)
    .where(inArray(admissionRequestTargets.requestId, requestIds))
    .groupBy(admissionRequestTargets.requestId);
  return new Map(rows.map((r) => [r.requestId, Number(r.n)]));
}

export async function insertRequestEvent(tx: Executor, values: typeof admissionRequestEvents.$inferInsert) {
  await tx.insert(admissionRequestEvents).values(values);
}

export async function requestEventsOf(db: Executor, requestId: string) {
  return db
    .select()
    .from(admissionRequestEvents)
    .where(eq(admissionRequestEvents.requestId, requestId))
    .orderBy(asc(admissionRequestEvents.at), asc(admissionRequestEvents.id));
}

export async function commentsOf(db: Executor, requestId: string) {
  return db
    .select()
    .from(admissionRequestComments)
    .where(eq(admissionRequestComments.requestId, requestId))
    .orderBy(asc(admissionRequestComments.at), asc(admissionRequestComments.id));
}

export async function insertComment(tx: Executor, values: typeof admissionRequestComments.$inferInsert) {
  const [row] = await tx.insert(admissionRequestComments).values(values).returning();
  return row!;
}

/** One page of requests, newest first (or by deadline for the review queue); one row more than asked. */
export async function listRequests(
  db: Executor,
  p: { where: SQL[]; byDeadline: boolean; offset: number; limit: number },
): Promise<RequestRow[]> {
  return db
    .select()
    .from(admissionRequests)
    .where(and(...p.where))
    .orderBy(
      ...(p.byDeadline ? [sql`${admissionRequests.dueAt} ASC NULLS LAST`] : []),
      desc(admissionRequests.id),
    )
    .limit(p.limit + 1)
    .offset(p.offset);
}

// ---------- tasks ----------

export async function findTask(db: Executor, id: string): Promise<TaskRow | null> {
  const [row] = await db.select().from(admissionTasks).where(eq(admissionTasks.id, id)).limit(1);
  return row ?? null;
}

export async function tasksOfRequest(db: Executor, requestId: string): Promise<TaskRow[]> {
  return db
    .select()
    .from(admissionTasks)
    .where(eq(admissionTasks.requestId, requestId))
    .orderBy(asc(admissionTasks.orgUnitId));
}

export async function insertTasks(tx: Executor, rows: (typeof admissionTasks.$inferInsert)[]) {
  if (rows.length === 0) return [];
  return tx.insert(admissionTasks).values(rows).returning();
}

export async function updateTaskFrom(
  tx: Executor,
  id: string,
  from: AdmissionTaskStatus,
  set: Partial<typeof admissionTasks.$inferInsert>,
): Promise<TaskRow | null> {
  const [row] = await tx
    .update(admissionTasks)
    .set(set)
    .where(and(eq(admissionTasks.id, id), eq(admissionTasks.status, from)))
    .returning();
  return row ?? null;
}

export async function insertTaskEvents(tx: Executor, rows: (typeof admissionTaskEvents.$inferInsert)[]) {
  if (rows.length) await tx.insert(admissionTaskEvents).values(rows);
}

export async function taskEventsOf(db: Executor, taskIds: string[]) {
  if (taskIds.length === 0) return [];
  return db
    .select()
    .from(admissionTaskEvents)
    .where(inArray(admissionTaskEvents.taskId, taskIds))
    .orderBy(asc(admissionTaskEvents.at), asc(admissionTaskEvents.id));
}

export async function listTasks(db: Executor, p: { where: SQL[]; afterId?: string; limit: number }) {
  const where = [...p.where];
  if (p.afterId) where.push(sql`${admissionTasks.id} < ${p.afterId}::uuid`);
  return db
    .select()
    .from(admissionTasks)
    .where(and(...where))
    .orderBy(desc(admissionTasks.id))
    .limit(p.limit + 1);
}

// ---------- outside reports ----------

export async function findOutsideReport(db: Executor, id: string) {
  const [row] = await db
    .select()
    .from(admissionOutsideReports)
    .where(eq(admissionOutsideReports.id, id))
    .limit(1);
  return row ?? null;
}

export async function listOutsideReports(db: Executor, p: { where: SQL[]; afterId?: string; limit: number }) {
  const where = [...p.where];
  if (p.afterId) where.push(sql`${admissionOutsideReports.id} < ${p.afterId}::uuid`);
  return db
    .select()
    .from(admissionOutsideReports)
    .where(and(...where))
    .orderBy(desc(admissionOutsideReports.id))
    .limit(p.limit + 1);
}
