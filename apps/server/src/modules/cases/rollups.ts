import { CASE_RATINGS, CASE_STATUSES, CASE_STEPS, type CaseStep } from '@linli/contracts';
import { type SQL, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../core/db/client';
import { defineRollup, foldAll, type Rollup } from '../../core/rollup-deltas';
import { loadCalendar } from '../calendar/service';
import { beijingDate, beijingTime, type WorkingCalendar } from '../calendar/working-time';
import type { CaseRow, caseHotspotDeltas, caseStatDeltas } from './schema';
import { CASE_TRANSITIONS, RUNNING_STATES, SELF_STEPS } from './workflow';

/**
 * The statistics rollups (`case_stats_weekly`, `case_hotspots_daily`, see schema.ts), kept by
 * rollup deltas (core/rollup-deltas.ts): every case write appends its delta row in its own
 * transaction (`case_stat_deltas`, `case_hotspot_deltas`), the job `cases.foldStats` folds them
 * in, the statistics read the folded rows plus the unfolded deltas (`caseStatsRollup.source`),
 * and `rebuildCaseStats` recounts everything from `cases`. A case's contribution is a function of
 * its row (week, units, category, source, status, rating, closing) plus one count per finished
 * step; a step adds contribution(after) − contribution(before) and its own step.
 */

/** Stands for "none" in the rollups' key columns (no community found, `area` rows). */
export const NIL_ID = '00000000-0000-0000-0000-000000000000';
/** The category key of the rows that count every category. */
export const ALL_CATEGORIES = '*';
/** A hotspot cell is 0.001° on a side: about 111 m north–south, 95 m east–west at 31° N. */
export const HOTSPOT_CELL_DEG = 0.001;
/** A hotspot: at least this many cases of one category in one cell … */
export const HOTSPOT_MIN_CASES = 3;
/** … within this many (Beijing) days. */
export const HOTSPOT_WINDOW_DAYS = 30;

/**
 * Steps that can end a wait (the on-time rate): those leaving a state with a deadline, except
 * `start` (it keeps the handling deadline of `accept`) and the self steps.
 */
export const FINISHING_STEPS = [
  ...new Set(
    RUNNING_STATES.flatMap((s) => Object.keys(CASE_TRANSITIONS[s]) as CaseStep[]).filter(
      (s) => s !== 'start' && !SELF_STEPS.has(s),
    ),
  ),
];

/** Counter columns of `case_stats_weekly`, in one fixed order (`handling_hours` is last). */
export const STAT_COLUMNS = [
  'reported',
  'complaints',
  ...CASE_STATUSES.map((s) => `s_${s}`),
  ...CASE_RATINGS.map((r) => `r_${r}`),
  ...FINISHING_STEPS.map((s) => `f_${s}`),
  ...FINISHING_STEPS.map((s) => `o_${s}`),
  'closed',
  'handling_hours',
] as const;

type Delta = Map<string, number>;

/** History steps that begin or end a wait: `start` keeps `accept`'s deadline, self steps the state. */
const WAIT_STEPS = ['report', ...CASE_STEPS.filter((s) => s !== 'start' && !SELF_STEPS.has(s))];

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** `db.execute` answers rows (node-postgres' result) or an array, by driver. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

/** Monday (Beijing) of the ISO week of a Beijing day. */
export function weekOfDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

/** What the case row itself contributes (no steps). */
function rowContribution(
  c: Pick<CaseRow, 'source' | 'status' | 'rating' | 'closedAt' | 'createdAt'>,
  calendar: WorkingCalendar,
): Delta {
  const d: Delta = new Map();
  d.set('reported', 1);
  d.set('complaints', c.source === 'patrol' ? 0 : 1);
  d.set(`s_${c.status}`, 1);
  if (c.rating) d.set(`r_${c.rating}`, 1);
  if (c.closedAt) {
    d.set('closed', 1);
    d.set('handling_hours', calendar.elapsedWorkingHours(c.createdAt, c.closedAt));
  }
  return d;
}

function add(into: Delta, from: Delta, sign: 1 | -1) {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + sign * v);
}

/** `s_not_registered` → `sNotRegistered`: the delta tables' Drizzle keys. */
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The delta row of `case_stat_deltas` that adds `delta` to every rollup row the case counts in. */
function statDeltaRow(
  c: Pick<CaseRow, 'createdAt' | 'orgUnitId' | 'communityId' | 'categoryCode'>,
  delta: Delta,
): typeof caseStatDeltas.$inferInsert {
  const row: Record<string, unknown> = {
    week: weekOfDay(beijingDate(c.createdAt)),
    orgUnitId: c.orgUnitId,
    communityId: c.communityId ?? NIL_ID,
    categoryCode: c.categoryCode,
  };
  for (const k of STAT_COLUMNS) row[camel(k)] = delta.get(k) ?? 0;
  return row as typeof caseStatDeltas.$inferInsert;
}

/** The case's units: its org unit and every ancestor (from the materialised path). */
const expandCaseStats = (d: SQL) => sql`
  SELECT u.kind, d.week, a.unit AS unit_id, u.community AS community_id, k.code AS category_code,
    ${sql.raw(STAT_COLUMNS.map((c) => `d.${c}`).join(', '))}
  FROM ${d} d
  JOIN org_units ou ON ou.id = d.org_unit_id
  CROSS JOIN LATERAL unnest(string_to_array(trim(both '/' FROM ou.path), '/')::uuid[]) a(unit)
  CROSS JOIN LATERAL (VALUES ('area', ${NIL_ID}::uuid), ('community', d.community_id)) u(kind, community)
  CROSS JOIN LATERAL (VALUES (d.category_code), (${ALL_CATEGORIES}::text)) k(code)`;

/** `case_stats_weekly`, kept by `case_stat_deltas`. */
export const caseStatsRollup: Rollup = defineRollup({
  table: 'case_stats_weekly',
  keys: ['unit_id', 'kind', 'category_code', 'week', 'community_id'],
  measures: STAT_COLUMNS,
  deltas: 'case_stat_deltas',
  expand: expandCaseStats,
});

const HOT_KEY = 'category_code, cell_lat, cell_lng';

/**
 * `case_hotspots_daily`, kept by `case_hotspot_deltas`. After each fold the cells it touched turn
 * hot for good once they held enough cases within a window, as a rebuild finds them.
 */
export const caseHotspotsRollup: Rollup = defineRollup({
  table: 'case_hotspots_daily',
  keys: ['day', 'unit_id', 'community_id', 'category_code', 'cell_lat', 'cell_lng'],
  measures: ['cases'],
  deltas: 'case_hotspot_deltas',
  async afterFold(tx, touched) {
    const cells = [...new Set(touched.map((r) => `${r.category_code}|${r.cell_lat}|${r.cell_lng}`))];
    const [codes, lats, lngs] = [0, 1, 2].map((i) => cells.map((c) => c.split('|')[i]!));
    await tx.execute(sql`
      WITH cells AS (
        SELECT * FROM unnest(${`{${codes!.join(',')}}`}::text[], ${`{${lats!.join(',')}}`}::int[],
          ${`{${lngs!.join(',')}}`}::int[]) AS c(category_code, cell_lat, cell_lng)
      ), hot AS (
        SELECT DISTINCT ${sql.raw(HOT_KEY)} FROM (
          SELECT h.category_code, h.cell_lat, h.cell_lng, sum(h.cases) OVER (
            PARTITION BY h.category_code, h.cell_lat, h.cell_lng ORDER BY h.day
            RANGE BETWEEN ${sql.raw(`'${HOTSPOT_WINDOW_DAYS - 1} days'`)}::interval PRECEDING AND CURRENT ROW
          ) AS n
          FROM case_hotspots_daily h JOIN cells USING (${sql.raw(HOT_KEY)})
        ) w WHERE n >= ${HOTSPOT_MIN_CASES}
      )
      UPDATE case_hotspots_daily h SET hot = true FROM hot
      WHERE NOT h.hot AND (h.category_code, h.cell_lat, h.cell_lng) = (hot.category_code, hot.cell_lat, hot.cell_lng)`);
  },
});

/** Both rollups of the cases module, in the order the fold job takes them. */
export const CASE_ROLLUPS = [caseStatsRollup, caseHotspotsRollup] as const;

/** Folds every pending delta now (tests; the job does it in production). */
export const foldCaseStats = (db: Db) => foldAll(db, CASE_ROLLUPS);

/**
 * What a new case adds to the rollups: its `case_stat_deltas` row, and its
 * `case_hotspot_deltas` row when it has a location. Written by `reportCase` in the statement
 * that creates the case.
 */
export function reportDeltaRows(
  c: Pick<
    CaseRow,
    | 'createdAt'
    | 'orgUnitId'
    | 'communityId'
    | 'categoryCode'
    | 'source'
    | 'status'
    | 'rating'
    | 'closedAt'
    | 'lat'
    | 'lng'
  >,
  calendar: WorkingCalendar,
): { stat: typeof caseStatDeltas.$inferInsert; hotspot: typeof caseHotspotDeltas.$inferInsert | null } {
  return {
    stat: statDeltaRow(c, rowContribution(c, calendar)),
    hotspot:
      c.lat === null || c.lng === null
        ? null
        : {
            day: beijingDate(c.createdAt),
            unitId: c.orgUnitId,
            communityId: c.communityId ?? NIL_ID,
            categoryCode: c.categoryCode,
            cellLat: cellOf(c.lat),
            cellLng: cellOf(c.lng),
            cases: 1,
          },
  };
}

const cellOf = (deg: number) => Math.floor(deg / HOTSPOT_CELL_DEG);

/**
 * In `applyStep`'s transaction, after the history row is written: appends one delta row that
 * moves the case from what it counted `before` to what it counts now (`after`), and counts the
 * step `historyId` when it ended a wait (on time unless a yellow card for a deadline inside that
 * wait was given before it). One statement: the finished step is found in SQL.
 */
export async function recordCaseStep(
  tx: Executor,
  before: CaseRow,
  after: CaseRow,
  historyId: string,
  step: CaseStep,
  calendar: WorkingCalendar,
) {
  const delta = rowContribution(after, calendar);
  add(delta, rowContribution(before, calendar), -1);
  // A step that moves nothing and cannot end a wait (支持, 督办) adds no row.
  if (![...delta.values()].some((v) => v !== 0) && !FINISHING_STEPS.includes(step)) return;
  const row = statDeltaRow(after, delta) as Record<string, unknown>;
  const value = (k: string) => {
    const base = sql`${(row[camel(k)] as number) ?? 0}`;
    if (k === 'handling_hours') return sql`${base}::float8`;
    const [kind, ...rest] = k.split('_');
    const step = rest.join('_');
    if (kind === 'f' && FINISHING_STEPS.includes(step as CaseStep))
      return sql`${base}::int + count(*) FILTER (WHERE f.step = ${step})::int`;
    if (kind === 'o' && FINISHING_STEPS.includes(step as CaseStep))
      return sql`${base}::int + count(*) FILTER (WHERE f.step = ${step} AND f.on_time)::int`;
    return sql`${base}::int`;
  };
  await tx.execute(sql`
    INSERT INTO case_stat_deltas (week, org_unit_id, community_id, category_code, ${sql.raw(STAT_COLUMNS.join(', '))})
    SELECT ${row.week}::date, ${row.orgUnitId}::uuid, ${row.communityId}::uuid, ${row.categoryCode}::text,
      ${sql.join(STAT_COLUMNS.map(value), sql`, `)}
    FROM (SELECT 1) one LEFT JOIN (${finishedSteps(sql`h.case_id = ${after.id}`, sql`t.id = ${historyId}`)}) f ON true`);
}

/**
 * The history rows that ended a wait, with `on_time`: each row's wait began at the previous row
 * that set a deadline; a step is late when a yellow card was given for a deadline inside that
 * wait before the step was taken. `rowFilter` narrows the answer (on `t`).
 */
function finishedSteps(historyFilter: SQL, rowFilter: SQL = sql`true`) {
  return sql`
    SELECT t.id, t.case_id, t.step, NOT EXISTS (
      SELECT 1 FROM case_sla_cards k
      WHERE k.case_id = t.case_id AND k.level = 'yellow'
        AND k.due_at >= t.began AND k.due_at < t.at AND k.at <= t.at
    ) AS on_time
    FROM (
      SELECT h.id, h.case_id, h.step, h.from_status, h.at,
             lag(h.at) OVER (PARTITION BY h.case_id ORDER BY h.at, h.id) AS began
      FROM case_history h
      WHERE ${historyFilter} AND h.step IN (${list(WAIT_STEPS)})
    ) t
    WHERE t.from_status IN (${list(RUNNING_STATES)}) AND t.began IS NOT NULL
      AND t.step IN (${list(FINISHING_STEPS)}) AND ${rowFilter}`;
}

/** Beijing wall-clock of a timestamptz column. */
const beijing = (col: SQL) => sql`((${col} AT TIME ZONE 'UTC') + interval '8 hours')`;

const hoursOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h + m / 60;
};

/** Working hours already passed on the Beijing day of `col` at its time of day (working days). */
function withinDayHours(col: SQL, periods: readonly { start: string; end: string }[]) {
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

/**
 * Fills the rollups once for a database that has cases but no rollup rows yet (one migrated from
 * before the rollups, or loaded by a bulk import): run at start-up, a no-op otherwise.
 */
export async function backfillCaseStats(db: Executor): Promise<boolean> {
  const [state] = rowsOf<{ rolled: boolean; cases: boolean }>(
    await db.execute(sql`
      SELECT EXISTS (SELECT 1 FROM case_stats_weekly) OR EXISTS (SELECT 1 FROM case_stat_deltas) AS rolled,
        EXISTS (SELECT 1 FROM cases) AS cases`),
  );
  if (!state || state.rolled || !state.cases) return false;
  await rebuildCaseStats(db);
  return true;
}

/**
 * Empties the rollups and their deltas and counts every case again, per district (one INSERT …
 * SELECT for the weekly rows and one for the hotspot cells each). Used after bulk loads (bench,
 * imports) and by tests; handling hours use the district's calendar as it is now. The deltas go
 * first: TRUNCATE waits for the transactions that appended one, and a report that appends its
 * delta after this point was not counted by the recount (its case row was not committed yet).
 */
export async function rebuildCaseStats(db: Executor): Promise<void> {
  await db.execute(
    sql`TRUNCATE case_stat_deltas, case_hotspot_deltas, case_stats_weekly, case_hotspots_daily`,
  );
  const spans = rowsOf<{ district_id: string; first: string; last: string }>(
    await db.execute(sql`
      SELECT district_id, to_char(min(${beijing(sql`created_at`)}), 'YYYY-MM-DD') AS first,
             to_char(greatest(max(${beijing(sql`created_at`)}), max(${beijing(sql`closed_at`)})), 'YYYY-MM-DD') AS last
      FROM cases GROUP BY district_id`),
  );
  for (const span of spans) {
    const calendar = await loadCalendar(db, span.district_id);
    // Working hours from the first day's start to each day's start, and whether it is worked.
    const days: string[] = [];
    const cum: number[] = [];
    const worked: boolean[] = [];
    let acc = 0;
    for (let t = beijingTime(span.first).getTime(), end = beijingTime(span.last).getTime(); t <= end; ) {
      const day = beijingDate(new Date(t));
      days.push(day);
      cum.push(acc);
      worked.push(calendar.isWorkingDay(day));
      const next = t + 86_400_000;
      acc += calendar.elapsedWorkingHours(new Date(t), new Date(next));
      t = next;
    }
    const periods = calendar.schedule.periods;
    const dayOf = (col: SQL) => sql`(${beijing(col)})::date`;
    const at = (col: SQL, alias: string) =>
      sql`(${sql.raw(alias)}.cum + CASE WHEN ${sql.raw(alias)}.worked THEN ${withinDayHours(col, periods)} ELSE 0 END)`;
    const measures = sql.raw(STAT_COLUMNS.map((k) => `c.${k}`).join(', '));
    const sums = STAT_COLUMNS.map((k) =>
      k === 'handling_hours' ? sql.raw(`sum(${k})::float8`) : sql.raw(`sum(${k})::int`),
    );
    await db.execute(sql`
      WITH cal AS (
        SELECT * FROM unnest(${`{${days.join(',')}}`}::date[], ${`{${cum.join(',')}}`}::float8[],
          ${`{${worked.join(',')}}`}::boolean[]) AS x(day, cum, worked)
      ),
      steps AS (
        SELECT f.case_id,
          ${sql.join(
            FINISHING_STEPS.map(
              (s) => sql`count(*) FILTER (WHERE f.step = ${s})::int AS ${sql.raw(`f_${s}`)},
                count(*) FILTER (WHERE f.step = ${s} AND f.on_time)::int AS ${sql.raw(`o_${s}`)}`,
            ),
            sql`, `,
          )}
        FROM (${finishedSteps(sql`h.case_id IN (SELECT id FROM cases WHERE district_id = ${span.district_id})`)}) f
        GROUP BY f.case_id
      ),
      c AS (
        SELECT date_trunc('week', ${beijing(sql`c.created_at`)})::date AS week, c.org_unit_id AS unit,
          coalesce(c.community_id, ${NIL_ID}::uuid) AS community, c.category_code AS code,
          string_to_array(trim(both '/' FROM ou.path), '/')::uuid[] AS units,
          1 AS reported, (c.source <> 'patrol')::int AS complaints,
          ${sql.join(
            CASE_STATUSES.map((s) => sql`(c.status = ${s})::int AS ${sql.raw(`s_${s}`)}`),
            sql`, `,
          )},
          ${sql.join(
            CASE_RATINGS.map((r) => sql`(c.rating IS NOT DISTINCT FROM ${r})::int AS ${sql.raw(`r_${r}`)}`),
            sql`, `,
          )},
          ${sql.join(
            FINISHING_STEPS.map(
              (s) => sql`coalesce(st.${sql.raw(`f_${s}`)}, 0) AS ${sql.raw(`f_${s}`)},
                coalesce(st.${sql.raw(`o_${s}`)}, 0) AS ${sql.raw(`o_${s}`)}`,
            ),
            sql`, `,
          )},
          (c.closed_at IS NOT NULL)::int AS closed,
          CASE WHEN c.closed_at IS NULL THEN 0::float8
               ELSE ${at(sql`c.closed_at`, 'b')} - ${at(sql`c.created_at`, 'a')} END AS handling_hours
        FROM cases c
        JOIN org_units ou ON ou.id = c.org_unit_id
        JOIN cal a ON a.day = ${dayOf(sql`c.created_at`)}
        LEFT JOIN cal b ON b.day = ${dayOf(sql`c.closed_at`)}
        LEFT JOIN steps st ON st.case_id = c.id
        WHERE c.district_id = ${span.district_id}
      ),
      x AS (
        SELECT 'area' AS kind, c.week, u.unit AS unit_id, ${NIL_ID}::uuid AS community_id, k.code AS category_code, ${measures}
        FROM c CROSS JOIN LATERAL unnest(c.units) u(unit) CROSS JOIN LATERAL (VALUES (c.code), (${ALL_CATEGORIES})) k(code)
        UNION ALL
        SELECT 'community', c.week, u.unit, c.community, k.code, ${measures}
        FROM c CROSS JOIN LATERAL unnest(c.units) u(unit) CROSS JOIN LATERAL (VALUES (c.code), (${ALL_CATEGORIES})) k(code)
      )
      INSERT INTO case_stats_weekly (kind, week, unit_id, community_id, category_code, ${sql.raw(STAT_COLUMNS.join(', '))})
      SELECT kind, week, unit_id, community_id, category_code, ${sql.join(sums, sql`, `)}
      FROM x GROUP BY 1, 2, 3, 4, 5
      -- In the key's order: each unit's rows sit together on disk, as the statistics read them.
      ORDER BY unit_id, kind, category_code, week, community_id`);
    await db.execute(sql`
      WITH g AS (
        SELECT ${dayOf(sql`created_at`)} AS day, org_unit_id AS unit_id,
          coalesce(community_id, ${NIL_ID}::uuid) AS community_id, category_code,
          floor(lat / ${sql.raw(String(HOTSPOT_CELL_DEG))})::int AS cell_lat,
          floor(lng / ${sql.raw(String(HOTSPOT_CELL_DEG))})::int AS cell_lng, count(*)::int AS cases
        FROM cases WHERE district_id = ${span.district_id} AND lat IS NOT NULL AND lng IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6
      ),
      hot AS (
        SELECT DISTINCT category_code, cell_lat, cell_lng FROM (
          SELECT category_code, cell_lat, cell_lng, sum(cases) OVER (
            PARTITION BY category_code, cell_lat, cell_lng ORDER BY day
            RANGE BETWEEN ${sql.raw(`'${HOTSPOT_WINDOW_DAYS - 1} days'`)}::interval PRECEDING AND CURRENT ROW
          ) AS n FROM g
        ) w WHERE n >= ${HOTSPOT_MIN_CASES}
      )
      INSERT INTO case_hotspots_daily (day, unit_id, community_id, category_code, cell_lat, cell_lng, cases, hot)
      SELECT g.*, h.category_code IS NOT NULL
      FROM g LEFT JOIN hot h USING (category_code, cell_lat, cell_lng)
      ORDER BY g.day`);
  }
}
