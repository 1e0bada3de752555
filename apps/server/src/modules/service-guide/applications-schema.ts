import { sql } from 'drizzle-orm';
import { index, integer, pgSequence, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { districtColumn, idColumn, timestamps, tstz } from '../../core/db/columns';
import { accounts, departments, orgUnits } from '../identity/schema';
import { serviceItems } from './schema';

/**
 * Applications (办件): a resident books a slot in the community service room (direct items) or asks
 * for proxy handling (代办, proxy items). States and steps: applications-workflow.ts.
 * Overdue (past `dueAt`, not yet done) is computed on read.
 */
export const applications = pgTable(
  'applications',
  {
    id: idColumn(),
    districtId: districtColumn(),
    /**
     * The receipt number (受理编号) the resident quotes: `<district code>-BJ<yyyymmdd>-<running
     * number>`, the running part from `application_number_seq` (decision 45: no counter row).
     */
    number: text().notNull(),
    /** The community whose service room handles it: the data scope. */
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    itemId: uuid()
      .notNull()
      .references(() => serviceItems.id),
    residentId: uuid()
      .notNull()
      .references(() => accounts.id),
    mode: text({ enum: ['direct', 'proxy'] }).notNull(),
    status: text({
      enum: [
        'submitted',
        'needs_more',
        'pre_review',
        'accepted',
        'forwarded',
        'done',
        'refused',
        'result_ready',
        'completed',
        'rated',
        'withdrawn',
      ],
    }).notNull(),
    /** Proxy items: the item's 受理部门, which handles it once forwarded. */
    departmentId: uuid().references(() => departments.id),
    note: text(),
    appointmentAt: tstz(),
    acceptedAt: tstz(),
    forwardedAt: tstz(),
    /** Promised working days from acceptance, on the district's calendar. */
    dueAt: tstz(),
    doneAt: tstz(),
    missingMaterials: text().array().notNull().default(sql`'{}'::text[]`),
    /** Required materials the resident will bring to the service room instead of uploading. */
    materialsToBring: text().array().notNull().default(sql`'{}'::text[]`),
    refusalReason: text(),
    delivery: text({ enum: ['pick_up', 'post'] }),
    rating: integer(),
    ratingComment: text(),
    visits: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('applications_number_idx').on(t.number),
    index('applications_unit_status_idx').on(t.orgUnitId, t.status, t.id.desc()),
    index('applications_department_status_idx').on(t.departmentId, t.status, t.id.desc()),
    index('applications_resident_idx').on(t.residentId, t.id.desc()),
    index().on(t.itemId),
    index().on(t.districtId),
    index('applications_due_idx').on(t.dueAt).where(sql`${t.status} IN ('accepted', 'forwarded')`),
  ],
);
export type ApplicationRow = typeof applications.$inferSelect;

/** The running part of applications' receipt numbers, across districts and days. */
export const applicationNumberSeq = pgSequence('application_number_seq', {
  startWith: 1,
  increment: 1,
  cache: 1,
});

/** History: one row per step (the submission included). */
export const applicationEvents = pgTable(
  'application_events',
  {
    id: idColumn(),
    applicationId: uuid()
      .notNull()
      .references(() => applications.id),
    step: text().notNull(),
    fromStatus: text(),
    toStatus: text().notNull(),
    actorId: uuid().references(() => accounts.id),
    note: text(),
    at: tstz().notNull(),
  },
  (t) => [index().on(t.applicationId, t.at), index().on(t.actorId)],
);
export type ApplicationEventRow = typeof applicationEvents.$inferSelect;

/** Materials uploaded with an application: checked by content, stored under the data directory. */
export const applicationFiles = pgTable(
  'application_files',
  {
    id: idColumn(),
    applicationId: uuid()
      .notNull()
      .references(() => applications.id),
    materialName: text().notNull(),
    originalName: text().notNull(),
    storedPath: text().notNull(),
    mime: text().notNull(),
    size: integer().notNull(),
    sha256: text().notNull(),
    uploadedBy: uuid().references(() => accounts.id),
    createdAt: tstz().notNull().defaultNow(),
    /**
     * The file was deleted when its resident closed their account (the notice's retention rule);
     * the row stays so the record says what was handed in.
     */
    erasedAt: tstz(),
  },
  (t) => [index().on(t.applicationId), index().on(t.uploadedBy)],
);
export type ApplicationFileRow = typeof applicationFiles.$inferSelect;

/** In-person visits to the service room, recorded by staff (最多跑一次: more than one is flagged). */
export const applicationVisits = pgTable(
  'application_visits',
  {
    id: idColumn(),
    applicationId: uuid()
      .notNull()
      .references(() => applications.id),
    at: tstz().notNull(),
    note: text(),
    recordedBy: uuid().references(() => accounts.id),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [index().on(t.applicationId, t.at), index().on(t.recordedBy)],
);
export type ApplicationVisitRow = typeof applicationVisits.$inferSelect;
