import { type Static, Type } from 'typebox';
import { FilePart, FreeText, Id, VERSION_MAX, IsoTime, Nullable } from './common';
import { OrgUnitRef } from './identity';

export const ServiceMode = Type.Union([Type.Literal('direct'), Type.Literal('proxy')], {
  description:
    'direct: handled in the community service room (19); proxy: handled on the resident’s behalf (代办, 106)',
});

export const Material = Type.Object({
  name: Type.String(),
  /** 原件 / 复印件 / 原件和复印件 / 电子 … */
  form: Type.String(),
  copies: Type.Integer({ minimum: 0, maximum: 100 }),
  required: Type.Boolean(),
  note: Type.Optional(Nullable(FreeText())),
});
export type Material = Static<typeof Material>;

/** Every field of a 办事指南, as published for one version of an item. */
export const ServiceGuide = Type.Object({
  name: Type.String({ minLength: 2, maxLength: 100 }),
  basicCode: Nullable(Type.String()),
  itemType: Type.String(),
  department: Type.String(),
  serviceObject: FreeText(),
  legalBasis: Type.Array(Type.String()),
  acceptanceConditions: FreeText(),
  materials: Type.Array(Material),
  process: Type.Array(FreeText()),
  /** 即办件 / 承诺件 */
  caseType: Type.String(),
  statutoryTimeLimitDays: Nullable(Type.Integer({ minimum: 0, maximum: 3650 })),
  promisedTimeLimitWorkingDays: Nullable(Type.Integer({ minimum: 0, maximum: 3650 })),
  fee: Type.Object({ charged: Type.Boolean(), basis: Nullable(FreeText()) }),
  location: Type.String(),
  serviceHours: Type.String(),
  consultPhone: Nullable(Type.String()),
  complaintPhone: Nullable(Type.String()),
  onlineChannels: Type.Array(Type.String()),
  onsiteVisits: Type.Integer({ minimum: 0, maximum: 100 }),
  faq: Type.Array(Type.Object({ question: FreeText(), answer: FreeText() })),
  themes: Type.Array(Type.String()),
  lifeEvents: Type.Array(Type.String()),
  /** Colloquial names residents search by (低保, 老年证 …). */
  aliases: Type.Array(Type.String()),
});
export type ServiceGuide = Static<typeof ServiceGuide>;

export const SearchHighlight = Type.Object({
  field: Type.String(),
  value: Type.String(),
  /** [start, end) UTF-16 offsets into `value`. */
  ranges: Type.Array(Type.Tuple([Type.Integer(), Type.Integer()])),
});

export const ServiceItemSummary = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  mode: ServiceMode,
  department: Type.String(),
  itemType: Type.String(),
  caseType: Type.String(),
  promisedTimeLimitWorkingDays: Nullable(Type.Integer()),
  onsiteVisits: Type.Integer(),
  lifeEvents: Type.Array(Type.String()),
  highlights: Type.Array(SearchHighlight),
});
export type ServiceItemSummary = Static<typeof ServiceItemSummary>;

export const ServiceItemQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 50 })),
  mode: Type.Optional(ServiceMode),
  department: Type.Optional(Type.String({ maxLength: 60 })),
  lifeEvent: Type.Optional(Type.String({ maxLength: 20 })),
  /** Only items this community's service room offers. */
  orgUnitId: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 20 })),
});
export type ServiceItemQuery = Static<typeof ServiceItemQuery>;
/** A search about a life event (生孩子, 老人去世 …): the event and every item tagged with it. */
export const LifeEventAnswer = Type.Object({
  name: Type.String(),
  /** All of the event's published items that pass the filters, most popular first; never cut to `limit`. */
  items: Type.Array(ServiceItemSummary),
});
export type LifeEventAnswer = Static<typeof LifeEventAnswer>;
export const ServiceItemList = Type.Object({
  items: Type.Array(ServiceItemSummary),
  /** Present when `q` is about a life event (生孩子 → 生育): the resident needs all of its items. */
  lifeEvent: Type.Optional(LifeEventAnswer),
});
export type ServiceItemList = Static<typeof ServiceItemList>;

/** A community service room's own terms for an item it offers. */
export const ServiceOffering = Type.Object({
  orgUnit: OrgUnitRef,
  location: Type.String(),
  hours: Type.String(),
  phone: Nullable(Type.String()),
});
export type ServiceOffering = Static<typeof ServiceOffering>;

export const ServiceItemDetail = Type.Object({
  id: Id,
  code: Type.String(),
  mode: ServiceMode,
  version: Type.Integer(),
  publishedAt: Nullable(IsoTime),
  guide: ServiceGuide,
  /** The requested community's offering (`?orgUnitId=`), or null when it does not offer the item. */
  offering: Nullable(ServiceOffering),
});
export type ServiceItemDetail = Static<typeof ServiceItemDetail>;
export const ServiceItemDetailQuery = Type.Object({ orgUnitId: Type.Optional(Id) });

export const ServiceFacets = Type.Object({
  departments: Type.Array(Type.Object({ name: Type.String(), count: Type.Integer() })),
  lifeEvents: Type.Array(Type.Object({ name: Type.String(), count: Type.Integer() })),
  modes: Type.Array(Type.Object({ mode: ServiceMode, count: Type.Integer() })),
});

// ---- Catalogue management (catalogue.manage) ----

export const ServiceItemStatus = Type.Union([
  Type.Literal('draft'),
  Type.Literal('published'),
  Type.Literal('retired'),
]);
export const ServiceItemVersionStatus = Type.Union([
  Type.Literal('draft'),
  Type.Literal('published'),
  Type.Literal('superseded'),
]);

export const ServiceItemCreate = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9_-]{1,20}$' }),
    mode: ServiceMode,
    guide: ServiceGuide,
    changeNote: Type.Optional(FreeText({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ServiceItemCreate = Static<typeof ServiceItemCreate>;

export const ServiceItemDraft = Type.Object(
  { guide: ServiceGuide, changeNote: Type.Optional(FreeText({ maxLength: 500 })) },
  { additionalProperties: false },
);
export type ServiceItemDraft = Static<typeof ServiceItemDraft>;

/** An item as the catalogue editor sees it: its state and which versions are live and pending. */
export const ServiceItemAdmin = Type.Object({
  id: Id,
  code: Type.String(),
  mode: ServiceMode,
  status: ServiceItemStatus,
  name: Type.String(),
  department: Type.String(),
  publishedVersion: Nullable(Type.Integer()),
  publishedAt: Nullable(IsoTime),
  draftVersion: Nullable(Type.Integer()),
  updatedAt: IsoTime,
});
export type ServiceItemAdmin = Static<typeof ServiceItemAdmin>;

export const ServiceItemVersionSummary = Type.Object({
  version: Type.Integer(),
  status: ServiceItemVersionStatus,
  name: Type.String(),
  changeNote: Nullable(Type.String()),
  createdAt: IsoTime,
  publishedAt: Nullable(IsoTime),
});
export type ServiceItemVersionSummary = Static<typeof ServiceItemVersionSummary>;
export const ServiceItemVersionList = Type.Object({ items: Type.Array(ServiceItemVersionSummary) });

export const ServiceItemVersion = Type.Object({
  itemId: Id,
  version: Type.Integer(),
  status: ServiceItemVersionStatus,
  changeNote: Nullable(Type.String()),
  createdAt: IsoTime,
  publishedAt: Nullable(IsoTime),
  guide: ServiceGuide,
});
export type ServiceItemVersion = Static<typeof ServiceItemVersion>;
export const ServiceItemVersionParams = Type.Object({
  id: Id,
  version: Type.Integer({ minimum: 1, maximum: VERSION_MAX }),
});

export const ServiceSynonym = Type.Object({ id: Id, terms: Type.Array(Type.String()) });
export type ServiceSynonym = Static<typeof ServiceSynonym>;
export const ServiceSynonymList = Type.Object({ items: Type.Array(ServiceSynonym) });
export const ServiceSynonymCreate = Type.Object(
  {
    terms: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { minItems: 2, maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type ServiceSynonymCreate = Static<typeof ServiceSynonymCreate>;

/** The result of an .xlsx catalogue import applied whole. */
/** The multipart form of `POST /service-items/import`: one .xlsx workbook. */
export const CatalogueImportForm = Type.Object({ file: FilePart });

export const CatalogueImportResult = Type.Object({ created: Type.Integer(), updated: Type.Integer() });
export const CatalogueImportQuery = Type.Object({
  /** Publish every imported row at once (default: leave each as a draft to review). */
  publish: Type.Optional(Type.Boolean()),
});
/** 422 of an import: every bad row, by its spreadsheet row number and column name. */
export const CatalogueImportProblem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    code: Type.String(),
    errors: Type.Array(Type.Object({ row: Type.Integer(), field: Type.String(), message: Type.String() })),
  },
  { additionalProperties: true },
);

// ---- Community offerings (offerings.manage) ----

export const OfferingUpsert = Type.Object(
  {
    location: Type.String({ minLength: 1, maxLength: 200 }),
    hours: Type.String({ minLength: 1, maxLength: 200 }),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  },
  { additionalProperties: false },
);
export type OfferingUpsert = Static<typeof OfferingUpsert>;
export const OfferingAdmin = Type.Object({
  itemId: Id,
  itemCode: Type.String(),
  itemName: Type.String(),
  mode: ServiceMode,
  location: Type.String(),
  hours: Type.String(),
  phone: Nullable(Type.String()),
  active: Type.Boolean(),
  updatedAt: IsoTime,
});
export type OfferingAdmin = Static<typeof OfferingAdmin>;
export const OfferingList = Type.Object({ items: Type.Array(OfferingAdmin) });
export const OfferingParams = Type.Object({ id: Id, itemId: Id });

// ---- A resident's material checklist, synced from the device ----

export const ChecklistParams = Type.Object({ itemId: Id });
export const Checklist = Type.Object({
  itemId: Id,
  /** Names of the ticked materials. */
  checked: Type.Array(Type.String()),
  /** Null when nothing was synced yet. */
  updatedAt: Nullable(IsoTime),
});
export type Checklist = Static<typeof Checklist>;
export const ChecklistUpdate = Type.Object(
  { checked: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 }) },
  { additionalProperties: false },
);
export type ChecklistUpdate = Static<typeof ChecklistUpdate>;
