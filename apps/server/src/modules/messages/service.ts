import type { MessageQuery } from '@linli/contracts';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../core/clock';
import type { RequestContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { accountPhone } from '../identity/lookups';
import { countUnread, insertMessage, listMessages, markRead } from './queries';
import type { MessageRow } from './schema';

export interface MessageDeps {
  db: Db;
  clock: Clock;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Notification {
  accountId: string;
  title: string;
  body: string;
  link?: string | null;
}

/**
 * Writes an in-app message inside the caller's transaction, so a step and its message commit
 * together. Other modules call this (never the table).
 */
export async function postMessage(tx: Executor, n: Notification, at: Date): Promise<MessageRow> {
  return insertMessage(tx, {
    accountId: n.accountId,
    title: n.title,
    body: n.body,
    link: n.link ?? null,
    createdAt: at,
  });
}

/** The SMS side of a notification: a text to the account's mobile number. */
export interface NotificationSms {
  send(accountId: string, text: string): Promise<void>;
}

/**
 * Notification texts through the platform's one SMS sender (the same as sign-in codes). An
 * account without a number gets none; a sender failure is logged and never undoes the step.
 */
export function smsNotifier(
  db: Db,
  sender: { sendText(phone: string, text: string): Promise<void> },
  log: FastifyBaseLogger,
): NotificationSms {
  return {
    async send(accountId, text) {
      const phone = await accountPhone(db, accountId);
      if (!phone) return;
      try {
        // Chinese SMS rules require the sender's signature in 【】 at the start of every text.
        await sender.sendText(phone, `【邻里+】${text}`);
      } catch (err) {
        log.warn({ err, accountId }, 'notification text not sent');
      }
    },
  };
}

/** The signed-in account's messages, newest first, with the unread count. */
export async function listMyMessages(deps: MessageDeps, ctx: RequestContext, query: MessageQuery) {
  const accountId = ctx.actor.accountId;
  if (!accountId) throw AppError.unauthenticated();
  const limit = query.limit ?? 20;
  let before: string | undefined;
  if (query.cursor) {
    before = Buffer.from(query.cursor, 'base64url').toString('utf8');
    if (!UUID.test(before)) {
      throw AppError.validation(
        [{ field: 'querystring/cursor', message: 'is not a cursor this API returned', code: 'format' }],
        'Invalid fields: querystring/cursor.',
      );
    }
  }
  const rows = await listMessages(deps.db, { accountId, unread: query.unread, before, limit });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? Buffer.from(last.id).toString('base64url') : null;
  return { items, nextCursor, unread: await countUnread(deps.db, accountId) };
}

/** Marks one of the signed-in account's messages read; another account's message is a 404. */
export async function readMessage(deps: MessageDeps, ctx: RequestContext, id: string): Promise<MessageRow> {
  const accountId = ctx.actor.accountId;
  if (!accountId) throw AppError.unauthenticated();
  const row = await markRead(deps.db, accountId, id, deps.clock.now());
  if (!row) throw AppError.notFound('message');
  return row;
}
