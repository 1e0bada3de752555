import { type SQL, sql } from 'drizzle-orm';
import {
  todoCard,
  type WorkbenchCardInput,
  type WorkbenchContext,
  type WorkbenchSource,
} from '../../core/workbench';
import { scopeFilter, scopeRoots } from '../../core/permissions';
import { beijingDate } from '../calendar/working-time';
import { caseStatsRollup, FINISHING_STEPS, rowsOf, weekOfDay } from './rollups';
import { cases } from './schema';
import { OPEN_STATES, RUNNING_STATES } from './workflow';

/**
 * The cases module's cards on the console's 工作台 (manifest `workbench`, core/workbench.ts). Each
 * source is one statement. A count links to the list that shows exactly those rows: the same
 * predicate the list's filter applies (`mine`, `status`, `overdue`, `supervised`).
 */

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
const running = sql`${cases.status} IN (${list(RUNNING_STATES)})`;

/**
 * Cases with the caller's squad, department or them in person: the list's `mine` filter
 * (service.ts `staffBoard`), resolved inside the statement rather than read first.
 */
function handledByMe(accountId: string): SQL {
  return sql`(${cases.squadId} IN (SELECT m.squad_id FROM squad_members m WHERE m.account_id = ${accountId} AND m.active)
    OR ${cases.departmentId} = (SELECT a.department_id FROM accounts a WHERE a.id = ${accountId})
    OR ${cases.handlerId} = ${accountId})`;
}

/**
 * 待签收, 待处置, 处置中: the caller's own tasks, each with its nearest deadline; none for someone
 * who is no handler at all (the console also leaves 我的任务 out of their menu).
 */
const handlerCards: WorkbenchSource = {
  key: 'cases.handler',
  permission: 'cases.handle',
  async cards({ db, actor }) {
    if (!actor.accountId) return [];
    const [row] = rowsOf<Record<string, unknown>>(
      await db.execute(sql`
        SELECT count(*) FILTER (WHERE status = 'dispatched')::int AS dispatched,
               count(*) FILTER (WHERE status = 'accepted')::int AS accepted,
               count(*) FILTER (WHERE status = 'handling')::int AS handling,
               min(due_at) FILTER (WHERE status = 'dispatched') AS dispatched_due,
               min(due_at) FILTER (WHERE status = 'accepted') AS accepted_due,
               min(due_at) FILTER (WHERE status = 'handling') AS handling_due,
               (EXISTS (SELECT 1 FROM squad_members m WHERE m.account_id = ${actor.accountId} AND m.active)
                 OR EXISTS (SELECT 1 FROM accounts a WHERE a.id = ${actor.accountId} AND a.department_id IS NOT NULL)
               ) AS handler
        FROM ${cases}
        WHERE ${cases.status} IN ('dispatched', 'accepted', 'handling') AND ${handledByMe(actor.accountId)}`),
    );
    const counts = ['dispatched', 'accepted', 'handling'].map((s) => Number(row?.[s] ?? 0));
    // cases.handle alone makes nobody a handler (a district administrator holds every permission):
    // without a squad, a department or a case in person there is no queue to show.
    if (!row?.handler && counts.every((n) => n === 0)) return [];
    const card = (id: string, status: string, tone: WorkbenchCardInput['tone']): WorkbenchCardInput =>
      todoCard(
        `cases.${id}`,
        row?.[status],
        tone,
        { route: 'case-tasks', query: { status } },
        row?.[`${status}_due`],
      );
    return [
      card('toAccept', 'dispatched', 'danger'),
      card('toHandle', 'accepted', 'warning'),
      card('handling', 'handling', 'primary'),
    ];
  },
};

/** 待核查: handled cases where the caller may verify, without their own work (verification queue). */
const verifyCards: WorkbenchSource = {
  key: 'cases.verify',
  permission: 'cases.verify',
  async cards({ db, actor }) {
    const me = actor.accountId ?? '00000000-0000-0000-0000-000000000000';
    const [row] = rowsOf<{ n: number; due: string | null }>(
      await db.execute(sql`
        SELECT count(*)::int AS n, min(due_at) AS due FROM ${cases}
        WHERE ${cases.status} = 'handled' AND ${scopeFilter(actor, 'cases.verify', cases.orgUnitId)}
          AND ${cases.handledBy} IS DISTINCT FROM ${me} AND ${cases.handlerId} IS DISTINCT FROM ${me}`),
    );
    return [todoCard('cases.toVerify', row?.n, 'success', { route: 'case-verify', query: {} }, row?.due)];
  },
};

/** The unit ids at the roots of the caller's scope for `permission` (the rollups' `area` rows). */
const rootUnits = (ctx: WorkbenchContext, permission: 'cases.dispatch' | 'cases.supervise') => {
  const ids = scopeRoots(ctx.actor, permission).map((p) => p.split('/').filter(Boolean).at(-1)!);
  return sql`ARRAY[${sql.join(
    ['00000000-0000-0000-0000-000000000000', ...ids].map((id) => sql`${id}`),
    sql`, `,
  )}]::uuid[]`;
};

/**
 * 待立案, 待派遣: counted from the statistics rollup (its status counts per unit and week,
 * `case_stats_weekly` plus unfolded deltas), not by scanning cases.
 */
const dispatchCards: WorkbenchSource = {
  key: 'cases.dispatch',
  permission: 'cases.dispatch',
  async cards(ctx) {
    const [row] = rowsOf<{ reported: number; registered: number }>(
      await ctx.db.execute(sql`
        SELECT coalesce(sum(s_reported), 0)::int AS reported, coalesce(sum(s_registered), 0)::int AS registered
        FROM ${caseStatsRollup.source} AS s
        WHERE s.kind = 'area' AND s.category_code = '*' AND s.unit_id = ANY(${rootUnits(ctx, 'cases.dispatch')})
          AND ${scopeFilter(ctx.actor, 'cases.dispatch', sql`s.unit_id`)}`),
    );
    return [
      todoCard('cases.toRegister', row?.reported, 'primary', {
        route: 'cases',
        query: { status: 'reported' },
      }),
      todoCard('cases.toDispatch', row?.registered, 'warning', {
        route: 'cases',
        query: { status: 'registered' },
      }),
    ];
  },
};

/** 超时: running cases past their deadline in the caller's scope, the oldest deadline first. */
const overdueCards: WorkbenchSource = {
  key: 'cases.overdue',
  permission: 'cases.read',
  async cards({ db, actor, now }) {
    const [row] = rowsOf<{ n: number; due: string | null }>(
      await db.execute(sql`
        SELECT count(*)::int AS n, min(due_at) AS due FROM ${cases}
        WHERE ${running} AND ${cases.dueAt} < ${now.toISOString()}::timestamptz
          AND ${scopeFilter(actor, 'cases.read', cases.orgUnitId)}`),
    );
    return [
      todoCard('cases.overdue', row?.n, 'danger', { route: 'cases', query: { overdue: '1' } }, row?.due),
    ];
  },
};

/** 督办中: open cases under supervision in the caller's scope. */
const supervisionCards: WorkbenchSource = {
  key: 'cases.supervision',
  permission: 'cases.supervise',
  async cards({ db, actor }) {
    const [row] = rowsOf<{ n: number; due: string | null }>(
      await db.execute(sql`
        SELECT count(*)::int AS n, min(due_at) AS due FROM ${cases}
        WHERE ${cases.supervised} AND ${cases.status} IN (${list(OPEN_STATES)})
          AND ${scopeFilter(actor, 'cases.supervise', cases.orgUnitId)}`),
    );
    return [
      todoCard('cases.supervised', row?.n, 'warning', { route: 'case-supervision', query: {} }, row?.due),
    ];
  },
};

/** Weeks the figures compare: the last four (this one included) against the four before. */
const FIGURE_WEEKS = 4;
const TREND_WEEKS = 12;

const ratings = sql.raw('sum(r_satisfied + r_basically_satisfied + r_unsatisfied)::int');
const finished = sql.raw(`sum(${FINISHING_STEPS.map((s) => `f_${s}`).join(' + ')})::int`);
const onTime = sql.raw(`sum(${FINISHING_STEPS.map((s) => `o_${s}`).join(' + ')})::int`);

/**
 * 按时办结率 and 满意率 of the caller's units, the last four weeks against the four before, with
 * twelve weeks of the on-time rate as a trend: one read of the weekly rollup.
 */
const figureCards: WorkbenchSource = {
  key: 'cases.figures',
  permission: 'cases.supervise',
  async cards(ctx) {
    const thisWeek = weekOfDay(beijingDate(ctx.now));
    const back = (weeks: number) =>
      new Date(Date.parse(`${thisWeek}T00:00:00Z`) - weeks * 7 * 86_400_000).toISOString().slice(0, 10);
    const from = back(TREND_WEEKS - 1);
    const rows = rowsOf<{
      week: string;
      finished: number;
      on_time: number;
      rated: number;
      satisfied: number;
    }>(
      await ctx.db.execute(sql`
        SELECT to_char(s.week, 'YYYY-MM-DD') AS week, ${finished} AS finished, ${onTime} AS on_time,
               ${ratings} AS rated, sum(r_satisfied + r_basically_satisfied)::int AS satisfied
        FROM ${caseStatsRollup.source} AS s
        WHERE s.kind = 'area' AND s.category_code = '*' AND s.week >= ${from}::date
          AND s.unit_id = ANY(${rootUnits(ctx, 'cases.supervise')})
          AND ${scopeFilter(ctx.actor, 'cases.supervise', sql`s.unit_id`)}
        GROUP BY s.week`),
    );
    const byWeek = new Map(rows.map((r) => [r.week, r]));
    const weeks = Array.from({ length: TREND_WEEKS }, (_, i) => back(TREND_WEEKS - 1 - i));
    const sum = (ws: string[], k: 'finished' | 'on_time' | 'rated' | 'satisfied') =>
      ws.reduce((s, w) => s + Number(byWeek.get(w)?.[k] ?? 0), 0);
    const rate = (ws: string[], num: 'on_time' | 'satisfied', den: 'finished' | 'rated') => {
      const d = sum(ws, den);
      return d ? Math.round((sum(ws, num) / d) * 10_000) / 10_000 : null;
    };
    const recent = weeks.slice(-FIGURE_WEEKS);
    const before = weeks.slice(-2 * FIGURE_WEEKS, -FIGURE_WEEKS);
    const figure = (
      id: string,
      num: 'on_time' | 'satisfied',
      den: 'finished' | 'rated',
      route: string,
    ): WorkbenchCardInput => ({
      id: `cases.${id}`,
      kind: 'figure',
      value: rate(recent, num, den),
      previous: rate(before, num, den),
      format: 'percent',
      higherIsBetter: true,
      tone: 'primary',
      trend: weeks.map((w) => rate([w], num, den)),
      trendUnit: 'week',
      link: { route, query: {} },
    });
    return [
      figure('onTimeRate', 'on_time', 'finished', 'case-stats'),
      figure('satisfaction', 'satisfied', 'rated', 'case-stats'),
    ];
  },
};

export const casesWorkbench: readonly WorkbenchSource[] = [
  handlerCards,
  verifyCards,
  dispatchCards,
  overdueCards,
  supervisionCards,
  figureCards,
];
