import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { districtColumn, idColumn, timestamps, tstz } from '../../core/db/columns';
import { orgUnits } from '../identity/schema';

/**
 * Community notices (社区公告). A notice belongs to one org unit (district, town or community)
 * and is shown to residents of that unit's subtree. Published notices are public; a retracted one
 * stays for the record (and the audit trail) but is hidden from residents.
 */
export const notices = pgTable(
  'notices',
  {
    id: idColumn(),
    districtId: districtColumn(),
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    title: text().notNull(),
    body: text().notNull(),
    pinned: boolean().notNull().default(false),
    status: text({ enum: ['published', 'retracted'] })
      .notNull()
      .default('published'),
    publishedAt: tstz().notNull(),
    retractedAt: tstz(),
    retractedBy: uuid(),
    createdBy: uuid(),
    ...timestamps(),
  },
  (t) => [
    // The resident home page: notices of a few units, published, pinned first, newest first.
    index('notices_unit_feed_idx').on(
      t.orgUnitId,
      t.status,
      t.pinned.desc(),
      t.publishedAt.desc(),
      t.id.desc(),
    ),
    index('notices_feed_idx')
      .on(t.pinned.desc(), t.publishedAt.desc(), t.id.desc())
      .where(sql`${t.status} = 'published'`),
    index().on(t.districtId),
    index().on(t.createdBy),
  ],
);

export type NoticeRow = typeof notices.$inferSelect;
