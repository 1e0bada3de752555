import { boolean, date, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { districtColumn, idColumn, timestamps } from '../../core/db/columns';

/**
 * The days of a district's calendar that differ from the Monday–Friday week: public holidays
 * (放假) and make-up working days (调休上班). Seeded from `data/cn-calendar.json` (the State Council
 * notices); edited by staff holding `calendar.manage` over the district.
 */
export const calendarDays = pgTable(
  'calendar_days',
  {
    id: idColumn(),
    districtId: districtColumn(),
    /** The Beijing civil date. */
    date: date({ mode: 'string' }).notNull(),
    kind: text({ enum: ['holiday', 'workday'] }).notNull(),
    name: text().notNull(),
    /** Derived by Linli, not yet confirmed against the State Council notice. */
    provisional: boolean().notNull().default(false),
    /** Null for seeded rows. */
    updatedBy: uuid(),
    ...timestamps(),
  },
  (t) => [uniqueIndex().on(t.districtId, t.date), index().on(t.updatedBy)],
);

export type CalendarDayRow = typeof calendarDays.$inferSelect;
