import { sql } from 'drizzle-orm';
import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { idColumn, tstz } from '../../core/db/columns';
import { accounts } from '../identity/schema';

/** In-app messages (站内消息) for one account: application steps and, later, other modules' news. */
export const messages = pgTable(
  'messages',
  {
    id: idColumn(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    title: text().notNull(),
    body: text().notNull(),
    /** App-relative link, e.g. `/applications/<id>`. */
    link: text(),
    readAt: tstz(),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [
    index('messages_inbox_idx').on(t.accountId, t.id.desc()),
    index('messages_unread_idx').on(t.accountId).where(sql`${t.readAt} IS NULL`),
  ],
);

export type MessageRow = typeof messages.$inferSelect;
