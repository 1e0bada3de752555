import { PassThrough, type Readable } from 'node:stream';
import type { BurdenIndex, BurdenQuery } from '@linli/contracts';
import ExcelJS from 'exceljs';
import { type SQL, sql } from 'drizzle-orm';
import type { RequestContext } from '../../core/context';
import type { Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize, requirePermission, scopeFilter } from '../../core/permissions';
import { beijingDate, beijingTime } from '../calendar';
import { findOrgUnit, orgUnitsByIds, pathIds } from '../identity/lookups';
import type { AdmissionDeps } from './lists-service';
import {
  admissionOutsideReports,
  admissionRequests,
  admissionRequestTargets,
  admissionTasks,
} from './schema';

/**
 * The burden index (减负指数): per community per month, what departments demand of it.
 * - From approved admissions (admission_tasks): a task counts in every month of its term
 *   (a one-off task in the month it was handed over; a withdrawn one until its withdrawal), with
 *   its forms and ledgers, meetings per month, inspections and estimated hours per month.
 * - From outside-the-system reports (体制外派活), in the month it happened: one report adds one
 *   to its kind (task, form, meeting or inspection), its estimated hours, and `outsideReports`.
 * Both are SQL aggregates grouped by community, month and department; the rest is folding.
 */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];

interface Numbers {
  tasks: number;
  forms: number;
  meetings: number;
  inspections: number;
  hours: number;
  outsideReports: number;
}
const zero = (): Numbers => ({
  tasks: 0,
  forms: 0,
  meetings: 0,
  inspections: 0,
  hours: 0,
  outsideReports: 0,
});
const add = (a: Numbers, b: Numbers) => {
  for (const k of Object.keys(a) as (keyof Numbers)[]) a[k] += b[k];
};
const round = (n: Numbers): Numbers => ({ ...n, hours: Math.round(n.hours * 10) / 10 });

function monthsBack(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const d = new Date(Date.UTC(y, m - 1 - n, 1));
  return d.toISOString().slice(0, 7);
}

/** The months asked for: default the twelve up to this one; 400 naming the field when they contradict. */
export function burdenRange(query: { from?: string; to?: string }, now: Date): { from: string; to: string } {
  const to = query.to ?? beijingDate(now).slice(0, 7);
  const from = query.from ?? monthsBack(to, 11);
  const bad: { field: string; message: string; code: string }[] = [];
  if (!MONTH.test(from)) bad.push({ field: 'querystring/from', message: 'must be YYYY-MM', code: 'format' });
  if (!MONTH.test(to)) bad.push({ field: 'querystring/to', message: 'must be YYYY-MM', code: 'format' });
  if (!bad.length && from > to)
    bad.push({ field: 'querystring/to', message: 'must not be before from', code: 'minimum' });
  if (!bad.length && from < monthsBack(to, 59))
    bad.push({ field: 'querystring/from', message: 'the range may span at most 60 months', code: 'maximum' });
  if (bad.length) throw AppError.validation(bad, `Invalid fields: ${bad.map((b) => b.field).join(', ')}.`);
  return { from, to };
}

interface RawRow {
  org_unit_id: string;
  month: string;
  department: string;
  tasks: number;
  forms: number;
  meetings: number;
  inspections: number;
  hours: number;
  outside_reports: number;
}

async function aggregate(db: Executor, scope: SQL, unitFilter: SQL, range: { from: string; to: string }) {
  const fromDay = `${range.from}-01`;
  const toDay = `${range.to}-01`;
  const t = admissionTasks;
  const o = admissionOutsideReports;
  const taskRows = rowsOf<RawRow>(
    await db.execute(sql`
      SELECT ${t.orgUnitId} AS org_unit_id, to_char(m, 'YYYY-MM') AS month, d.name AS department,
             count(*)::int AS tasks,
             sum(${t.formsCount})::int AS forms,
             sum(${t.meetingsPerMonth})::int AS meetings,
             sum(${t.inspectionsPerMonth})::int AS inspections,
             sum(${t.estimatedHoursPerMonth})::float8 AS hours,
             0 AS outside_reports
      FROM ${t}
      JOIN departments d ON d.id = ${t.departmentId}
      CROSS JOIN LATERAL generate_series(
        date_trunc('month', ${t.activeFrom}::timestamp),
        date_trunc('month', ${t.activeUntil}::timestamp),
        interval '1 month') AS m
      WHERE ${scope} AND ${unitFilter}
        AND m >= ${fromDay}::timestamp AND m <= ${toDay}::timestamp
      GROUP BY 1, 2, 3`),
  );
  const outsideRows = rowsOf<RawRow>(
    await db.execute(sql`
      SELECT ${o.orgUnitId} AS org_unit_id, to_char(${o.happenedOn}, 'YYYY-MM') AS month,
             ${o.departmentName} AS department,
             (count(*) FILTER (WHERE ${o.kind} = 'task'))::int AS tasks,
             (count(*) FILTER (WHERE ${o.kind} = 'form'))::int AS forms,
             (count(*) FILTER (WHERE ${o.kind} = 'meeting'))::int AS meetings,
             (count(*) FILTER (WHERE ${o.kind} = 'inspection'))::int AS inspections,
             sum(${o.estimatedHours})::float8 AS hours,
             count(*)::int AS outside_reports
      FROM ${o}
      WHERE ${scope} AND ${unitFilter}
        AND ${o.happenedOn} >= ${fromDay}::date
        AND ${o.happenedOn} < (${toDay}::date + interval '1 month')
      GROUP BY 1, 2, 3`),
  );
  return [...taskRows, ...outsideRows];
}

/** Requests filed in the range that target a community in scope, by department and status. */
async function requestCounts(db: Executor, scope: SQL, unitFilter: SQL, range: { from: string; to: string }) {
  const r = admissionRequests;
  const start = beijingTime(`${range.from}-01`);
  const end = beijingTime(`${monthsBack(range.to, -1)}-01`);
  return rowsOf<{ department: string; status: string; n: number }>(
    await db.execute(sql`
      SELECT d.name AS department, ${r.status} AS status, count(*)::int AS n
      FROM ${r}
      JOIN departments d ON d.id = ${r.departmentId}
      WHERE ${r.createdAt} >= ${start.toISOString()}::timestamptz AND ${r.createdAt} < ${end.toISOString()}::timestamptz
        AND ${r.id} IN (SELECT request_id FROM ${admissionRequestTargets} WHERE ${scope} AND ${unitFilter})
      GROUP BY 1, 2`),
  );
}

const numbersOf = (r: RawRow): Numbers => ({
  tasks: Number(r.tasks),
  forms: Number(r.forms),
  meetings: Number(r.meetings),
  inspections: Number(r.inspections),
  hours: Number(r.hours ?? 0),
  outsideReports: Number(r.outside_reports),
});

/** `GET /admission/burden`: in the caller's admission.burden scope, filtered by unit and months. */
export async function burdenIndex(
  deps: AdmissionDeps,
  ctx: RequestContext,
  query: BurdenQuery,
): Promise<BurdenIndex> {
  requirePermission(ctx.actor, 'admission.burden');
  const range = burdenRange(query, deps.clock.now());
  let unitFilter: SQL = sql`true`;
  if (query.orgUnitId) {
    const unit = await findOrgUnit(deps.db, query.orgUnitId);
    if (!unit) throw AppError.notFound('org unit');
    authorize(ctx.actor, 'admission.burden', { orgPath: unit.path }, 'org unit');
    unitFilter = sql`org_unit_id IN (SELECT id FROM org_units WHERE path LIKE ${`${unit.path}%`})`;
  }
  // Both tables name their community column org_unit_id; the scope filter is written against it.
  const scope = scopeFilter(ctx.actor, 'admission.burden', sql`org_unit_id`);
  const raw = await aggregate(deps.db, scope, unitFilter, range);
  const requestRows = await requestCounts(deps.db, scope, unitFilter, range);
  const byDept = new Map<string, BurdenIndex['requests'][number]>();
  for (const r of requestRows) {
    const d = byDept.get(r.department) ?? {
      department: r.department,
      filed: 0,
      refused: 0,
      inReview: 0,
      approved: 0,
      rejected: 0,
      withdrawn: 0,
    };
    const n = Number(r.n);
    d.filed += n;
    if (r.status === 'refused') d.refused += n;
    else if (r.status === 'fast_track' || r.status === 'in_review') d.inReview += n;
    else if (r.status === 'approved') d.approved += n;
    else if (r.status === 'rejected') d.rejected += n;
    else if (r.status === 'withdrawn') d.withdrawn += n;
    byDept.set(r.department, d);
  }
  const units = await orgUnitsByIds(
    deps.db,
    raw.map((r) => r.org_unit_id),
  );

  const cells = new Map<string, { unitId: string; month: string; n: Numbers }>();
  const months = new Map<string, { n: Numbers; communities: Set<string> }>();
  const departments = new Map<string, Numbers>();
  const totals = zero();
  for (const r of raw) {
    const n = numbersOf(r);
    const key = `${r.org_unit_id}|${r.month}`;
    const cell = cells.get(key) ?? { unitId: r.org_unit_id, month: r.month, n: zero() };
    add(cell.n, n);
    cells.set(key, cell);
    const m = months.get(r.month) ?? { n: zero(), communities: new Set<string>() };
    add(m.n, n);
    m.communities.add(r.org_unit_id);
    months.set(r.month, m);
    const d = departments.get(r.department) ?? zero();
    add(d, n);
    departments.set(r.department, d);
    add(totals, n);
  }
  const ref = (id: string) => {
    const u = units.get(id)!;
    return { id: u.id, code: u.code, name: u.name, kind: u.kind };
  };
  return {
    ...range,
    rows: [...cells.values()]
      .sort(
        (a, b) =>
          a.month.localeCompare(b.month) ||
          units.get(a.unitId)!.code.localeCompare(units.get(b.unitId)!.code),
      )
      .map((c) => ({ orgUnit: ref(c.unitId), month: c.month, ...round(c.n) })),
    byMonth: [...months.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([month, m]) => ({ month, communities: m.communities.size, ...round(m.n) })),
    byDepartment: [...departments.entries()]
      .sort(([a, x], [b, y]) => y.hours - x.hours || a.localeCompare(b))
      .map(([department, n]) => ({ department, ...round(n) })),
    totals: round(totals),
    requests: [...byDept.values()].sort(
      (a, b) => b.filed - a.filed || a.department.localeCompare(b.department),
    ),
  };
}

const COLUMNS = [
  ['town', '镇（街道）', 16],
  ['community', '社区（村）', 16],
  ['tasks', '任务数', 10],
  ['forms', '报表台账', 10],
  ['meetings', '会议', 8],
  ['inspections', '检查考核', 10],
  ['hours', '预计工时', 10],
  ['outsideReports', '体制外派活', 12],
] as const;

/** The monthly report (.xlsx): one row per community with anything that month, then by department. */
export async function exportBurden(
  deps: AdmissionDeps,
  ctx: RequestContext,
  query: { month: string; orgUnitId?: string },
): Promise<{ stream: Readable; rows: number }> {
  const index = await burdenIndex(deps, ctx, {
    from: query.month,
    to: query.month,
    orgUnitId: query.orgUnitId,
  });
  const communityIds = index.rows.map((r) => r.orgUnit.id);
  const communities = await orgUnitsByIds(deps.db, communityIds);
  const townIds = [...communities.values()].map((u) => pathIds(u.path)[1]).filter((x): x is string => !!x);
  const towns = await orgUnitsByIds(deps.db, townIds);
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false });
  const sheet = workbook.addWorksheet(`社区负担 ${query.month}`);
  sheet.columns = COLUMNS.map(([key, header, width]) => ({ key, header, width }));
  const byDept = workbook.addWorksheet('按部门');
  byDept.columns = [
    { key: 'department', header: '部门', width: 28 },
    ...COLUMNS.slice(2).map(([key, header, width]) => ({ key, header, width })),
  ];
  void (async () => {
    try {
      for (const r of index.rows) {
        const unit = communities.get(r.orgUnit.id);
        const town = unit ? towns.get(pathIds(unit.path)[1] ?? '') : undefined;
        sheet.addRow({ ...r, town: town?.name ?? '', community: r.orgUnit.name }).commit();
      }
      sheet.addRow({ town: '合计', community: '', ...index.totals }).commit();
      sheet.commit();
      for (const d of index.byDepartment) byDept.addRow(d).commit();
      byDept.commit();
      await workbook.commit();
    } catch (err) {
      out.destroy(err as Error);
    }
  })();
  return { stream: out, rows: index.rows.length };
}
