import { type Static, Type } from 'typebox';
import { CaseStatus } from './cases';
import { Id, IsoTime, Nullable } from './common';
import { OrgUnitRef } from './identity';

/**
 * 巡查: a squad member starts a patrol, the phone sends points along the route, and the patrol
 * is stopped. Cases the member files while a patrol is active (主动发现) are attached to it.
 */
export const PATROL_STATUSES = ['active', 'ended'] as const;
export const PatrolStatus = Type.Enum(PATROL_STATUSES);
export type PatrolStatus = (typeof PATROL_STATUSES)[number];

export const PatrolStart = Type.Object(
  {
    /** Needed only when the member belongs to more than one squad. */
    squadId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export const PatrolPoint = Type.Object(
  {
    at: IsoTime,
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    lng: Type.Number({ minimum: -180, maximum: 180 }),
  },
  { additionalProperties: false },
);
export type PatrolPoint = Static<typeof PatrolPoint>;

/** A batch of points (a phone sends them every so often, not one request per fix). */
export const PatrolPoints = Type.Object(
  { points: Type.Array(PatrolPoint, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
);

export const PatrolSession = Type.Object({
  id: Id,
  squad: Type.Object({ id: Id, name: Type.String(), community: OrgUnitRef }),
  member: Type.Object({ id: Id, displayName: Type.String() }),
  status: PatrolStatus,
  startedAt: IsoTime,
  endedAt: Nullable(IsoTime),
  distanceM: Type.Number(),
  pointCount: Type.Integer(),
  caseCount: Type.Integer(),
});
export type PatrolSession = Static<typeof PatrolSession>;

export const PatrolDetail = Type.Intersect([
  PatrolSession,
  Type.Object({
    points: Type.Array(PatrolPoint),
    cases: Type.Array(
      Type.Object({ id: Id, number: Type.String(), categoryCode: Type.String(), status: CaseStatus }),
    ),
  }),
]);
export type PatrolDetail = Static<typeof PatrolDetail>;

export const PatrolQuery = Type.Object(
  {
    squadId: Type.Optional(Id),
    /** Only the caller's own patrols. */
    mine: Type.Optional(Type.Boolean()),
    status: Type.Optional(PatrolStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type PatrolQuery = Static<typeof PatrolQuery>;
export const PatrolList = Type.Object({ items: Type.Array(PatrolSession) });
