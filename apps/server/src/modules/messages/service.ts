import type { MessageQuery, MessagesReadAll } from '@linli/contracts';
import { and, desc, eq, gte, inArray, isNull, like, lt, type SQL, sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import type { Config } from '../../config';
import type { RequestContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { countUnread, markRead } from './queries';
import { type DeliveryRow, type MessageRow, messages, notificationDeliveries } from './schema';

export interface MessageDeps {
  db: Db;
  clock: Clock;
  config: Config;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function accountOf(ctx: RequestContext): string {
  const accountId = ctx.actor.accountId;
  if (!accountId) throw AppError.unauthenticated();
  return accountId;
}

const BEIJING = 8 * 3_600_000;
/** Midnight Beijing time at the start of a `YYYY-MM-DD` day. */
const dayStart = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - BEIJING);

/** `cases.overdue` is one event; `cases` is every event of the module. */
function eventFilter(event: string): SQL {
  return event.includes('.') ? eq(messages.eventCode, event) : like(messages.eventCode, `${event}.%`);
}

export interface MessageView {
  message: MessageRow;
  deliveries: DeliveryRow[];
}

async function withDeliveries(db: Executor, rows: MessageRow[]): Promise<MessageView[]> {
  const ids = rows.map((r) => r.id);
  const deliveries = ids.length
    ? await db
        .select()
        .from(notificationDeliveries)
        .where(inArray(notificationDeliveries.messageId, ids))
        .orderBy(notificationDeliveries.id)
    : [];
  return rows.map((message) => ({
    message,
    deliveries: deliveries.filter((d) => d.messageId === message.id),
  }));
}

/** The signed-in account's messages, newest first, filtered, with the unread count. */
export async function listMyMessages(deps: MessageDeps, ctx: RequestContext, query: MessageQuery) {
  const accountId = accountOf(ctx);
  const limit = query.limit ?? 20;
  const where: SQL[] = [eq(messages.accountId, accountId)];
  if (query.cursor) {
    const before = Buffer.from(query.cursor, 'base64url').toString('utf8');
    if (!UUID.test(before)) {
      throw AppError.validation(
        [{ field: 'querystring/cursor', message: 'is not a cursor this API returned', code: 'format' }],
        'Invalid fields: querystring/cursor.',
      );
    }
    where.push(lt(messages.id, before));
  }
  if (query.from && query.to && query.from > query.to) {
    throw AppError.validation(
      [{ field: 'querystring/to', message: 'must not be before from', code: 'minimum' }],
      'Invalid fields: querystring/to is before querystring/from.',
    );
  }
  if (query.unread) where.push(isNull(messages.readAt));
  if (query.event) where.push(eventFilter(query.event));
  if (query.from) where.push(gte(messages.createdAt, dayStart(query.from)));
  if (query.to) where.push(lt(messages.createdAt, new Date(dayStart(query.to).getTime() + 86_400_000)));
  const rows = await deps.db
    .select()
    .from(messages)
    .where(and(...where))
    .orderBy(desc(messages.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? Buffer.from(last.id).toString('base64url') : null;
  return {
    items: await withDeliveries(deps.db, page),
    nextCursor,
    unread: await countUnread(deps.db, accountId),
  };
}

/** The unread count and the newest unread message (what the console's bell polls). */
export async function myUnreadCount(deps: MessageDeps, ctx: RequestContext) {
  const accountId = accountOf(ctx);
  const [row] = await deps.db
    .select({ n: sql<number>`count(*)::int`, latest: sql<string | null>`max(${messages.id}::text)` })
    .from(messages)
    .where(and(eq(messages.accountId, accountId), isNull(messages.readAt)));
  return { unread: Number(row?.n ?? 0), latest: row?.latest ?? null };
}

/** Marks one of the signed-in account's messages read; another account's message is a 404. */
export async function readMessage(deps: MessageDeps, ctx: RequestContext, id: string): Promise<MessageView> {
  const accountId = accountOf(ctx);
  const row = await markRead(deps.db, accountId, id, deps.clock.now());
  if (!row) throw AppError.notFound('message');
  return (await withDeliveries(deps.db, [row]))[0]!;
}

/** Marks every unread message of the signed-in account read (or those of one event or module). */
export async function readAllMessages(deps: MessageDeps, ctx: RequestContext, body: MessagesReadAll) {
  const accountId = accountOf(ctx);
  const where: SQL[] = [eq(messages.accountId, accountId), isNull(messages.readAt)];
  if (body.event) where.push(eventFilter(body.event));
  const marked = await deps.db
    .update(messages)
    .set({ readAt: deps.clock.now() })
    .where(and(...where))
    .returning({ id: messages.id });
  return { marked: marked.length, unread: await countUnread(deps.db, accountId) };
}
