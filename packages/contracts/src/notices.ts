import { type Static, Type } from 'typebox';
import { FreeText, Id, IsoTime, Nullable, Page, PageQuery } from './common';
import { OrgUnitRef } from './identity';

/** A community notice (社区公告) shown on the resident home page of that community and below. */
export const Notice = Type.Object({
  id: Id,
  title: Type.String(),
  body: Type.String(),
  orgUnit: OrgUnitRef,
  pinned: Type.Boolean(),
  status: Type.Union([Type.Literal('published'), Type.Literal('retracted')]),
  publishedAt: IsoTime,
  retractedAt: Nullable(IsoTime),
  author: Nullable(Type.String()),
});
export type Notice = Static<typeof Notice>;

export const NoticeCreate = Type.Object({
  orgUnitId: Id,
  title: Type.String({ minLength: 2, maxLength: 80 }),
  body: FreeText({ minLength: 2, maxLength: 5000 }),
  pinned: Type.Optional(Type.Boolean()),
});
export type NoticeCreate = Static<typeof NoticeCreate>;

export const NoticeQuery = Type.Object({
  ...PageQuery.properties,
  /** Notices that apply to this unit: its own and those of its town and district. */
  orgUnitId: Type.Optional(Id),
  includeRetracted: Type.Optional(Type.Boolean()),
});
export type NoticeQuery = Static<typeof NoticeQuery>;
export const NoticePage = Page(Notice);
