import { asc, eq } from 'drizzle-orm';
import type { PersonalDataSource } from '../../core/personal-data';
import { messages } from './schema';

/**
 * What the messages module holds about a resident: their in-app messages. The inbox is theirs
 * alone, so closing the account deletes it.
 */
export const messagesPersonalData: PersonalDataSource = {
  module: 'messages',
  async collect(db, accountId) {
    const rows = await db
      .select()
      .from(messages)
      .where(eq(messages.accountId, accountId))
      .orderBy(asc(messages.id));
    const data = rows.map((m) => ({
      id: m.id,
      title: m.title,
      body: m.body,
      link: m.link,
      createdAt: m.createdAt.toISOString(),
      readAt: m.readAt?.toISOString() ?? null,
    }));
    return [{ name: 'messages.json', data, files: [] }];
  },
  async closureBlockers() {
    return [];
  },
  async close(tx, accountId) {
    const deleted = await tx
      .delete(messages)
      .where(eq(messages.accountId, accountId))
      .returning({ id: messages.id });
    return { deleteFiles: [], counts: { messagesDeleted: deleted.length } };
  },
};
