import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { messages } from './schema';

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
