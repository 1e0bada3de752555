import { and, desc, eq, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { type MessageRow, messages } from './schema';

export async function insertMessage(tx: Executor, values: typeof messages.$inferInsert): Promise<MessageRow> {
  const [row] = await tx.insert(messages).values(values).returning();
  return row!;
}

/** One page of an account's inbox, newest first (ids are UUIDv7, so id order is time order). */
export async function listMessages(
  db: Executor,
  p: { accountId: string; unread?: boolean; before?: string; limit: number },
): Promise<MessageRow[]> {
  const where: SQL[] = [eq(messages.accountId, p.accountId)];
  if (p.unread) where.push(isNull(messages.readAt));
  if (p.before) where.push(lt(messages.id, p.before));
  return db
    .select()
    .from(messages)
    .where(and(...where))
    .orderBy(desc(messages.id))
    .limit(p.limit + 1);
}

export async function countUnread(db: Executor, accountId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(and(eq(messages.accountId, accountId), isNull(messages.readAt)));
  return Number(row?.n ?? 0);
}

/** Marks one message of the account read (idempotent); null when the account has no such message. */
export async function markRead(db: Executor, accountId: string, id: string, at: Date) {
  const [row] = await db
    .update(messages)
    .set({ readAt: sql`coalesce(${messages.readAt}, ${at.toISOString()}::timestamptz)` })
    .where(and(eq(messages.id, id), eq(messages.accountId, accountId)))
    .returning();
  return row ?? null;
}
