import { Nullable } from './common';
import {
  ServiceGuide,
  ServiceItemAdmin,
  ServiceItemStatus,
  ServiceItemVersion,
  ServiceItemVersionStatus,
  ServiceItemVersionSummary,
  ServiceMode,
} from './service-guide';
import { type Static, Type } from 'typebox';

/** The console's catalogue editor: its list, what it opens, and versions with their authors. */

/** `GET /service-items/admin`: the editor's list, every status, drafts included. */
export const CatalogueItemQuery = Type.Object({
  /** Part of the name or the catalogue code. */
  q: Type.Optional(Type.String({ maxLength: 50 })),
  mode: Type.Optional(ServiceMode),
  department: Type.Optional(Type.String({ maxLength: 60 })),
  status: Type.Optional(ServiceItemStatus),
  /** Only items with (true) or without (false) an unpublished draft. */
  hasDraft: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Type.String({ maxLength: 40 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
export type CatalogueItemQuery = Static<typeof CatalogueItemQuery>;

export const CatalogueItemRow = Type.Object({
  ...ServiceItemAdmin.properties,
  basicCode: Nullable(Type.String()),
  caseType: Type.String(),
  statutoryTimeLimitDays: Nullable(Type.Integer()),
  promisedTimeLimitWorkingDays: Nullable(Type.Integer()),
});
export type CatalogueItemRow = Static<typeof CatalogueItemRow>;
export const CatalogueItemPage = Type.Object({
  items: Type.Array(CatalogueItemRow),
  nextCursor: Nullable(Type.String()),
});

/** `GET /service-items/:id/draft`: what the editor opens — the draft, else the live guide. */
export const CatalogueItemEditor = Type.Object({
  ...ServiceItemAdmin.properties,
  /** The version `guide` comes from. */
  version: Type.Integer(),
  versionStatus: ServiceItemVersionStatus,
  guide: ServiceGuide,
  abilities: Type.Object({ saveDraft: Type.Boolean(), publish: Type.Boolean(), retire: Type.Boolean() }),
});
export type CatalogueItemEditor = Static<typeof CatalogueItemEditor>;

const who = {
  /** Who saved the version (display name), null when unknown (seeded). */
  createdByName: Nullable(Type.String()),
  publishedByName: Nullable(Type.String()),
};
export const CatalogueVersionSummary = Type.Object({ ...ServiceItemVersionSummary.properties, ...who });
export type CatalogueVersionSummary = Static<typeof CatalogueVersionSummary>;
export const CatalogueVersionList = Type.Object({ items: Type.Array(CatalogueVersionSummary) });
export const CatalogueVersion = Type.Object({ ...ServiceItemVersion.properties, ...who });
export type CatalogueVersion = Static<typeof CatalogueVersion>;
