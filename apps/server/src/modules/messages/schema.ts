import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { idColumn, tstz } from '../../core/db/columns';
import { accounts } from '../identity/schema';

/**
 * In-app messages (站内消息) for one account: what the notification hub (`notify()`) writes for
 * every event, shown in the resident app's 消息 and the console's inbox. Rows written before the
 * hub have no event code.
 */
export const messages = pgTable(
  'messages',
  {
    id: idColumn(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    /** The event that wrote it (`cases.sla_breach`); null for messages from before the hub. */
    eventCode: text(),
    title: text().notNull(),
    body: text().notNull(),
    /** App-relative link: `/console/...` for the console, else a resident app path (`/applications/<id>`). */
    link: text(),
    readAt: tstz(),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [
    index('messages_inbox_idx').on(t.accountId, t.id.desc()),
    index('messages_unread_idx').on(t.accountId).where(sql`${t.readAt} IS NULL`),
    // The daily digest counts each person's unread messages of the last day by event.
    index('messages_unread_recent_idx').on(t.createdAt).where(sql`${t.readAt} IS NULL`),
  ],
);

export type MessageRow = typeof messages.$inferSelect;

export const DELIVERY_CHANNELS = ['sms', 'wechat'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** See the module README for the state diagram. */
export const DELIVERY_STATUSES = ['queued', 'sent', 'retrying', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * The outbox: one row per message per channel beyond the app (a text, a WeChat subscription
 * message), written in the transaction of the event and sent by the job runner
 * (`messages.deliver`). A delivery keeps its outcome: the provider's id, or the refusal.
 */
export const notificationDeliveries = pgTable(
  'notification_deliveries',
  {
    id: idColumn(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    /** The in-app message it belongs to; null for the daily digest, which has none. */
    messageId: uuid().references(() => messages.id, { onDelete: 'cascade' }),
    eventCode: text().notNull(),
    channel: text({ enum: DELIVERY_CHANNELS }).notNull(),
    status: text({ enum: DELIVERY_STATUSES }).notNull().default('queued'),
    locale: text({ enum: ['zh-CN', 'en'] }).notNull(),
    /** The event's variables, as given to notify(): each provider's template is rendered from them when sent. */
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    /** What the person reads: the signed text, or the WeChat message's values. */
    preview: text().notNull(),
    /** Not sent before this time (quiet hours hold texts until the morning). */
    notBefore: tstz().notNull(),
    attempts: integer().notNull().default(0),
    /** The provider's code for the last failure (`isv.MOBILE_NUMBER_ILLEGAL`, `timeout`…). */
    errorCode: text(),
    lastError: text(),
    /** The provider's id for the sent message (Alibaba BizId, Tencent SerialNo, WeChat msgid). */
    providerId: text(),
    /** One delivery per key: the digest is `digest:<account>:<Beijing date>`. */
    dedupeKey: text(),
    createdAt: tstz().notNull().defaultNow(),
    updatedAt: tstz().notNull().defaultNow(),
    sentAt: tstz(),
  },
  (t) => [
    index().on(t.messageId),
    index().on(t.accountId, t.id.desc()),
    uniqueIndex('notification_deliveries_dedupe_idx').on(t.dedupeKey),
  ],
);

export type DeliveryRow = typeof notificationDeliveries.$inferSelect;

/**
 * A person's choice for one event, where it differs from the event's defaults: SMS at once, in
 * the morning digest or not at all, and WeChat on or off. The in-app message is always written.
 */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    eventCode: text().notNull(),
    sms: text({ enum: ['immediate', 'digest', 'off'] }).notNull(),
    wechat: boolean().notNull(),
    updatedAt: tstz().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.eventCode] })],
);

/**
 * Per person: the language their notifications are written in, and the WeChat openid that
 * subscription messages go to (bound through `POST /me/wechat-binding` with a mini-program login code).
 */
export const notificationSettings = pgTable(
  'notification_settings',
  {
    accountId: uuid()
      .primaryKey()
      .references(() => accounts.id),
    locale: text({ enum: ['zh-CN', 'en'] })
      .notNull()
      .default('zh-CN'),
    wechatOpenid: text(),
    wechatBoundAt: tstz(),
    updatedAt: tstz().notNull().defaultNow(),
  },
  (t) => [uniqueIndex('notification_settings_openid_idx').on(t.wechatOpenid)],
);
