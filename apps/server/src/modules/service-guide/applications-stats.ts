import {
  APPLICATION_STATUSES,
  type ApplicationCounts,
  type ApplicationCountsQuery,
  type ApplicationStats,
  type ApplicationStatsQuery,
  type ApplicationStatus,
} from '@linli/contracts';
import { and, desc, type SQL, sql } from 'drizzle-orm';
import { AppError } from '../../core/errors';
import type { RequestContext } from '../../core/context';
import { orgUnitsByIds } from '../identity/lookups';
import { overdueExpr } from './applications-queries';
import { applications } from './applications-schema';
import { type ApplicationDeps, inSubtree, workbenchFilters, workbenchVisible } from './applications-service';
import { itemsByIds } from './queries';

/**
 * Workbench queue counts and the statistics page (办件统计). Both use the workbench's scope
 * (workbenchVisible) and SQL aggregates: a fixed number of GROUP BY queries, never rows in JS.
 */

/** States that count as 办结 for the handling time (refused is an outcome, not a service done). */
const DONE_STATES: ApplicationStatus[] = ['done', 'result_ready', 'completed', 'rated'];
const list = (xs: readonly string[]) =>
  sql.join(
    xs.map((x) => sql`${x}`),
    sql`, `,
  );

/** The submission month in Asia/Shanghai (no daylight saving; no tz database needed). */
const monthExpr = sql<string>`to_char((${applications.createdAt} AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM')`;

/** `YYYY-MM` → the first instant of that month in Asia/Shanghai (optionally months later). */
function monthStart(month: string, plus = 0): Date {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 + plus, 1) - 8 * 3600_000);
}

/** Queue sizes per status (and overdue) under the workbench's scope and filters. */
export async function workbenchCounts(
  deps: ApplicationDeps,
  ctx: RequestContext,
  query: ApplicationCountsQuery,
): Promise<ApplicationCounts> {
  const visible = await workbenchVisible(deps, ctx);
  const now = deps.clock.now();
  const { overdue: _o, ...rest } = query;
  const where = and(visible, ...workbenchFilters(rest, now));
  const overdue = overdueExpr(now);
  const rows = await deps.db
    .select({
      status: applications.status,
      n: sql<number>`count(*)::int`,
      overdue: sql<number>`sum(${overdue})::int`,
    })
    .from(applications)
    .where(query.overdue === undefined ? where : and(where, sql`${overdue} = ${query.overdue ? 1 : 0}`))
    .groupBy(applications.status);
  const byStatus = APPLICATION_STATUSES.map((status) => ({
    status,
    count: Number(rows.find((r) => r.status === status)?.n ?? 0),
  }));
  return {
    total: byStatus.reduce((s, r) => s + r.count, 0),
    overdue: rows.reduce((s, r) => s + Number(r.overdue ?? 0), 0),
    byStatus,
  };
}

/**
 * 办件统计 for the caller's scope: by item (top N), community and month; average handling days
 * (accepted → done, calendar days); the one-trip rate; satisfaction. Six aggregate queries plus
 * two name lookups, whatever the number of applications.
 */
export async function applicationStats(
  deps: ApplicationDeps,
  ctx: RequestContext,
  query: ApplicationStatsQuery,
): Promise<ApplicationStats> {
  const visible = await workbenchVisible(deps, ctx);
  if (query.from && query.to && query.from > query.to) {
    throw AppError.validation(
      [{ field: 'querystring/to', message: 'must not be before from', code: 'minimum' }],
      'Invalid fields: querystring/to.',
    );
  }
  const conds: SQL[] = [visible];
  if (query.from)
    conds.push(sql`${applications.createdAt} >= ${monthStart(query.from).toISOString()}::timestamptz`);
  if (query.to)
    conds.push(sql`${applications.createdAt} < ${monthStart(query.to, 1).toISOString()}::timestamptz`);
  if (query.orgUnitId) conds.push(inSubtree(query.orgUnitId));
  const where = and(...conds);
  const count = sql<number>`count(*)::int`;
  const db = deps.db;

  const [totals, byStatus, byItem, byCommunity, byMonth, byRating] = await Promise.all([
    db
      .select({
        total: count,
        handled: sql<number>`count(*) FILTER (WHERE ${applications.status} IN (${list(DONE_STATES)}) AND ${applications.acceptedAt} IS NOT NULL AND ${applications.doneAt} IS NOT NULL)::int`,
        handlingDays: sql<
          string | null
        >`avg(extract(epoch FROM ${applications.doneAt} - ${applications.acceptedAt}) / 86400) FILTER (WHERE ${applications.status} IN (${list(DONE_STATES)}) AND ${applications.acceptedAt} IS NOT NULL AND ${applications.doneAt} IS NOT NULL)`,
        counted: sql<number>`count(*) FILTER (WHERE ${applications.status} <> 'withdrawn')::int`,
        oneTrip: sql<number>`count(*) FILTER (WHERE ${applications.status} <> 'withdrawn' AND ${applications.visits} <= 1)::int`,
        rated: sql<number>`count(${applications.rating})::int`,
        rating: sql<string | null>`avg(${applications.rating})`,
      })
      .from(applications)
      .where(where),
    db
      .select({ status: applications.status, n: count })
      .from(applications)
      .where(where)
      .groupBy(applications.status),
    db
      .select({ id: applications.itemId, n: count })
      .from(applications)
      .where(where)
      .groupBy(applications.itemId)
      .orderBy(desc(count), applications.itemId)
      .limit(query.top ?? 10),
    db
      .select({ id: applications.orgUnitId, n: count })
      .from(applications)
      .where(where)
      .groupBy(applications.orgUnitId)
      .orderBy(desc(count), applications.orgUnitId),
    db
      .select({ month: monthExpr, n: count })
      .from(applications)
      .where(where)
      .groupBy(monthExpr)
      .orderBy(monthExpr),
    db
      .select({ rating: applications.rating, n: count })
      .from(applications)
      .where(and(where, sql`${applications.rating} IS NOT NULL`))
      .groupBy(applications.rating),
  ]);
  const [items, units] = await Promise.all([
    itemsByIds(
      db,
      byItem.map((r) => r.id),
    ),
    orgUnitsByIds(
      db,
      byCommunity.map((r) => r.id),
    ),
  ]);
  const itemNames = new Map(items.map((i) => [i.id, i.name]));
  const t = totals[0]!;
  const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
  const counted = Number(t.counted);
  const oneTrip = Number(t.oneTrip);
  return {
    total: Number(t.total),
    byStatus: APPLICATION_STATUSES.map((status) => ({
      status,
      count: Number(byStatus.find((r) => r.status === status)?.n ?? 0),
    })),
    byItem: byItem.map((r) => ({ itemId: r.id, name: itemNames.get(r.id) ?? '', count: Number(r.n) })),
    byCommunity: byCommunity.map((r) => ({
      orgUnitId: r.id,
      name: units.get(r.id)?.name ?? '',
      count: Number(r.n),
    })),
    byMonth: byMonth.map((r) => ({ month: r.month, count: Number(r.n) })),
    handling: {
      basis: 'calendar_days',
      count: Number(t.handled),
      averageDays: t.handlingDays === null ? null : round(Number(t.handlingDays), 1),
    },
    oneTrip: {
      counted,
      oneTrip,
      multipleTrips: counted - oneTrip,
      rate: counted ? round(oneTrip / counted, 4) : null,
    },
    satisfaction: {
      count: Number(t.rated),
      average: t.rating === null ? null : round(Number(t.rating), 2),
      distribution: [1, 2, 3, 4, 5].map((rating) => ({
        rating,
        count: Number(byRating.find((r) => r.rating === rating)?.n ?? 0),
      })),
    },
  };
}
