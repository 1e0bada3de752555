import type { ApplicationStatus } from '@linli/contracts';
import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { preparedQuery } from '../../core/db/prepared';
import {
  type ApplicationRow,
  applicationEvents,
  applicationFiles,
  applications,
  applicationVisits,
} from './applications-schema';
import { RUNNING_STATES } from './applications-workflow';

/** Plain reads and writes of the application tables: `(db | tx, params) => rows`. */

// The detail's reads by id are prepared once per database (core/db/prepared.ts, issue #15).
const byId = preparedQuery('sg_application', (db, name) =>
  db
    .select()
    .from(applications)
    .where(eq(applications.id, sql.placeholder('id')))
    .limit(1)
    .prepare(name),
);
const filesById = preparedQuery('sg_application_files', (db, name) =>
  db
    .select()
    .from(applicationFiles)
    .where(eq(applicationFiles.applicationId, sql.placeholder('id')))
    .orderBy(asc(applicationFiles.createdAt), asc(applicationFiles.id))
    .prepare(name),
);
const eventsById = preparedQuery('sg_application_events', (db, name) =>
  db
    .select()
    .from(applicationEvents)
    .where(eq(applicationEvents.applicationId, sql.placeholder('id')))
    .orderBy(asc(applicationEvents.at), asc(applicationEvents.id))
    .prepare(name),
);
const visitsById = preparedQuery('sg_application_visits', (db, name) =>
  db
    .select()
    .from(applicationVisits)
    .where(eq(applicationVisits.applicationId, sql.placeholder('id')))
    .orderBy(asc(applicationVisits.at), asc(applicationVisits.id))
    .prepare(name),
);

export async function findApplication(db: Executor, id: string): Promise<ApplicationRow | null> {
  const [row] = await byId(db).execute({ id });
  return row ?? null;
}

/**
 * The next receipt number for an application of `districtId` submitted on Beijing day `day`
 * (yyyy-mm-dd), as SQL for the INSERT: `<district code>-BJ<yyyymmdd>-<running number, at least 4
 * digits>`. `nextval` locks nothing another submission waits for (decision 45).
 */
export function applicationNumberSql(districtId: string, day: string): SQL {
  const prefix = `-BJ${day.replaceAll('-', '')}-`;
  return sql`(SELECT coalesce((SELECT u.code FROM org_units u WHERE u.id = ${districtId}), 'X') || ${prefix} || lpad(s.n::text, greatest(4, length(s.n::text)), '0') FROM (SELECT nextval('application_number_seq') AS n) s)`;
}

/** A receipt number as written for a running number taken earlier (bulk loads). */
export function formatApplicationNumber(districtCode: string, day: string, running: number): string {
  return `${districtCode}-BJ${day.replaceAll('-', '')}-${String(running).padStart(4, '0')}`;
}

export async function insertApplication(
  tx: Executor,
  values: Omit<typeof applications.$inferInsert, 'number'> & { number: string | SQL },
) {
  const [row] = await tx.insert(applications).values(values).returning();
  return row!;
}

/** The race-safe step: updates only while the application is still in `from`; null otherwise. */
export async function updateFromStatus(
  tx: Executor,
  id: string,
  from: ApplicationStatus,
  set: Partial<typeof applications.$inferInsert>,
): Promise<ApplicationRow | null> {
  const [row] = await tx
    .update(applications)
    .set(set)
    .where(and(eq(applications.id, id), eq(applications.status, from)))
    .returning();
  return row ?? null;
}

export async function insertEvent(tx: Executor, values: typeof applicationEvents.$inferInsert) {
  await tx.insert(applicationEvents).values(values);
}

export async function insertFiles(tx: Executor, rows: (typeof applicationFiles.$inferInsert)[]) {
  if (rows.length) await tx.insert(applicationFiles).values(rows);
}

export async function countFiles(db: Executor, applicationId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(applicationFiles)
    .where(eq(applicationFiles.applicationId, applicationId));
  return Number(row?.n ?? 0);
}

export async function filesOf(db: Executor, applicationId: string) {
  return filesById(db).execute({ id: applicationId });
}

export async function findFile(db: Executor, applicationId: string, fileId: string) {
  const [row] = await db
    .select()
    .from(applicationFiles)
    .where(and(eq(applicationFiles.id, fileId), eq(applicationFiles.applicationId, applicationId)))
    .limit(1);
  return row ?? null;
}

export async function eventsOf(db: Executor, applicationId: string) {
  return eventsById(db).execute({ id: applicationId });
}

export async function visitsOf(db: Executor, applicationId: string) {
  return visitsById(db).execute({ id: applicationId });
}

/** Records a visit and bumps the application's count; returns the new count. */
export async function insertVisit(tx: Executor, values: typeof applicationVisits.$inferInsert, at: Date) {
  await tx.insert(applicationVisits).values(values);
  const [row] = await tx
    .update(applications)
    .set({ visits: sql`${applications.visits} + 1`, updatedAt: at })
    .where(eq(applications.id, values.applicationId))
    .returning({ visits: applications.visits });
  return row!.visits;
}

/** 1 when past the deadline and still running, else 0: the workbench sorts on it. */
export const overdueExpr = (now: Date) =>
  sql<number>`(CASE WHEN ${applications.status} IN (${sql.join(
    RUNNING_STATES.map((s) => sql`${s}`),
    sql`, `,
  )}) AND ${applications.dueAt} < ${now.toISOString()}::timestamptz THEN 1 ELSE 0 END)`;

export interface WorkbenchCursor {
  overdue: 0 | 1;
  id: string;
}

/** One page of a list: overdue first, newest first; one row more than asked. */
export async function listApplications(
  db: Executor,
  p: { visible: SQL; filters: SQL[]; now: Date; after?: WorkbenchCursor; limit: number },
): Promise<ApplicationRow[]> {
  const overdue = overdueExpr(p.now);
  const where: SQL[] = [p.visible, ...p.filters];
  if (p.after) where.push(sql`(${overdue}, ${applications.id}) < (${p.after.overdue}, ${p.after.id}::uuid)`);
  return db
    .select()
    .from(applications)
    .where(and(...where))
    .orderBy(desc(overdue), desc(applications.id))
    .limit(p.limit + 1);
}
