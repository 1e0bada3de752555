import {
  CASE_RATINGS,
  CASE_STATUSES,
  CASE_STEPS,
  type CaseRating,
  type CaseStats,
  type CaseStatsQuery,
  type CaseStatus,
} from '@linli/contracts';
import { and, desc, eq, inArray, or, type SQL, sql } from 'drizzle-orm';
import type { RequestContext } from '../../core/context';
import { AppError } from '../../core/errors';
import { holds, requirePermission, scopeFilter } from '../../core/permissions';
import { beijingTime, loadCalendar } from '../calendar';
import { defaultDistrict, orgUnitsByIds } from '../identity/lookups';
import { handlerContextOf, listCategories } from './queries';
import { cases } from './schema';
import type { CaseDeps } from './service';
import { RUNNING_STATES, SELF_STEPS } from './workflow';

/**
 * 城社共治 statistics for the dispatch board's scope, as SQL aggregates: nine GROUP BY queries
 * plus the category and unit names, whatever the number of cases. Everything counts the cases
 * reported in the period (`from`..`to`, Beijing days), except the hotspots (the 30 days up to
 * the end of the period).
 */

const DAY_MS = 86_400_000;
/** A hotspot cell is 0.001° on a side: about 111 m north–south, 95 m east–west at 31° N. */
export const HOTSPOT_CELL_DEG = 0.001;
export const HOTSPOT_MIN_CASES = 3;
export const HOTSPOT_WINDOW_DAYS = 30;

/**
 * The board's scope rule (`listStaffCases`): cases under the caller's `cases.read` grants, or
 * with their squad, their department or them in person.
 */
export async function caseScope(deps: CaseDeps, ctx: RequestContext): Promise<SQL> {
  const { actor } = ctx;
  if (actor.kind !== 'staff' && actor.kind !== 'system')
    throw AppError.forbidden('Only staff see case statistics.');
  requirePermission(actor, 'cases.read');
  const handles: SQL[] = [];
  if (actor.kind === 'staff' && actor.accountId && holds(actor, 'cases.handle')) {
    const h = await handlerContextOf(deps.db, actor.accountId);
    if (h.squadIds.size) handles.push(inArray(cases.squadId, [...h.squadIds]));
    if (h.departmentId) handles.push(eq(cases.departmentId, h.departmentId));
    handles.push(eq(cases.handlerId, actor.accountId));
  }
  return or(scopeFilter(actor, 'cases.read', cases.orgUnitId), ...handles)!;
}

/** `orgUnitId`'s whole subtree (the list's rule). */
export const inSubtreeOf = (orgUnitId: string) =>
  sql`${cases.orgUnitId} IN (SELECT ou.id FROM org_units ou WHERE ou.path LIKE (SELECT p.path FROM org_units p WHERE p.id = ${orgUnitId}) || '%')`;

/** Beijing wall-clock of a timestamptz column (no tz database needed: UTC+8 all year). */
const beijing = (col: SQL | typeof cases.createdAt) =>
  sql`((${col} AT TIME ZONE 'UTC') + interval '8 hours')`;
const dayOf = (col: SQL | typeof cases.createdAt) => sql<string>`to_char(${beijing(col)}, 'YYYY-MM-DD')`;
const weekOf = (col: typeof cases.createdAt) => sql<string>`to_char(${beijing(col)}, 'IYYY-"W"IW')`;

/** `HH:MM` → hours. */
const hoursOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h + m / 60;
};

/**
 * Working hours already passed on the (working) Beijing day of `col` at its time of day: the sum,
 * over the schedule's periods, of how much of each lies before that time.
 */
function withinDayHours(
  col: SQL | typeof cases.createdAt,
  periods: readonly { start: string; end: string }[],
) {
  const h = sql`(extract(epoch FROM ${beijing(col)}::time) / 3600.0)`;
  return sql.join(
    periods.map((p) => {
      const s = hoursOf(p.start);
      const len = hoursOf(p.end) - s;
      return sql`least(greatest(${h} - ${s}::float8, 0), ${len}::float8)`;
    }),
    sql` + `,
  );
}

/** The first instant of a Beijing day, plus `days`. */
const dayStart = (day: string, days = 0) => new Date(beijingTime(day).getTime() + days * DAY_MS);

/** Steps in workflow order (the on-time chart reads left to right). */
const stepOrder = (step: string) => (CASE_STEPS as readonly string[]).indexOf(step);

/** `db.execute` answers rows (node-postgres' result) or an array, by driver. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

export async function caseStats(deps: CaseDeps, ctx: RequestContext, q: CaseStatsQuery): Promise<CaseStats> {
  const visible = await caseScope(deps, ctx);
  if (q.from && q.to && q.from > q.to) {
    throw AppError.validation(
      [{ field: 'querystring/to', message: 'must not be before from', code: 'minimum' }],
      'Invalid fields: querystring/to.',
    );
  }
  const districtId = ctx.actor.districtId ?? (await defaultDistrict(deps.db));
  const conds: SQL[] = [visible, eq(cases.districtId, districtId)];
  const filters: SQL[] = [];
  if (q.orgUnitId) filters.push(inSubtreeOf(q.orgUnitId));
  if (q.categoryCode) filters.push(sql`${cases.categoryCode} LIKE ${`${q.categoryCode}%`}`);
  const period: SQL[] = [];
  if (q.from) period.push(sql`${cases.createdAt} >= ${dayStart(q.from).toISOString()}::timestamptz`);
  if (q.to) period.push(sql`${cases.createdAt} < ${dayStart(q.to, 1).toISOString()}::timestamptz`);
  const where = and(...conds, ...filters, ...period)!;
  const db = deps.db;
  const count = sql<number>`count(*)::int`;
  const calendar = await loadCalendar(db, districtId);

  // Hotspots look at the 30 days up to the end of the period (or now, when that is earlier).
  const now = deps.clock.now();
  const end = q.to ? new Date(Math.min(dayStart(q.to, 1).getTime(), now.getTime())) : now;
  const hotFrom = new Date(end.getTime() - HOTSPOT_WINDOW_DAYS * DAY_MS);
  const cellLat = sql<number>`floor(${cases.lat} / ${sql.raw(String(HOTSPOT_CELL_DEG))})::int`;
  const cellLng = sql<number>`floor(${cases.lng} / ${sql.raw(String(HOTSPOT_CELL_DEG))})::int`;

  // Rows that start or end a wait: workflow steps, not the SLA job's marks. `start` keeps the
  // handling deadline of `accept` and the self steps keep the state, so neither begins a wait; a
  // step ends one when it leaves a state with a deadline (立案, 派遣, 签收, 退单, 处置, 核查).
  const waitSteps = sql.join(
    ['report', ...CASE_STEPS.filter((s) => s !== 'start' && !SELF_STEPS.has(s))].map((s) => sql`${s}`),
    sql`, `,
  );
  const waiting = sql.join(
    RUNNING_STATES.map((s) => sql`${s}`),
    sql`, `,
  );
  const closedDay = dayOf(cases.closedAt as unknown as SQL);

  const [byStatus, byCategory, byCommunity, byWeek, byRating, steps, handlingDays, hotspots, trend] =
    await Promise.all([
      db.select({ status: cases.status, n: count }).from(cases).where(where).groupBy(cases.status),
      db
        .select({ code: cases.categoryCode, n: count })
        .from(cases)
        .where(where)
        .groupBy(cases.categoryCode)
        .orderBy(desc(count), cases.categoryCode),
      db
        .select({ id: cases.communityId, n: count })
        .from(cases)
        .where(where)
        .groupBy(cases.communityId)
        .orderBy(desc(count), cases.communityId),
      db
        .select({ week: weekOf(cases.createdAt), n: count })
        .from(cases)
        .where(where)
        .groupBy(weekOf(cases.createdAt))
        .orderBy(weekOf(cases.createdAt)),
      db
        .select({ rating: cases.rating, n: count })
        .from(cases)
        .where(and(where, sql`${cases.rating} IS NOT NULL`))
        .groupBy(cases.rating),
      // Each finished step, the moment its waiting state began (the previous step that set a
      // deadline), and whether a yellow card for a deadline inside that wait was given before it.
      db.execute<{ step: string; finished: number; on_time: number }>(sql`
        WITH scoped AS (SELECT ${cases.id} AS id FROM ${cases} WHERE ${where}),
        timed AS (
          SELECT h.case_id, h.step, h.from_status, h.at,
                 lag(h.at) OVER (PARTITION BY h.case_id ORDER BY h.at, h.id) AS began
          FROM case_history h JOIN scoped s ON s.id = h.case_id
          WHERE h.step IN (${waitSteps})
        )
        SELECT t.step, count(*)::int AS finished,
               count(*) FILTER (WHERE NOT EXISTS (
                 SELECT 1 FROM case_sla_cards k
                 WHERE k.case_id = t.case_id AND k.level = 'yellow'
                   AND k.due_at >= t.began AND k.due_at < t.at AND k.at <= t.at
               ))::int AS on_time
        FROM timed t
        WHERE t.from_status IN (${waiting}) AND t.began IS NOT NULL
        GROUP BY t.step`),
      // Report → 结案 in working hours: per Beijing day of each end, how many and the working
      // hours already passed that day; the calendar turns days into cumulative working hours.
      db.execute<{ kind: 'a' | 'b'; day: string; n: number; within: number }>(sql`
        SELECT kind, day, count(*)::int AS n, coalesce(sum(within), 0)::float8 AS within FROM (
          SELECT 'a' AS kind, ${dayOf(cases.createdAt)} AS day, ${withinDayHours(cases.createdAt, calendar.schedule.periods)} AS within
          FROM ${cases} WHERE ${where} AND ${cases.closedAt} IS NOT NULL
          UNION ALL
          SELECT 'b', ${closedDay}, ${withinDayHours(cases.closedAt as unknown as SQL, calendar.schedule.periods)}
          FROM ${cases} WHERE ${where} AND ${cases.closedAt} IS NOT NULL
        ) x GROUP BY kind, day ORDER BY day`),
      db
        .select({
          code: cases.categoryCode,
          lat: cellLat,
          lng: cellLng,
          community: sql<string | null>`min(${cases.communityId}::text)`,
          n: count,
        })
        .from(cases)
        .where(
          and(
            ...conds,
            ...filters,
            sql`${cases.lat} IS NOT NULL AND ${cases.lng} IS NOT NULL`,
            sql`${cases.createdAt} >= ${hotFrom.toISOString()}::timestamptz`,
            sql`${cases.createdAt} <= ${end.toISOString()}::timestamptz`,
          ),
        )
        .groupBy(cases.categoryCode, cellLat, cellLng)
        .having(sql`count(*) >= ${HOTSPOT_MIN_CASES}`)
        .orderBy(desc(count))
        .limit(50),
      db
        .select({ id: cases.communityId, week: weekOf(cases.createdAt), n: count })
        .from(cases)
        .where(and(where, inArray(cases.source, ['resident', 'open311'])))
        .groupBy(cases.communityId, weekOf(cases.createdAt))
        .orderBy(weekOf(cases.createdAt), cases.communityId),
    ]);

  const unitIds = [
    ...byCommunity.map((r) => r.id),
    ...trend.map((r) => r.id),
    ...hotspots.map((r) => r.community),
  ].filter((x): x is string => !!x);
  const [categories, units] = await Promise.all([
    listCategories(db, districtId),
    orgUnitsByIds(db, [...new Set(unitIds)]),
  ]);
  const categoryName = new Map(categories.map((c) => [c.code, c.name]));
  const unitName = (id: string | null) => (id ? (units.get(id)?.name ?? '') : '');

  const statusCounts = CASE_STATUSES.map((status: CaseStatus) => ({
    status,
    count: Number(byStatus.find((r) => r.status === status)?.n ?? 0),
  }));
  const stepRows = rowsOf<{ step: string; finished: number; on_time: number }>(steps);
  const finished = stepRows.reduce((s, r) => s + Number(r.finished), 0);
  const onTime = stepRows.reduce((s, r) => s + Number(r.on_time), 0);

  // Cumulative working hours at the start of each day seen, then Σ(end) − Σ(start).
  const dayRows = rowsOf<{ kind: 'a' | 'b'; day: string; n: number; within: number }>(handlingDays);
  const days = [...new Set(dayRows.map((r) => r.day))].sort();
  const cumulative = new Map<string, number>();
  let acc = 0;
  days.forEach((d, i) => {
    if (i > 0) acc += calendar.elapsedWorkingHours(dayStart(days[i - 1]!), dayStart(d));
    cumulative.set(d, acc);
  });
  let sumEnd = 0;
  let sumStart = 0;
  let closed = 0;
  for (const r of dayRows) {
    const within = calendar.isWorkingDay(r.day) ? Number(r.within) : 0;
    const total = Number(r.n) * cumulative.get(r.day)! + within;
    if (r.kind === 'b') {
      sumEnd += total;
      closed += Number(r.n);
    } else sumStart += total;
  }

  const ratingCounts = CASE_RATINGS.map((rating: CaseRating) => ({
    rating,
    count: Number(byRating.find((r) => r.rating === rating)?.n ?? 0),
  }));
  const rated = ratingCounts.reduce((s, r) => s + r.count, 0);
  const satisfied = ratingCounts.filter((r) => r.rating !== 'unsatisfied').reduce((s, r) => s + r.count, 0);

  return {
    total: statusCounts.reduce((s, r) => s + r.count, 0),
    byStatus: statusCounts,
    byCategory: byCategory.map((r) => ({
      code: r.code,
      name: categoryName.get(r.code) ?? r.code,
      count: Number(r.n),
    })),
    byCommunity: byCommunity.map((r) => ({ orgUnitId: r.id, name: unitName(r.id), count: Number(r.n) })),
    byWeek: byWeek.map((r) => ({ week: r.week, count: Number(r.n) })),
    onTime: {
      finished,
      onTime,
      rate: finished ? round(onTime / finished, 4) : null,
      byStep: stepRows
        .map((r) => ({ step: r.step, finished: Number(r.finished), onTime: Number(r.on_time) }))
        .sort((a, b) => stepOrder(a.step) - stepOrder(b.step)),
    },
    handling: {
      basis: 'working_hours',
      count: closed,
      averageHours: closed ? round((sumEnd - sumStart) / closed) : null,
    },
    satisfaction: {
      count: rated,
      distribution: ratingCounts,
      satisfiedRate: rated ? round(satisfied / rated, 4) : null,
    },
    hotspots: hotspots.map((r) => ({
      categoryCode: r.code,
      categoryName: categoryName.get(r.code) ?? r.code,
      lat: round((Number(r.lat) + 0.5) * HOTSPOT_CELL_DEG, 4),
      lng: round((Number(r.lng) + 0.5) * HOTSPOT_CELL_DEG, 4),
      count: Number(r.n),
      community: r.community ? unitName(r.community) : null,
    })),
    complaintTrend: trend.map((r) => ({
      orgUnitId: r.id,
      name: unitName(r.id),
      week: r.week,
      count: Number(r.n),
    })),
  };
}
