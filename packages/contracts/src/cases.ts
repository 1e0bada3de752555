import { type Static, Type } from 'typebox';
import { DateText, FilePart, FreeText, Id, IsoTime, Nullable, PageQuery } from './common';
import { OrgUnitRef } from './identity';

/**
 * 城社共治 cases (诉求/案件): a resident or a squad member reports a problem; it is registered
 * (立案), dispatched, handled, verified, closed and rated. The transition table is in the
 * server's modules/cases/workflow.ts. Open311 GeoReport v2 maps onto these: service_code =
 * category code, service_request_id = case number, status open/closed = `CASE_OPEN311_STATUS`.
 */

const literals = <const T extends string[]>(values: readonly [...T]) => Type.Enum<T>(values);

export const CASE_STATUSES = [
  'reported',
  'registered',
  'not_registered',
  'dispatched',
  'accepted',
  'handling',
  'handled',
  'closed',
  'rated',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
export const CaseStatus = literals(CASE_STATUSES);

/** Open311 GeoReport v2 knows only open and closed. */
export const CASE_OPEN311_STATUS: Record<CaseStatus, 'open' | 'closed'> = {
  reported: 'open',
  registered: 'open',
  not_registered: 'closed',
  dispatched: 'open',
  accepted: 'open',
  handling: 'open',
  handled: 'open',
  closed: 'closed',
  rated: 'closed',
};

/** Every workflow step, each a `POST /cases/:id/<kebab-case step>`. */
export const CASE_STEPS = [
  'register',
  'not_register',
  'dispatch',
  'send_back',
  'accept',
  'start',
  'handle',
  'verify_pass',
  'verify_fail',
  'rate',
  'reopen',
  'request_extension',
  'approve_extension',
  'deny_extension',
  'supervise',
] as const;
export type CaseStep = (typeof CASE_STEPS)[number];
export const CaseStep = literals(CASE_STEPS);

export const CASE_SOURCES = ['resident', 'patrol', 'open311'] as const;
export type CaseSource = (typeof CASE_SOURCES)[number];
export const CaseSource = literals(CASE_SOURCES);

export const CASE_RATINGS = ['satisfied', 'basically_satisfied', 'unsatisfied'] as const;
export type CaseRating = (typeof CASE_RATINGS)[number];
export const CaseRating = literals(CASE_RATINGS);

export const HANDLER_KINDS = ['squad', 'department', 'person'] as const;
export type HandlerKind = (typeof HANDLER_KINDS)[number];
export const HandlerKind = literals(HANDLER_KINDS);

/** A squad member's duty: 执法队员, 社区干部, or one person holding both (一人双岗). */
export const SQUAD_DUTIES = ['enforcement_officer', 'community_cadre', 'both'] as const;
export type SquadDuty = (typeof SQUAD_DUTIES)[number];
export const SquadDuty = literals(SQUAD_DUTIES);

/** The SLA of one step: hours, counted in working hours unless `clock` (urgent categories). */
/** Hours of a step's deadline: up to 2,000 (about a year of working hours). */
export const StepSla = Type.Object({
  hours: Type.Number({ minimum: 0, maximum: 2000 }),
  clock: Type.Boolean(),
});
export type StepSla = Static<typeof StepSla>;

/** Steps that carry a deadline: the time to leave the state each one is waited for in. */
export const SLA_STEPS = ['register', 'dispatch', 'accept', 'handle', 'verify'] as const;
export type SlaStep = (typeof SLA_STEPS)[number];

export const CaseCategory = Type.Object({
  code: Type.String(),
  name: Type.String(),
  parentCode: Nullable(Type.String()),
  /** `major` (大类) or `sub` (小类); cases are filed under a sub-category. */
  level: literals(['major', 'sub'] as const),
  defaultHandlerKind: literals(['squad', 'department'] as const),
  defaultDepartment: Nullable(Type.String()),
  urgent: Type.Boolean(),
  sla: Type.Record(Type.String(), StepSla),
  /** Evidence each step needs, e.g. `{ handle: ['photo'] }`. */
  evidence: Type.Record(Type.String(), Type.Array(Type.String())),
  enabled: Type.Boolean(),
});
export type CaseCategory = Static<typeof CaseCategory>;

export const CaseCategoryList = Type.Object({ items: Type.Array(CaseCategory) });
export type CaseCategoryList = Static<typeof CaseCategoryList>;

/**
 * `GET /case-categories`: without a query, the enabled categories (public: the resident picker).
 * `includeDisabled=true` lists disabled ones too, for holders of `cases.manage` only (others 403).
 */
export const CaseCategoryQuery = Type.Object({ includeDisabled: Type.Optional(Type.Boolean()) });
export type CaseCategoryQuery = Static<typeof CaseCategoryQuery>;

export const CaseCategoryUpdate = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  urgent: Type.Optional(Type.Boolean()),
  sla: Type.Optional(Type.Record(Type.String(), StepSla)),
  evidence: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  enabled: Type.Optional(Type.Boolean()),
});
export type CaseCategoryUpdate = Static<typeof CaseCategoryUpdate>;

export const RoutingRule = Type.Object({
  /** A category code or code prefix (`05` covers `0501`…); the longest matching prefix wins. */
  categoryCode: Type.String(),
  handlerKind: literals(['squad', 'department'] as const),
  department: Nullable(Type.Object({ id: Id, name: Type.String() })),
});
export type RoutingRule = Static<typeof RoutingRule>;

export const RoutingRuleList = Type.Object({ items: Type.Array(RoutingRule) });
export type RoutingRuleList = Static<typeof RoutingRuleList>;

export const RoutingRuleUpsert = Type.Object({
  handlerKind: literals(['squad', 'department'] as const),
  departmentId: Type.Optional(Nullable(Id)),
});
export type RoutingRuleUpsert = Static<typeof RoutingRuleUpsert>;

export const CategoryCodeParams = Type.Object({ code: Type.String({ pattern: '^[0-9]{2,4}$' }) });
export type CategoryCodeParams = Static<typeof CategoryCodeParams>;

export const CaseHandler = Type.Object({
  kind: HandlerKind,
  id: Id,
  name: Type.String(),
});
export type CaseHandler = Static<typeof CaseHandler>;

export const CasePhoto = Type.Object({
  id: Id,
  mime: Type.String(),
  size: Type.Integer(),
  /** The authorised download route. */
  url: Type.String(),
});
export type CasePhoto = Static<typeof CasePhoto>;

export const CaseHistoryEntry = Type.Object({
  step: Type.String(),
  from: Nullable(Type.String()),
  to: Type.String(),
  actor: Nullable(Type.String()),
  note: Nullable(Type.String()),
  photos: Type.Array(CasePhoto),
  at: IsoTime,
});
export type CaseHistoryEntry = Static<typeof CaseHistoryEntry>;

const CategoryRef = Type.Object({ code: Type.String(), name: Type.String() });

/** What the community board and "me too" show: never the reporter, never personal data. */
export const CasePublic = Type.Object({
  id: Id,
  number: Type.String(),
  category: CategoryRef,
  status: CaseStatus,
  description: Type.String(),
  community: Nullable(OrgUnitRef),
  /** Rounded to about 100 m. */
  coarseLocation: Nullable(Type.Object({ lat: Type.Number(), lng: Type.Number() })),
  followers: Type.Integer(),
  createdAt: IsoTime,
});
export type CasePublic = Static<typeof CasePublic>;

export const CasePublicPage = Type.Object({
  items: Type.Array(CasePublic),
  nextCursor: Nullable(Type.String()),
});
export type CasePublicPage = Static<typeof CasePublicPage>;

export const CaseSummary = Type.Object({
  id: Id,
  number: Type.String(),
  category: CategoryRef,
  status: CaseStatus,
  source: CaseSource,
  description: Type.String(),
  orgUnit: OrgUnitRef,
  address: Nullable(Type.String()),
  location: Nullable(Type.Object({ lat: Type.Number(), lng: Type.Number() })),
  handler: Nullable(CaseHandler),
  /** The reporter's display name: masked, `匿名` when hidden, full for pii.read. */
  reporter: Nullable(Type.String()),
  dueAt: Nullable(IsoTime),
  overdue: Type.Boolean(),
  supervised: Type.Boolean(),
  reopened: Type.Boolean(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type CaseSummary = Static<typeof CaseSummary>;

/**
 * Where a point lies, reverse-geocoded on the server from the org units' boundaries (WGS-84):
 * the town, community and grid whose outlines hold it (null where no outline does).
 */
export const CasePlace = Type.Object({
  town: Nullable(OrgUnitRef),
  community: Nullable(OrgUnitRef),
  grid: Nullable(OrgUnitRef),
});
export type CasePlace = Static<typeof CasePlace>;

/**
 * "Navigate" links to the spot in the phone's map app, by each app's public URI scheme, the
 * stored WGS-84 point converted to the datum each expects: AMap and Tencent GCJ-02, Baidu BD-09.
 */
export const NavigationLinks = Type.Object({
  amap: Type.String(),
  baidu: Type.String(),
  tencent: Type.String(),
});
export type NavigationLinks = Static<typeof NavigationLinks>;

/** `GET /maps/place?lat&lng`: a WGS-84 point. */
export const PlaceQuery = Type.Object({
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
});
export type PlaceQuery = Static<typeof PlaceQuery>;

/** The reverse-geocoded point: whether the district holds it, and its town, community and grid. */
export const PlaceAt = Type.Object({
  inDistrict: Type.Boolean(),
  ...CasePlace.properties,
});
export type PlaceAt = Static<typeof PlaceAt>;

/** `GET /maps/settings`: what both apps' maps draw under the boundaries. */
export const MapSettings = Type.Object({
  /** Online tiles (天地图), Web Mercator; null: the maps stay an offline drawing. */
  tiles: Nullable(
    Type.Object({
      /** Bottom to top; `{z}` `{x}` `{y}` the tile, `{s}` a subdomain. */
      urlTemplates: Type.Array(Type.String()),
      subdomains: Type.Array(Type.String()),
      attribution: Type.String(),
    }),
  ),
});
export type MapSettings = Static<typeof MapSettings>;

export const Case = Type.Object({
  ...CaseSummary.properties,
  /** The point's town · community · grid from the boundaries; null without a location. */
  place: Nullable(CasePlace),
  /** Links that open the spot in AMap, Baidu and Tencent maps; null without a location. */
  navigation: Nullable(NavigationLinks),
  hideName: Type.Boolean(),
  /** Full only for the reporter and pii.read; masked otherwise; null when not shown. */
  reporterPhone: Nullable(Type.String()),
  community: Nullable(OrgUnitRef),
  photos: Type.Array(CasePhoto),
  history: Type.Array(CaseHistoryEntry),
  rating: Nullable(CaseRating),
  ratingComment: Nullable(Type.String()),
  notRegisteredReason: Nullable(Type.String()),
  sendBackReason: Nullable(Type.String()),
  extension: Nullable(
    Type.Object({
      hours: Type.Number(),
      reason: Type.String(),
      status: literals(['pending', 'approved', 'denied'] as const),
    }),
  ),
  supervisionNote: Nullable(Type.String()),
  closedAt: Nullable(IsoTime),
  followers: Type.Integer(),
  /** The caller's relation: reporter, follower or staff. */
  relation: literals(['reporter', 'follower', 'staff'] as const),
  /** Steps the caller may take next (plus `follow`). */
  abilities: Type.Array(Type.String()),
});
export type Case = Static<typeof Case>;

export const CasePage = Type.Object({
  items: Type.Array(CaseSummary),
  nextCursor: Nullable(Type.String()),
});
export type CasePage = Static<typeof CasePage>;

/** The receipt of `POST /cases`, at once. */
export const CaseReceipt = Type.Object({
  id: Id,
  number: Type.String(),
  status: CaseStatus,
  orgUnit: OrgUnitRef,
  handler: Nullable(CaseHandler),
  dueAt: Nullable(IsoTime),
  createdAt: IsoTime,
});
export type CaseReceipt = Static<typeof CaseReceipt>;

/**
 * The fields of `POST /cases` (multipart/form-data), then up to 9 `photos` parts (JPEG/PNG,
 * checked by content). Numbers arrive as text.
 */
export const CaseCreateFields = Type.Object({
  categoryCode: Type.String({ pattern: '^[0-9]{4}$' }),
  description: FreeText({ minLength: 2, maxLength: 1000 }),
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
  lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
  address: Type.Optional(Type.String({ maxLength: 200 })),
  hideName: Type.Optional(Type.Boolean()),
});
export type CaseCreateFields = Static<typeof CaseCreateFields>;

/** Photos a case report or a handling report carries at most. */
export const CASE_PHOTOS_MAX = 9;

/** The whole multipart form of `POST /cases`: the fields, then up to 9 `photos` parts. */
export const CaseCreateForm = Type.Object({
  ...CaseCreateFields.properties,
  photos: Type.Optional(Type.Array(FilePart, { maxItems: CASE_PHOTOS_MAX })),
});

/** The multipart form of `POST /cases/:id/handle`: a note, then 1–9 `photos` parts of the result. */
export const CaseHandleForm = Type.Object({
  note: Type.Optional(FreeText({ maxLength: 500 })),
  photos: Type.Array(FilePart, { minItems: 1, maxItems: CASE_PHOTOS_MAX }),
});

export const CaseQuery = Type.Object({
  ...PageQuery.properties,
  status: Type.Optional(CaseStatus),
  categoryCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,4}$' })),
  orgUnitId: Type.Optional(Id),
  overdue: Type.Optional(Type.Boolean()),
  supervised: Type.Optional(Type.Boolean()),
  source: Type.Optional(CaseSource),
  /** Only cases handled by me or my squad / department. */
  mine: Type.Optional(Type.Boolean()),
});
export type CaseQuery = Static<typeof CaseQuery>;

export const CaseMineQuery = Type.Object({ ...PageQuery.properties });
export type CaseMineQuery = Static<typeof CaseMineQuery>;

export const CasePublicQuery = Type.Object({
  ...PageQuery.properties,
  communityId: Type.Optional(Id),
  categoryCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,4}$' })),
});
export type CasePublicQuery = Static<typeof CasePublicQuery>;

export const CaseNearbyQuery = Type.Object({
  category: Type.String({ pattern: '^[0-9]{4}$' }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lng: Type.Number({ minimum: -180, maximum: 180 }),
});
export type CaseNearbyQuery = Static<typeof CaseNearbyQuery>;

export const CaseNearbyList = Type.Object({
  items: Type.Array(Type.Object({ ...CasePublic.properties, distanceM: Type.Number() })),
});
export type CaseNearbyList = Static<typeof CaseNearbyList>;

export const CasePhotoParams = Type.Object({ id: Id, photoId: Id });
export type CasePhotoParams = Static<typeof CasePhotoParams>;

// Step bodies.
export const CaseNoteBody = Type.Object({ note: Type.Optional(FreeText({ maxLength: 500 })) });
export type CaseNoteBody = Static<typeof CaseNoteBody>;
export const CaseReasonBody = Type.Object({ reason: FreeText({ minLength: 2, maxLength: 500 }) });
export type CaseReasonBody = Static<typeof CaseReasonBody>;
/** Without a target, the case goes to the unit the routing rules chose. */
export const CaseDispatchBody = Type.Object({
  kind: Type.Optional(HandlerKind),
  /** A squad id, a department id or a staff account id. */
  targetId: Type.Optional(Id),
  note: Type.Optional(FreeText({ maxLength: 500 })),
});
export type CaseDispatchBody = Static<typeof CaseDispatchBody>;
export const CaseRateBody = Type.Object({
  rating: CaseRating,
  comment: Type.Optional(FreeText({ maxLength: 500 })),
});
export type CaseRateBody = Static<typeof CaseRateBody>;
export const CaseExtensionBody = Type.Object({
  hours: Type.Number({ exclusiveMinimum: 0, maximum: 400 }),
  reason: FreeText({ minLength: 2, maxLength: 500 }),
});
export type CaseExtensionBody = Static<typeof CaseExtensionBody>;
export const CaseSuperviseBody = Type.Object({ note: FreeText({ minLength: 2, maxLength: 500 }) });
export type CaseSuperviseBody = Static<typeof CaseSuperviseBody>;

export const Squad = Type.Object({
  id: Id,
  name: Type.String(),
  community: OrgUnitRef,
  members: Type.Array(
    Type.Object({ accountId: Id, displayName: Type.String(), duty: SquadDuty, active: Type.Boolean() }),
  ),
  /** The day it began its work (Beijing); null when not recorded. */
  startedOn: Nullable(DateText),
  /** Whether the caller may change it (squads.manage over its community). */
  canManage: Type.Boolean(),
});
export type Squad = Static<typeof Squad>;
export const SquadList = Type.Object({ items: Type.Array(Squad) });
export type SquadList = Static<typeof SquadList>;

/** `POST /squads`: a squad for a community that has none (squads.manage over the community). */
export const SquadCreate = Type.Object(
  {
    communityId: Id,
    name: Type.String({ minLength: 2, maxLength: 40 }),
    /** The day it begins (or began) its work; default today (Beijing). */
    startedOn: Type.Optional(DateText),
  },
  { additionalProperties: false },
);
export type SquadCreate = Static<typeof SquadCreate>;

/** `POST /squads/:id/members`: a staff account of the squad's community (or its town or district). */
export const SquadMemberAdd = Type.Object(
  { accountId: Id, duty: SquadDuty },
  { additionalProperties: false },
);
export type SquadMemberAdd = Static<typeof SquadMemberAdd>;

/** `PATCH /squads/:id/members/:accountId`: change a member's duty. */
export const SquadMemberUpdate = Type.Object({ duty: SquadDuty }, { additionalProperties: false });
export type SquadMemberUpdate = Static<typeof SquadMemberUpdate>;

export const SquadMemberParams = Type.Object({ id: Id, accountId: Id });
export type SquadMemberParams = Static<typeof SquadMemberParams>;

/** Yellow (past the deadline) and red (past it by the step's SLA again) cards per handling unit. */
export const SlaCardCount = Type.Object({
  unit: Type.Object({ kind: Type.String(), id: Id, name: Type.String() }),
  yellow: Type.Integer(),
  red: Type.Integer(),
});
export const SlaCardReport = Type.Object({ items: Type.Array(SlaCardCount) });
export type SlaCardReport = Static<typeof SlaCardReport>;

/** A GeoJSON position: lng, lat (an altitude, if any, is within the same ±180 and ignored). */
const Position = Type.Array(Type.Number({ minimum: -180, maximum: 180 }), { minItems: 2, maxItems: 3 });

/** A GeoJSON Polygon or MultiPolygon geometry (WGS-84 lng/lat), as uploaded for an org unit. */
export const BoundaryGeometry = Type.Union([
  Type.Object({
    type: Type.Literal('Polygon'),
    coordinates: Type.Array(Type.Array(Position)),
  }),
  Type.Object({
    type: Type.Literal('MultiPolygon'),
    coordinates: Type.Array(Type.Array(Type.Array(Position))),
  }),
]);
export type BoundaryGeometry = Static<typeof BoundaryGeometry>;

/** `PUT /org-units/:id/boundary`: a geometry, or a Feature wrapping one. */
export const BoundaryUpload = Type.Union([
  BoundaryGeometry,
  Type.Object({
    type: Type.Literal('Feature'),
    geometry: BoundaryGeometry,
    properties: Type.Optional(Nullable(Type.Record(Type.String(), Type.Unknown()))),
  }),
]);
export type BoundaryUpload = Static<typeof BoundaryUpload>;

export const Boundary = Type.Object({
  orgUnit: OrgUnitRef,
  geometry: BoundaryGeometry,
  source: Type.String(),
  updatedAt: IsoTime,
});
export type Boundary = Static<typeof Boundary>;

/** `GET /maps/boundaries`: the outlines of one level under an org unit (the case map's layer). */
export const BoundaryQuery = Type.Object({
  orgUnitId: Id,
  kind: literals(['town', 'community', 'grid'] as const),
});
export type BoundaryQuery = Static<typeof BoundaryQuery>;
export const BoundaryList = Type.Object({ items: Type.Array(Boundary) });
export type BoundaryList = Static<typeof BoundaryList>;
