import type {
  AdmissionTaskQuery,
  AdmissionTaskStep,
  OutsideReportCreate,
  OutsideReportQuery,
} from '@linli/contracts';
import { eq, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { writeAudit } from '../../core/audit';
import type { RequestContext } from '../../core/context';
import { AppError, type FieldError } from '../../core/errors';
import { authorize, authorizeBy, holds, requirePermission, scopeFilter } from '../../core/permissions';
import { beijingDate, isIsoDate } from '../calendar';
import {
  accountDisplayNames,
  findDepartment,
  findOrgUnit,
  type OrgUnitInfo,
  orgUnitsByIds,
  pathIds,
} from '../identity/lookups';
import type { AdmissionDeps } from './lists-service';
import { taskAbilities, taskPolicy } from './permissions';
import {
  findOutsideReport,
  findTask,
  insertTaskEvents,
  listOutsideReports,
  listTasks,
  taskEventsOf,
  updateTaskFrom,
} from './queries';
import {
  admissionOutsideReports,
  admissionTasks,
  type OutsideReportRow,
  type TaskEventRow,
  type TaskRow,
} from './schema';
import { requireTaskTransition } from './workflow';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const invalid = (errors: FieldError[]) =>
  AppError.validation(errors, `Invalid fields: ${errors.map((e) => e.field).join(', ')}.`);

function decodeIdCursor(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const id = Buffer.from(raw, 'base64url').toString('utf8');
  if (!UUID.test(id))
    throw invalid([
      { field: 'querystring/cursor', message: 'is not a cursor this API returned', code: 'format' },
    ]);
  return id;
}
const encodeIdCursor = (id: string) => Buffer.from(id).toString('base64url');

/** Rows of a unit and everything below it. */
const inSubtree = (column: AnyPgColumn, orgUnitId: string) =>
  sql`${column} IN (SELECT c.id FROM org_units c, org_units p WHERE p.id = ${orgUnitId}::uuid AND c.path LIKE p.path || '%')`;

export interface TaskView {
  task: TaskRow;
  unit: OrgUnitInfo;
  department: { id: string; code: string; name: string };
  overdue: boolean;
  events: (TaskEventRow & { actorName: string | null })[];
  abilities: AdmissionTaskStep[];
}

async function taskViews(deps: AdmissionDeps, ctx: RequestContext, rows: TaskRow[]): Promise<TaskView[]> {
  const now = deps.clock.now();
  const units = await orgUnitsByIds(
    deps.db,
    rows.map((r) => r.orgUnitId),
  );
  const depts = new Map<string, { id: string; code: string; name: string }>();
  for (const id of new Set(rows.map((r) => r.departmentId))) {
    const d = await findDepartment(deps.db, id);
    if (d) depts.set(id, { id: d.id, code: d.code, name: d.name });
  }
  const events = await taskEventsOf(
    deps.db,
    rows.map((r) => r.id),
  );
  const names = await accountDisplayNames(
    deps.db,
    events.map((e) => e.actorId).filter((x): x is string => !!x),
  );
  return rows.map((task) => {
    const unit = units.get(task.orgUnitId)!;
    const open = task.status === 'open' || task.status === 'acknowledged';
    return {
      task,
      unit,
      department: depts.get(task.departmentId)!,
      overdue: open && !!task.dueAt && task.dueAt.getTime() < now.getTime(),
      events: events
        .filter((e) => e.taskId === task.id)
        .map((e) => ({ ...e, actorName: e.actorId ? (names.get(e.actorId) ?? null) : null })),
      abilities: taskAbilities(ctx.actor, { orgPath: unit.path, status: task.status }),
    };
  });
}

/** `GET /admission/tasks`: the inbox of the caller's communities, newest first. */
export async function listInbox(deps: AdmissionDeps, ctx: RequestContext, query: AdmissionTaskQuery) {
  requirePermission(ctx.actor, 'admission.inbox');
  const where: SQL[] = [scopeFilter(ctx.actor, 'admission.inbox', admissionTasks.orgUnitId)];
  if (query.status) where.push(eq(admissionTasks.status, query.status));
  if (query.orgUnitId) where.push(inSubtree(admissionTasks.orgUnitId, query.orgUnitId));
  const limit = query.limit ?? 20;
  const rows = await listTasks(deps.db, { where, afterId: decodeIdCursor(query.cursor), limit });
  const items = await taskViews(deps, ctx, rows.slice(0, limit));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeIdCursor(last.task.id) : null };
}

/**
 * A task of the caller's community; another community's task does not exist for them: the same
 * 404 as a missing one (core `authorizeBy`).
 */
async function loadTask(deps: AdmissionDeps, ctx: RequestContext, id: string) {
  if (ctx.actor.kind === 'anonymous') throw AppError.unauthenticated();
  const task = await findTask(deps.db, id);
  if (!task) throw AppError.notFound('task');
  const unit = await findOrgUnit(deps.db, task.orgUnitId);
  const seen = !!unit && taskPolicy.view(ctx.actor, { orgPath: unit.path, status: task.status });
  authorizeBy(ctx.actor, { allowed: seen, seen }, 'task');
  return { task, unit: unit! };
}

export async function getTask(deps: AdmissionDeps, ctx: RequestContext, id: string): Promise<TaskView> {
  const { task } = await loadTask(deps, ctx, id);
  const [view] = await taskViews(deps, ctx, [task]);
  return view!;
}

export type TaskStepInput =
  | { step: 'acknowledge'; note?: string }
  | { step: 'progress'; note: string; percent: number }
  | { step: 'complete'; evidence: string };

/** One step of a community task: 404 outside the community, 409 naming the state, then one transaction. */
export async function applyTaskStep(
  deps: AdmissionDeps,
  ctx: RequestContext,
  id: string,
  input: TaskStepInput,
): Promise<TaskView> {
  const { task, unit } = await loadTask(deps, ctx, id);
  const resource = { orgPath: unit.path, status: task.status };
  authorizeBy(
    ctx.actor,
    { allowed: taskPolicy[input.step](ctx.actor, resource), seen: true },
    'task',
    `You may not ${input.step} this task.`,
  );
  const from = task.status;
  const to = requireTaskTransition(from, input.step);
  const now = deps.clock.now();
  const set: Partial<typeof admissionTasks.$inferInsert> = { status: to, updatedAt: now };
  let note: string | null = null;
  if (input.step === 'acknowledge') {
    note = input.note?.trim() || null;
    set.acknowledgedAt = now;
  } else if (input.step === 'progress') {
    note = input.note.trim();
    if (!note)
      throw AppError.unprocessable('unprocessable', 'body/note: must not be blank.', [
        { field: 'body/note', message: 'must not be blank', code: 'required' },
      ]);
    set.progressPercent = input.percent;
    note = `${input.percent}%：${note}`;
  } else {
    note = input.evidence.trim();
    if (!note)
      throw AppError.unprocessable('unprocessable', 'body/evidence: must not be blank.', [
        { field: 'body/evidence', message: 'must not be blank', code: 'required' },
      ]);
    Object.assign(set, { evidence: note, completedAt: now, progressPercent: 100 });
  }
  await deps.db.transaction(async (tx) => {
    const updated = await updateTaskFrom(tx, id, from, set);
    if (!updated) {
      const current = await findTask(tx, id);
      throw AppError.invalidTransition(current?.status ?? from, input.step);
    }
    await insertTaskEvents(tx, [
      {
        taskId: id,
        step: input.step,
        fromStatus: from,
        toStatus: to,
        actorId: ctx.actor.accountId,
        note,
        at: now,
      },
    ]);
    await writeAudit(tx, ctx, {
      action: `admission_task.${input.step}`,
      entityType: 'admission_task',
      entityId: id,
      orgUnitId: unit.id,
      districtId: task.districtId,
      before: { status: from, progressPercent: task.progressPercent },
      after: { status: to, progressPercent: updated.progressPercent },
      ...(note ? { note: { note } } : {}),
    });
  });
  return getTask(deps, ctx, id);
}

// ---------- outside-the-system reports (体制外派活) ----------

export interface OutsideReportView {
  row: OutsideReportRow;
  unit: OrgUnitInfo;
  department: { id: string; code: string; name: string } | null;
  names: Map<string, string>;
}

async function reportViews(deps: AdmissionDeps, rows: OutsideReportRow[]): Promise<OutsideReportView[]> {
  const units = await orgUnitsByIds(
    deps.db,
    rows.map((r) => r.orgUnitId),
  );
  const depts = new Map<string, { id: string; code: string; name: string }>();
  for (const id of new Set(rows.flatMap((r) => (r.departmentId ? [r.departmentId] : [])))) {
    const d = await findDepartment(deps.db, id);
    if (d) depts.set(id, { id: d.id, code: d.code, name: d.name });
  }
  const names = await accountDisplayNames(
    deps.db,
    rows.flatMap((r) => [r.reportedBy, r.handledBy]).filter((x): x is string => !!x),
  );
  return rows.map((row) => ({
    row,
    unit: units.get(row.orgUnitId)!,
    department: row.departmentId ? (depts.get(row.departmentId) ?? null) : null,
    names,
  }));
}

/** The community a community-staff account reports for: the named one, else its first grant's community. */
async function reportingCommunity(deps: AdmissionDeps, ctx: RequestContext, orgUnitId?: string) {
  if (orgUnitId) {
    const unit = await findOrgUnit(deps.db, orgUnitId);
    if (!unit) throw AppError.notFound('org unit');
    authorize(ctx.actor, 'admission.inbox', { orgPath: unit.path }, 'org unit');
    if (unit.kind !== 'community')
      throw AppError.unprocessable('unprocessable', 'body/orgUnitId: must be a community.', [
        { field: 'body/orgUnitId', message: 'must be a community', code: 'kind' },
      ]);
    return unit;
  }
  const grant = ctx.actor.grants.find((g) => g.permissions.has('admission.inbox'));
  if (!grant) throw AppError.forbidden('You lack the permission admission.inbox.');
  const chain = await orgUnitsByIds(deps.db, pathIds(grant.orgPath));
  const community = [...chain.values()].find((u) => u.kind === 'community');
  if (!community)
    throw AppError.unprocessable('unprocessable', 'body/orgUnitId: name the community you report for.', [
      { field: 'body/orgUnitId', message: 'is required', code: 'required' },
    ]);
  return community;
}

/** A community records work a department pushed down outside the system; it goes to oversight. */
export async function fileOutsideReport(
  deps: AdmissionDeps,
  ctx: RequestContext,
  input: OutsideReportCreate,
): Promise<OutsideReportView> {
  requirePermission(ctx.actor, 'admission.inbox');
  const unit = await reportingCommunity(deps, ctx, input.orgUnitId);
  const bad: FieldError[] = [];
  const now = deps.clock.now();
  if (!isIsoDate(input.happenedOn))
    bad.push({ field: 'body/happenedOn', message: 'is not a calendar day', code: 'format' });
  else if (input.happenedOn > beijingDate(now))
    bad.push({ field: 'body/happenedOn', message: 'must not be in the future', code: 'maximum' });
  let department: { id: string; name: string } | null = null;
  if (input.departmentId) {
    const d = await findDepartment(deps.db, input.departmentId);
    if (!d || d.districtId !== unit.districtId)
      bad.push({
        field: 'body/departmentId',
        message: 'is not a department of this district',
        code: 'exists',
      });
    else department = d;
  }
  const departmentName = department?.name ?? input.departmentName?.trim() ?? '';
  if (!departmentName)
    bad.push({
      field: 'body/departmentName',
      message: 'name the department (or give departmentId)',
      code: 'required',
    });
  if (!input.what.trim()) bad.push({ field: 'body/what', message: 'must not be blank', code: 'minLength' });
  if (bad.length) throw invalid(bad);
  const row = await deps.db.transaction(async (tx) => {
    const [r] = await tx
      .insert(admissionOutsideReports)
      .values({
        districtId: unit.districtId,
        orgUnitId: unit.id,
        departmentId: department?.id ?? null,
        departmentName,
        kind: input.kind,
        what: input.what.trim(),
        happenedOn: input.happenedOn,
        channel: input.channel?.trim() || null,
        estimatedHours: input.estimatedHours ?? 0,
        reportedBy: ctx.actor.accountId,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await writeAudit(tx, ctx, {
      action: 'admission_outside_report.file',
      entityType: 'admission_outside_report',
      entityId: r!.id,
      orgUnitId: unit.id,
      districtId: unit.districtId,
      after: { departmentName, kind: input.kind, what: r!.what, happenedOn: input.happenedOn },
    });
    return r!;
  });
  const [view] = await reportViews(deps, [row]);
  return view!;
}

/**
 * The oversight queue (admission.oversight over the district) or, for community staff, their own
 * communities' reports. Newest first.
 */
export async function listOutside(deps: AdmissionDeps, ctx: RequestContext, query: OutsideReportQuery) {
  const { actor } = ctx;
  if (actor.kind === 'anonymous') throw AppError.unauthenticated();
  const visible: SQL[] = [];
  if (holds(actor, 'admission.oversight'))
    visible.push(scopeFilter(actor, 'admission.oversight', admissionOutsideReports.orgUnitId));
  if (holds(actor, 'admission.inbox'))
    visible.push(scopeFilter(actor, 'admission.inbox', admissionOutsideReports.orgUnitId));
  if (visible.length === 0) throw AppError.forbidden('You lack the permission admission.oversight.');
  const where: SQL[] = [sql`(${sql.join(visible, sql` OR `)})`];
  if (query.status) where.push(eq(admissionOutsideReports.status, query.status));
  if (query.departmentId) where.push(eq(admissionOutsideReports.departmentId, query.departmentId));
  if (query.orgUnitId) where.push(inSubtree(admissionOutsideReports.orgUnitId, query.orgUnitId));
  const limit = query.limit ?? 20;
  const rows = await listOutsideReports(deps.db, { where, afterId: decodeIdCursor(query.cursor), limit });
  const items = await reportViews(deps, rows.slice(0, limit));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeIdCursor(last.row.id) : null };
}

/** The district office marks a report handled (talked to the department, stopped the work …). */
export async function handleOutsideReport(
  deps: AdmissionDeps,
  ctx: RequestContext,
  id: string,
  note: string,
): Promise<OutsideReportView> {
  if (ctx.actor.kind === 'anonymous') throw AppError.unauthenticated();
  const report = await findOutsideReport(deps.db, id);
  if (!report) throw AppError.notFound('outside report');
  const unit = await findOrgUnit(deps.db, report.orgUnitId);
  authorize(ctx.actor, 'admission.oversight', { orgPath: unit?.path ?? null }, 'outside report');
  if (report.status !== 'open') throw AppError.invalidTransition(report.status, 'handle');
  const text = note.trim();
  if (!text)
    throw AppError.unprocessable('unprocessable', 'body/note: must not be blank.', [
      { field: 'body/note', message: 'must not be blank', code: 'required' },
    ]);
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const [r] = await tx
      .update(admissionOutsideReports)
      .set({
        status: 'handled',
        handledBy: ctx.actor.accountId,
        handledAt: now,
        handlingNote: text,
        updatedAt: now,
      })
      .where(sql`${admissionOutsideReports.id} = ${id} AND ${admissionOutsideReports.status} = 'open'`)
      .returning();
    if (!r) throw AppError.invalidTransition('handled', 'handle');
    await writeAudit(tx, ctx, {
      action: 'admission_outside_report.handle',
      entityType: 'admission_outside_report',
      entityId: id,
      orgUnitId: report.orgUnitId,
      districtId: report.districtId,
      before: { status: 'open' },
      after: { status: 'handled', handlingNote: text },
    });
    return r;
  });
  const [view] = await reportViews(deps, [row]);
  return view!;
}
