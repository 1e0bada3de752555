import { type Static, Type } from 'typebox';
import { Id, IsoTime, Nullable } from './common';
import { OrgUnitRef } from './identity';

export const ServiceMode = Type.Union([Type.Literal('direct'), Type.Literal('proxy')], {
  description:
    'direct: handled in the community service room (19); proxy: handled on the resident’s behalf (代办, 106)',
});

export const Material = Type.Object({
  name: Type.String(),
  /** 原件 / 复印件 / 原件和复印件 / 电子 … */
  form: Type.String(),
  copies: Type.Integer({ minimum: 0 }),
  required: Type.Boolean(),
  note: Type.Optional(Nullable(Type.String())),
});
export type Material = Static<typeof Material>;

/** Every field of a 办事指南, as published for one version of an item. */
export const ServiceGuide = Type.Object({
  name: Type.String({ minLength: 2, maxLength: 100 }),
  basicCode: Nullable(Type.String()),
  itemType: Type.String(),
  department: Type.String(),
  serviceObject: Type.String(),
  legalBasis: Type.Array(Type.String()),
  acceptanceConditions: Type.String(),
  materials: Type.Array(Material),
  process: Type.Array(Type.String()),
  /** 即办件 / 承诺件 */
  caseType: Type.String(),
  statutoryTimeLimitDays: Nullable(Type.Integer({ minimum: 0 })),
  promisedTimeLimitWorkingDays: Nullable(Type.Integer({ minimum: 0 })),
  fee: Type.Object({ charged: Type.Boolean(), basis: Nullable(Type.String()) }),
  location: Type.String(),
  serviceHours: Type.String(),
  consultPhone: Nullable(Type.String()),
  complaintPhone: Nullable(Type.String()),
  onlineChannels: Type.Array(Type.String()),
  onsiteVisits: Type.Integer({ minimum: 0 }),
  faq: Type.Array(Type.Object({ question: Type.String(), answer: Type.String() })),
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
export const ServiceItemList = Type.Object({ items: Type.Array(ServiceItemSummary) });

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
