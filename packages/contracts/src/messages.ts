import { type Static, Type } from 'typebox';
import { Id, IsoTime, Nullable, PageQuery } from './common';

/** An in-app message (站内消息) for one account: application steps and the like. */
export const Message = Type.Object({
  id: Id,
  title: Type.String(),
  body: Type.String(),
  /** An app-relative link, e.g. `/applications/<id>`. */
  link: Nullable(Type.String()),
  readAt: Nullable(IsoTime),
  createdAt: IsoTime,
});
export type Message = Static<typeof Message>;

export const MessageQuery = Type.Object({
  ...PageQuery.properties,
  unread: Type.Optional(Type.Boolean()),
});
export type MessageQuery = Static<typeof MessageQuery>;

export const MessagePage = Type.Object({
  items: Type.Array(Message),
  nextCursor: Nullable(Type.String()),
  unread: Type.Integer(),
});
export type MessagePage = Static<typeof MessagePage>;
