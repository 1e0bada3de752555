import { and, asc, between, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { type CalendarDayRow, calendarDays } from './schema';

/** Plain reads and writes of `calendar_days`: `(db | tx, params) => rows`. */

/** Every override of a district, in date order. */
export async function allDays(db: Executor, districtId: string): Promise<CalendarDayRow[]> {
  return db
    .select()
    .from(calendarDays)
    .where(eq(calendarDays.districtId, districtId))
    .orderBy(asc(calendarDays.date));
}

/** The overrides of one year, in date order. */
export async function daysOfYear(db: Executor, districtId: string, year: number): Promise<CalendarDayRow[]> {
  return db
    .select()
    .from(calendarDays)
    .where(
      and(
        eq(calendarDays.districtId, districtId),
        between(calendarDays.date, `${year}-01-01`, `${year}-12-31`),
      ),
    )
    .orderBy(asc(calendarDays.date));
}

export async function findDay(
  db: Executor,
  districtId: string,
  date: string,
): Promise<CalendarDayRow | null> {
  const [row] = await db
    .select()
    .from(calendarDays)
    .where(and(eq(calendarDays.districtId, districtId), eq(calendarDays.date, date)))
    .limit(1);
  return row ?? null;
}

/** The years that have at least one row for the district. */
export async function yearsWithDays(db: Executor, districtId: string): Promise<Set<number>> {
  const rows = await db
    .selectDistinct({ year: sql<number>`extract(year from ${calendarDays.date})::int` })
    .from(calendarDays)
    .where(eq(calendarDays.districtId, districtId));
  return new Set(rows.map((r) => Number(r.year)));
}

/** Creates or replaces the row of (district, date). */
export async function upsertDay(
  tx: Executor,
  values: typeof calendarDays.$inferInsert,
): Promise<CalendarDayRow> {
  const [row] = await tx
    .insert(calendarDays)
    .values(values)
    .onConflictDoUpdate({
      target: [calendarDays.districtId, calendarDays.date],
      set: {
        kind: values.kind,
        name: values.name,
        provisional: values.provisional ?? false,
        updatedBy: values.updatedBy ?? null,
        updatedAt: values.updatedAt ?? new Date(),
      },
    })
    .returning();
  return row!;
}

/** Seed rows; a day that already exists is left alone. Returns how many were inserted. */
export async function insertDaysIfAbsent(
  tx: Executor,
  rows: (typeof calendarDays.$inferInsert)[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insert(calendarDays)
    .values(rows)
    .onConflictDoNothing({ target: [calendarDays.districtId, calendarDays.date] })
    .returning({ id: calendarDays.id });
  return inserted.length;
}

export async function deleteDay(
  tx: Executor,
  districtId: string,
  date: string,
): Promise<CalendarDayRow | null> {
  const [row] = await tx
    .delete(calendarDays)
    .where(and(eq(calendarDays.districtId, districtId), eq(calendarDays.date, date)))
    .returning();
  return row ?? null;
}
