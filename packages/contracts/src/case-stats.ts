import { type Static, Type } from 'typebox';
import { DayText } from './application-stats';
import { CaseQuery, CaseRating, CaseStatus } from './cases';
import { Id, Nullable } from './common';

/**
 * 城社共治 statistics (`GET /cases/stats`) and the .xlsx export (`GET /cases/export`). Both use the
 * dispatch board's scope: cases under the caller's `cases.read` grants plus those with their
 * squad, department or them.
 */

/** Statistics filters: report days `from`..`to` (Beijing, inclusive), a unit's subtree, a category prefix. */
export const CaseStatsQuery = Type.Object({
  from: Type.Optional(DayText),
  to: Type.Optional(DayText),
  orgUnitId: Type.Optional(Id),
  categoryCode: Type.Optional(Type.String({ pattern: '^[0-9]{2,4}$' })),
});
export type CaseStatsQuery = Static<typeof CaseStatsQuery>;

/** The export takes the list's filters (no cursor, no limit). */
export const CaseExportQuery = Type.Omit(CaseQuery, ['cursor', 'limit']);
export type CaseExportQuery = Static<typeof CaseExportQuery>;

const Count = Type.Integer({ minimum: 0 });

export const CaseStats = Type.Object({
  /** Cases reported in the period (every state). */
  total: Count,
  byStatus: Type.Array(Type.Object({ status: CaseStatus, count: Count })),
  /** Per sub-category, most first. */
  byCategory: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), count: Count })),
  /** Per community (null: only a town was found), most first. */
  byCommunity: Type.Array(Type.Object({ orgUnitId: Nullable(Id), name: Type.String(), count: Count })),
  /** ISO week of the report day in Beijing (`2026-W48`), ascending. */
  byWeek: Type.Array(Type.Object({ week: Type.String(), count: Count })),
  /**
   * Steps that left a waiting state (立案, 派遣, 签收, 处置, 核查 …): on time when no yellow card
   * was given for that step's deadline before it was taken. `rate` is onTime / finished.
   */
  onTime: Type.Object({
    finished: Count,
    onTime: Count,
    rate: Nullable(Type.Number()),
    byStep: Type.Array(Type.Object({ step: Type.String(), finished: Count, onTime: Count })),
  }),
  /** Report → 结案, in working hours on the district calendar, over the cases closed. */
  handling: Type.Object({
    basis: Type.Literal('working_hours'),
    count: Count,
    averageHours: Nullable(Type.Number()),
  }),
  satisfaction: Type.Object({
    count: Count,
    distribution: Type.Array(Type.Object({ rating: CaseRating, count: Count })),
    /** (满意 + 基本满意) / rated; null when none rated. */
    satisfiedRate: Nullable(Type.Number()),
  }),
  /**
   * Repeat hotspots: cells of 0.001° (about 100 m) with at least 3 cases of one category in the
   * 30 days up to the end of the period (or now); `lat`/`lng` is the cell's centre.
   */
  hotspots: Type.Array(
    Type.Object({
      categoryCode: Type.String(),
      categoryName: Type.String(),
      lat: Type.Number(),
      lng: Type.Number(),
      count: Count,
      community: Nullable(Type.String()),
    }),
  ),
  /**
   * Complaints (reported by residents or partner apps, not found on patrol) per community and week,
   * for the ten communities with the most complaints in the period (every community's total is in
   * `byCommunity`).
   */
  complaintTrend: Type.Array(
    Type.Object({ orgUnitId: Nullable(Id), name: Type.String(), week: Type.String(), count: Count }),
  ),
});
export type CaseStats = Static<typeof CaseStats>;
