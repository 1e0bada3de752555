import { type Static, Type } from 'typebox';
import { DateText, Id, IsoTime, Nullable, PageQuery } from './common';

/** How a message went out beyond the app: a text, or a WeChat subscription message. */
export const DELIVERY_CHANNELS = ['sms', 'wechat'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/**
 * queued → sent; queued → retrying (an error that may pass) → sent | dead (out of attempts);
 * queued → failed (a refusal a retry will not change: invalid number, template not approved,
 * unsubscribed). A text due in quiet hours stays queued until `notBefore`.
 */
export const DELIVERY_STATUSES = ['queued', 'sent', 'retrying', 'failed', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const MessageDelivery = Type.Object({
  channel: Type.Enum(DELIVERY_CHANNELS),
  status: Type.Enum(DELIVERY_STATUSES),
  /** Not sent before this time (quiet hours hold texts until the morning). */
  notBefore: IsoTime,
  sentAt: Nullable(IsoTime),
  attempts: Type.Integer(),
  /** The provider's code for the last failure, e.g. `isv.MOBILE_NUMBER_ILLEGAL`. */
  errorCode: Nullable(Type.String()),
});
export type MessageDelivery = Static<typeof MessageDelivery>;

/** An in-app message (站内消息) for one account: what the notification hub wrote for an event. */
export const Message = Type.Object({
  id: Id,
  /** The event (`cases.overdue`); null for messages written before the hub. */
  eventCode: Nullable(Type.String()),
  title: Type.String(),
  body: Type.String(),
  /** An app-relative link: `/console/...` opens in the console, anything else in the resident app. */
  link: Nullable(Type.String()),
  readAt: Nullable(IsoTime),
  createdAt: IsoTime,
  /** How it also went out (texts, WeChat), with each one's state. */
  deliveries: Type.Array(MessageDelivery),
});
export type Message = Static<typeof Message>;

const Code = Type.String({ pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9_]*)?$', maxLength: 80 });

export const MessageQuery = Type.Object({
  ...PageQuery.properties,
  unread: Type.Optional(Type.Boolean()),
  /** One event (`cases.overdue`) or every event of a module (`cases`). */
  event: Type.Optional(Code),
  /** Messages from this Beijing day on. */
  from: Type.Optional(DateText),
  /** Messages up to and including this Beijing day. */
  to: Type.Optional(DateText),
});
export type MessageQuery = Static<typeof MessageQuery>;

export const MessagePage = Type.Object({
  items: Type.Array(Message),
  nextCursor: Nullable(Type.String()),
  unread: Type.Integer(),
});
export type MessagePage = Static<typeof MessagePage>;

/** The unread count the console's bell polls. */
export const MessageCount = Type.Object({
  unread: Type.Integer(),
  /** The newest unread message's id: a bell that saw another one knows something new came. */
  latest: Nullable(Id),
});
export type MessageCount = Static<typeof MessageCount>;

export const MessagesReadAll = Type.Object({
  /** Mark only these events (or a module's, `cases`) read; absent: every message. */
  event: Type.Optional(Code),
});
export type MessagesReadAll = Static<typeof MessagesReadAll>;

export const MessagesReadAllResult = Type.Object({ marked: Type.Integer(), unread: Type.Integer() });
export type MessagesReadAllResult = Static<typeof MessagesReadAllResult>;

// ---------- preferences ----------

export const SMS_MODES = ['immediate', 'digest', 'off'] as const;
export type SmsMode = (typeof SMS_MODES)[number];
const SmsModeSchema = Type.Enum(SMS_MODES);

export const NOTIFICATION_LOCALES = ['zh-CN', 'en'] as const;
export type NotificationLocale = (typeof NOTIFICATION_LOCALES)[number];
const LocaleSchema = Type.Enum(NOTIFICATION_LOCALES);

export const EventPreference = Type.Object({
  code: Type.String(),
  /** The module that sends it (the part of the code before the dot). */
  module: Type.String(),
  name: Type.Object({ zh: Type.String(), en: Type.String() }),
  audience: Type.Enum(['resident', 'staff']),
  /** How texts come: at once, in the 08:30 digest, or not at all; null when the event sends no texts. */
  sms: Nullable(SmsModeSchema),
  /** The SMS choices the event offers (the daily digest itself cannot come in the digest). */
  smsModes: Type.Array(SmsModeSchema),
  /** WeChat subscription messages on or off; null when the event has none. */
  wechat: Nullable(Type.Boolean()),
  /** What a person has without choosing. */
  defaults: Type.Object({ sms: Nullable(SmsModeSchema), wechat: Nullable(Type.Boolean()) }),
});
export type EventPreference = Static<typeof EventPreference>;

export const NotificationPreferences = Type.Object({
  /** The language notifications are written in. */
  locale: LocaleSchema,
  /** Whether texts can reach this person (a mobile number on the account). */
  hasPhone: Type.Boolean(),
  /** Whether WeChat is configured on this server, and bound to this person. */
  wechatAvailable: Type.Boolean(),
  wechatBound: Type.Boolean(),
  events: Type.Array(EventPreference),
});
export type NotificationPreferences = Static<typeof NotificationPreferences>;

export const NotificationPreferencesUpdate = Type.Object(
  {
    locale: Type.Optional(LocaleSchema),
    events: Type.Optional(
      Type.Array(
        Type.Object(
          {
            code: Code,
            sms: Type.Optional(SmsModeSchema),
            wechat: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
  },
  { additionalProperties: false },
);
export type NotificationPreferencesUpdate = Static<typeof NotificationPreferencesUpdate>;

/** A mini-program login code (`wx.login`), exchanged by the server for the person's openid. */
export const WechatBindingCreate = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);
export type WechatBindingCreate = Static<typeof WechatBindingCreate>;

export const WechatBinding = Type.Object({ wechatBound: Type.Boolean() });
export type WechatBinding = Static<typeof WechatBinding>;
