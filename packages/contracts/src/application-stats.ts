import { type Static, Type } from 'typebox';
import { ApplicationStatus } from './applications';
import { DateText, Id, MonthText, Nullable, PageQuery } from './common';

/** A calendar day, `YYYY-MM-DD`, read as a day in Asia/Shanghai. */
export const DayText = DateText;

/**
 * The workbench's filters, shared by the list, its queue counts and the .xlsx export. `from`/`to`
 * bound the submission day (inclusive); `orgUnitId` takes the unit's whole subtree.
 */
export const ApplicationCountsQuery = Type.Object({
  overdue: Type.Optional(Type.Boolean()),
  orgUnitId: Type.Optional(Id),
  itemId: Type.Optional(Id),
  from: Type.Optional(DayText),
  to: Type.Optional(DayText),
  /** More than one in-person visit: the 最多跑一次 pledge is broken. */
  multipleTrips: Type.Optional(Type.Boolean()),
});
/** The filters of the queue counts: everything but the status (each tab is a status). */
export type ApplicationCountsQuery = Static<typeof ApplicationCountsQuery>;

export const ApplicationFilter = Type.Object({
  status: Type.Optional(ApplicationStatus),
  ...ApplicationCountsQuery.properties,
});
export type ApplicationFilter = Static<typeof ApplicationFilter>;

export const ApplicationWorkbenchQuery = Type.Object({
  ...PageQuery.properties,
  ...ApplicationFilter.properties,
});
export type ApplicationWorkbenchQuery = Static<typeof ApplicationWorkbenchQuery>;

/** Queue sizes for the workbench's tabs. */
export const ApplicationCounts = Type.Object({
  total: Type.Integer(),
  overdue: Type.Integer(),
  byStatus: Type.Array(Type.Object({ status: ApplicationStatus, count: Type.Integer() })),
});
export type ApplicationCounts = Static<typeof ApplicationCounts>;

/** Statistics filters: submission months `from`..`to` (inclusive), a unit's subtree, top N items. */
export const ApplicationStatsQuery = Type.Object({
  from: Type.Optional(MonthText),
  to: Type.Optional(MonthText),
  orgUnitId: Type.Optional(Id),
  top: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
});
export type ApplicationStatsQuery = Static<typeof ApplicationStatsQuery>;

export const ApplicationStats = Type.Object({
  /** Applications submitted in the period, withdrawn ones included. */
  total: Type.Integer(),
  byStatus: Type.Array(Type.Object({ status: ApplicationStatus, count: Type.Integer() })),
  /** The most requested items, most first. */
  byItem: Type.Array(Type.Object({ itemId: Id, name: Type.String(), count: Type.Integer() })),
  byCommunity: Type.Array(Type.Object({ orgUnitId: Id, name: Type.String(), count: Type.Integer() })),
  /** Submission month (Asia/Shanghai), ascending. */
  byMonth: Type.Array(Type.Object({ month: Type.String(), count: Type.Integer() })),
  /**
   * Accepted → done (办结), in calendar days, over applications that were accepted and done
   * (refused ones not counted); null when none.
   */
  handling: Type.Object({
    basis: Type.Literal('calendar_days'),
    count: Type.Integer(),
    averageDays: Nullable(Type.Number()),
  }),
  /**
   * 最多跑一次: of the applications not withdrawn, those with at most one in-person visit.
   * `rate` is oneTrip / counted, null when nothing is counted.
   */
  oneTrip: Type.Object({
    counted: Type.Integer(),
    oneTrip: Type.Integer(),
    multipleTrips: Type.Integer(),
    rate: Nullable(Type.Number()),
  }),
  /** 好差评: the ratings given, their average and how many of each star. */
  satisfaction: Type.Object({
    count: Type.Integer(),
    average: Nullable(Type.Number()),
    distribution: Type.Array(Type.Object({ rating: Type.Integer(), count: Type.Integer() })),
  }),
});
export type ApplicationStats = Static<typeof ApplicationStats>;
