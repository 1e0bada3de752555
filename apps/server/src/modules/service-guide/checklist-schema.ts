import { sql } from 'drizzle-orm';
import { pgTable, text, uniqueIndex, uuid, index } from 'drizzle-orm/pg-core';
import { idColumn, tstz } from '../../core/db/columns';
import { accounts } from '../identity/schema';
import { serviceItems } from './schema';

/** The materials a signed-in resident ticked for an item, synced from the device (last write wins). */
export const serviceChecklists = pgTable(
  'service_checklists',
  {
    id: idColumn(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    itemId: uuid()
      .notNull()
      .references(() => serviceItems.id),
    checked: text().array().notNull().default(sql`'{}'::text[]`),
    updatedAt: tstz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.accountId, t.itemId), index().on(t.itemId)],
);
