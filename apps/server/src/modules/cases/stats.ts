import {
  CASE_RATINGS,
  CASE_STATUSES,
  CASE_STEPS,
  type CaseStats,
  type CaseStatsQuery,
} from '@linli/contracts';
import { type SQL, sql } from 'drizzle-orm';
import type { RequestContext } from '../../core/context';
import { AppError } from '../../core/errors';
import { requirePermission, scopeRoots } from '../../core/permissions';
import { beijingDate, beijingTime } from '../calendar';
import { defaultDistrict, orgUnitsByIds } from '../identity/lookups';
import { listCategories } from './queries';
import {
  ALL_CATEGORIES,
  caseStatsRollup,
  FINISHING_STEPS,
  HOTSPOT_CELL_DEG,
  HOTSPOT_MIN_CASES,
  HOTSPOT_WINDOW_DAYS,
  NIL_ID,
  rowsOf,
  STAT_COLUMNS,
  weekOfDay,
} from './rollups';
import type { CaseDeps } from './service';

/**
 * 城社共治 statistics for the caller's `cases.read` scope, read from the rollups (rollups.ts) plus
 * their deltas not folded yet, so they are exact at any moment (core/rollup-deltas.ts):
 * six queries (unit paths, weekly totals, categories, communities × weeks, hotspot cells) plus
 * the category and unit names, whatever the number of cases. Periods are whole ISO weeks
 * (Beijing): `from`/`to` select the weeks holding them. Hotspots look at the 30 Beijing days up
 * to the end of the period (or today).
 */

const DAY_MS = 86_400_000;
export { HOTSPOT_CELL_DEG, HOTSPOT_MIN_CASES, HOTSPOT_WINDOW_DAYS };

/** The first instant of a Beijing day, plus `days`. */
const dayStart = (day: string, days = 0) => new Date(beijingTime(day).getTime() + days * DAY_MS);

/** Steps in workflow order (the on-time chart reads left to right). */
const stepOrder = (step: string) => (CASE_STEPS as readonly string[]).indexOf(step);

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The last id of a materialised path (`/d/t/c/` → c). */
const unitOfPath = (path: string) => path.split('/').filter(Boolean).at(-1)!;

/**
 * Subtree roots `roots` cut down to the subtree of `path`: a root holding `path` gives `path`,
 * a root inside it stays, the others go; nested results are folded away.
 */
function narrow(roots: readonly string[], path: string): string[] {
  const out = roots.flatMap((r) => (path.startsWith(r) ? [path] : r.startsWith(path) ? [r] : []));
  return [...new Set(out)]
    .sort((a, b) => a.length - b.length)
    .filter((p, i, all) => !all.slice(0, i).some((r) => p.startsWith(r)));
}

type Totals = Record<string, number>;

/** Ids in PostgreSQL's uuid order (none first). */
const byId = (a: string | null, b: string | null) =>
  (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;

const WEEK_LABELS = new Map<number, string>();
/** `2026-W48` for the Monday `days` days after Monday 2000-01-03 (the ISO year is its Thursday's). */
function isoWeekLabel(days: number): string {
  let label = WEEK_LABELS.get(days);
  if (!label) {
    const thursday = new Date(Date.UTC(2000, 0, 3 + days + 3));
    const year = thursday.getUTCFullYear();
    const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
    label = `${year}-W${String(week).padStart(2, '0')}`;
    WEEK_LABELS.set(days, label);
  }
  return label;
}

/** The next digit string of the same length ('0299' → '0300'); callers rule out all nines. */
function nextDigits(digits: string): string {
  const n = (BigInt(digits) + 1n).toString();
  return n.padStart(digits.length, '0');
}

/** How many communities the complaint trend follows (those with the most complaints). */
const TREND_COMMUNITIES = 10;

export async function caseStats(deps: CaseDeps, ctx: RequestContext, q: CaseStatsQuery): Promise<CaseStats> {
  const { actor } = ctx;
  if (actor.kind !== 'staff' && actor.kind !== 'system')
    throw AppError.forbidden('Only staff see case statistics.');
  requirePermission(actor, 'cases.read');
  if (q.from && q.to && q.from > q.to) {
    throw AppError.validation(
      [{ field: 'querystring/to', message: 'must not be before from', code: 'minimum' }],
      'Invalid fields: querystring/to.',
    );
  }
  const db = deps.db;
  const districtId = actor.districtId ?? (await defaultDistrict(db));
  const wanted = [districtId, ...(q.orgUnitId ? [q.orgUnitId] : [])];
  const paths = new Map(
    rowsOf<{ id: string; path: string }>(
      await db.execute(
        sql`SELECT id, path FROM org_units WHERE id IN (${sql.join(
          wanted.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      ),
    ).map((r) => [r.id, r.path]),
  );
  // The subtrees to count: the caller's cases.read roots within the district (and the filter).
  let roots = actor.kind === 'system' ? [paths.get(districtId) ?? '\0'] : scopeRoots(actor, 'cases.read');
  roots = narrow(roots, paths.get(districtId) ?? '\0');
  if (q.orgUnitId) roots = narrow(roots, paths.get(q.orgUnitId) ?? '\0');
  const rootIds = roots.map(unitOfPath);
  const rootUnits = sql`ARRAY[${sql.join(
    ['00000000-0000-0000-0000-000000000000', ...rootIds].map((id) => sql`${id}`),
    sql`, `,
  )}]::uuid[]`;
  const underRoots = roots.length
    ? sql`unit_id IN (SELECT ou.id FROM org_units ou WHERE ou.path LIKE ANY(ARRAY[${sql.join(
        roots.map((r) => sql`${`${r}%`}`),
        sql`, `,
      )}]::text[]))`
    : sql`false`;
  // Category rows: `*` unless a prefix is asked for, then the sub-categories under it.
  // The prefix also as a range of digit strings, which the key index can seek (LIKE cannot
  // outside the C collation): '02' → ['02', '03'), '09' → ['09', '10'), '99' → ['99', …).
  const prefix = q.categoryCode ?? '';
  const above = prefix && /[0-8]/.test(prefix) ? nextDigits(prefix) : null;
  const subRows = sql`category_code <> ${ALL_CATEGORIES} AND category_code >= ${prefix}${
    above ? sql` AND category_code < ${above}` : sql``
  } AND category_code LIKE ${`${prefix}%`}`;
  const category = q.categoryCode ? subRows : sql`category_code = ${ALL_CATEGORIES}`;
  const weeks: SQL[] = [];
  if (q.from) weeks.push(sql` AND week >= ${weekOfDay(q.from)}::date`);
  if (q.to) weeks.push(sql` AND week <= ${weekOfDay(q.to)}::date`);
  const period = sql.join(weeks, sql``);

  // Hotspots: the 30 Beijing days up to the end of the period (or today, when that is earlier).
  const now = deps.clock.now();
  const end = q.to ? new Date(Math.min(dayStart(q.to, 1).getTime() - 1, now.getTime())) : now;
  const hotFrom = beijingDate(new Date(end.getTime() - (HOTSPOT_WINDOW_DAYS - 1) * DAY_MS));
  const hotTo = beijingDate(end);

  // Hotspot rows: the folded rows of hot cells, those of cells with unfolded deltas (a delta can
  // make a cell hot; the HAVING below decides, as it would after the fold), and the deltas.
  const hotspotSource = sql`(
    SELECT day, unit_id, community_id, category_code, cell_lat, cell_lng, cases FROM case_hotspots_daily WHERE hot
    UNION ALL
    SELECT day, unit_id, community_id, category_code, cell_lat, cell_lng, cases FROM case_hotspots_daily
    WHERE NOT hot AND (category_code, cell_lat, cell_lng) IN (
      SELECT category_code, cell_lat, cell_lng FROM case_hotspot_deltas)
    UNION ALL
    SELECT day, unit_id, community_id, category_code, cell_lat, cell_lng, cases FROM case_hotspot_deltas)`;
  const sums = sql.raw(
    STAT_COLUMNS.map((k) => `sum(${k})::${k === 'handling_hours' ? 'float8' : 'int'} AS ${k}`).join(', '),
  );
  const [byWeekRows, byCategory, communityWeeks, hotspots] = await Promise.all([
    db.execute(sql`
      SELECT to_char(week, 'IYYY-"W"IW') AS week, ${sums}
      FROM ${caseStatsRollup.source} AS case_stats_weekly
      WHERE unit_id = ANY(${rootUnits}) AND kind = 'area' AND ${category}${period}
      GROUP BY case_stats_weekly.week ORDER BY case_stats_weekly.week`),
    db.execute(sql`
      SELECT category_code AS code, sum(reported)::int AS n
      FROM ${caseStatsRollup.source} AS case_stats_weekly
      WHERE unit_id = ANY(${rootUnits}) AND kind = 'area' AND ${subRows}${period}
      GROUP BY category_code HAVING sum(reported) > 0 ORDER BY n DESC, category_code`),
    // One row per community with its totals, and for the TREND_COMMUNITIES with the most
    // complaints their weeks as arrays: a district's two years are 10k (community, week) pairs,
    // of which the trend needs a tenth; the rest never leaves the database.
    db.execute(sql`
      WITH cw AS (
        SELECT community_id, week, sum(reported)::int AS n, sum(complaints)::int AS complaints
        FROM ${caseStatsRollup.source} AS case_stats_weekly
        WHERE unit_id = ANY(${rootUnits}) AND kind = 'community' AND ${category}${period}
        GROUP BY community_id, week HAVING sum(reported) > 0
      ), tot AS (
        SELECT community_id, sum(n)::int AS n, sum(complaints)::int AS complaints FROM cw GROUP BY community_id
      ), top AS (
        SELECT community_id FROM tot WHERE complaints > 0
        ORDER BY complaints DESC, community_id LIMIT ${TREND_COMMUNITIES}
      )
      SELECT nullif(tot.community_id, ${NIL_ID}::uuid) AS id, tot.n, tr.days, tr.complaints
      FROM tot LEFT JOIN (
        SELECT community_id, array_agg(week - DATE '2000-01-03' ORDER BY week) AS days,
               array_agg(complaints ORDER BY week) AS complaints
        FROM cw WHERE complaints > 0 AND community_id IN (SELECT community_id FROM top)
        GROUP BY community_id
      ) tr USING (community_id)`),
    db.execute(sql`
      SELECT category_code AS code, cell_lat AS lat, cell_lng AS lng,
             min(nullif(community_id, ${NIL_ID}::uuid)::text) AS community, sum(cases)::int AS n
      FROM ${hotspotSource} h
      WHERE day >= ${hotFrom}::date AND day <= ${hotTo}::date AND ${underRoots}
        AND category_code LIKE ${`${q.categoryCode ?? ''}%`}
      GROUP BY category_code, cell_lat, cell_lng
      HAVING sum(cases) >= ${HOTSPOT_MIN_CASES}
      ORDER BY n DESC, category_code, cell_lat, cell_lng
      LIMIT 50`),
  ]);
  const weekRows = rowsOf<{ week: string } & Totals>(byWeekRows);
  const categoryRows = rowsOf<{ code: string; n: number }>(byCategory);
  const communityRows = rowsOf<{
    id: string | null;
    n: number;
    days: number[] | null;
    complaints: number[] | null;
  }>(communityWeeks);
  const trendRows = communityRows
    .flatMap((r) =>
      (r.days ?? []).map((d, i) => ({
        id: r.id,
        day: Number(d),
        week: isoWeekLabel(Number(d)),
        complaints: Number(r.complaints![i]),
      })),
    )
    .sort((a, b) => a.day - b.day || byId(a.id, b.id));
  const hotRows = rowsOf<{ code: string; lat: number; lng: number; community: string | null; n: number }>(
    hotspots,
  );

  const unitIds = [...communityRows.map((r) => r.id), ...hotRows.map((r) => r.community)].filter(
    (x): x is string => !!x,
  );
  const [categories, units] = await Promise.all([
    listCategories(db, districtId),
    orgUnitsByIds(db, [...new Set(unitIds)]),
  ]);
  const categoryName = new Map(categories.map((c) => [c.code, c.name]));
  const unitName = (id: string | null) => (id ? (units.get(id)?.name ?? '') : '');

  const totals = Object.fromEntries(STAT_COLUMNS.map((k) => [k, 0])) as Totals;
  for (const r of weekRows) for (const k of STAT_COLUMNS) totals[k] = (totals[k] ?? 0) + Number(r[k]);
  const total = (k: string) => totals[k] ?? 0;

  const byCommunity = communityRows
    .map((r) => ({ orgUnitId: r.id, name: unitName(r.id), count: Number(r.n) }))
    .sort((a, b) => b.count - a.count || byId(a.orgUnitId, b.orgUnitId));

  const byStep = FINISHING_STEPS.map((step) => ({
    step,
    finished: total(`f_${step}`),
    onTime: total(`o_${step}`),
  }))
    .filter((r) => r.finished > 0)
    .sort((a, b) => stepOrder(a.step) - stepOrder(b.step));
  const finished = byStep.reduce((s, r) => s + r.finished, 0);
  const onTime = byStep.reduce((s, r) => s + r.onTime, 0);

  const distribution = CASE_RATINGS.map((rating) => ({ rating, count: total(`r_${rating}`) }));
  const rated = distribution.reduce((s, r) => s + r.count, 0);
  const satisfied = distribution.filter((r) => r.rating !== 'unsatisfied').reduce((s, r) => s + r.count, 0);
  const byStatus = CASE_STATUSES.map((status) => ({ status, count: total(`s_${status}`) }));

  return {
    total: byStatus.reduce((s, r) => s + r.count, 0),
    byStatus,
    byCategory: categoryRows.map((r) => ({
      code: r.code,
      name: categoryName.get(r.code) ?? r.code,
      count: Number(r.n),
    })),
    byCommunity,
    byWeek: weekRows
      .filter((r) => Number(r.reported) > 0)
      .map((r) => ({ week: r.week, count: Number(r.reported) })),
    onTime: { finished, onTime, rate: finished ? round(onTime / finished, 4) : null, byStep },
    handling: {
      basis: 'working_hours',
      count: total('closed'),
      averageHours: total('closed') ? round(total('handling_hours') / total('closed')) : null,
    },
    satisfaction: {
      count: rated,
      distribution,
      satisfiedRate: rated ? round(satisfied / rated, 4) : null,
    },
    hotspots: hotRows.map((r) => ({
      categoryCode: r.code,
      categoryName: categoryName.get(r.code) ?? r.code,
      lat: round((Number(r.lat) + 0.5) * HOTSPOT_CELL_DEG, 4),
      lng: round((Number(r.lng) + 0.5) * HOTSPOT_CELL_DEG, 4),
      count: Number(r.n),
      community: r.community ? unitName(r.community) : null,
    })),
    // The communities with the most complaints in the period (a chart of a district's 93 lines
    // over two years says nothing); every community's total is in byCommunity.
    complaintTrend: trendRows.map((r) => ({
      orgUnitId: r.id,
      name: unitName(r.id),
      week: r.week,
      count: r.complaints,
    })),
  };
}
