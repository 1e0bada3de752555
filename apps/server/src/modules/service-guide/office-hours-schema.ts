import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { districtColumn, idColumn, timestamps, tstz } from '../../core/db/columns';
import { accounts, departments, orgUnits } from '../identity/schema';

/** 区级部门下沉: a district department holds a session in a community's service room. */
export const officeHourSessions = pgTable(
  'office_hour_sessions',
  {
    id: idColumn(),
    districtId: districtColumn(),
    departmentId: uuid()
      .notNull()
      .references(() => departments.id),
    /** The community where the session is held. */
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    startsAt: tstz().notNull(),
    endsAt: tstz().notNull(),
    place: text().notNull(),
    itemIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
    capacity: integer().notNull(),
    status: text({ enum: ['scheduled', 'cancelled'] })
      .notNull()
      .default('scheduled'),
    createdBy: uuid().references(() => accounts.id),
    ...timestamps(),
  },
  (t) => [
    index().on(t.orgUnitId, t.startsAt),
    index().on(t.departmentId, t.startsAt),
    index().on(t.districtId, t.startsAt),
    index().on(t.createdBy),
  ],
);

/** A resident's place in a session; at most one active (booked or checked in) per resident and session. */
export const officeHourBookings = pgTable(
  'office_hour_bookings',
  {
    id: idColumn(),
    districtId: districtColumn(),
    sessionId: uuid()
      .notNull()
      .references(() => officeHourSessions.id),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    status: text({ enum: ['booked', 'cancelled', 'checked_in'] })
      .notNull()
      .default('booked'),
    checkedInAt: tstz(),
    checkedInBy: uuid().references(() => accounts.id),
    cancelledAt: tstz(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('office_hour_bookings_one_active')
      .on(t.sessionId, t.accountId)
      .where(sql`${t.status} <> 'cancelled'`),
    index().on(t.sessionId, t.status),
    index().on(t.accountId, t.createdAt),
    index().on(t.checkedInBy),
  ],
);
