import type {
  AdmissionDecideBody,
  AdmissionRequestCreate,
  AdmissionRequestQuery,
  AdmissionRequestStatus,
  AdmissionRequestStep,
} from '@linli/contracts';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { RequestContext } from '../../core/context';
import type { Executor } from '../../core/db/client';
import { AppError, type FieldError } from '../../core/errors';
import { authorizeBy, can, holds, requirePermission, scopeFilter } from '../../core/permissions';
import { beijingDate, beijingTime, isIsoDate, loadCalendar } from '../calendar';
import {
  accountDisplayNames,
  accountsWithRolesAt,
  departmentOfAccount,
  findDepartment,
  findOrgUnit,
  type OrgUnitInfo,
  orgUnitsByIds,
} from '../identity/lookups';
import { notify } from '../messages';
import { admissionRequestDecided, admissionTaskAssigned, requestStatusText } from './events';
import { type AdmissionDeps, listsInForce } from './lists-service';
import { type AdmissionActor, type RequestResource, requestAbilities, requestPolicy } from './permissions';
import {
  commentsOf,
  findRequest,
  insertComment,
  insertRequest,
  insertRequestEvent,
  insertTargets,
  insertTaskEvents,
  insertTasks,
  listRequests as listRequestRows,
  requestEventsOf,
  targetCounts,
  targetsOf,
  tasksOfRequest,
  updateRequestFrom,
} from './queries';
import { routeRequest } from './rules';
import {
  admissionRequests,
  admissionRequestTargets,
  admissionTasks,
  type CommentRow,
  type RequestEventRow,
  type RequestRow,
  type TaskRow,
} from './schema';
import {
  FAST_TRACK_WORKING_DAYS,
  isRequestOverdue,
  REVIEW_STATES,
  REVIEW_WORKING_DAYS,
  requireRequestTransition,
} from './workflow';

export type { AdmissionDeps };

const invalid = (errors: FieldError[]) =>
  AppError.validation(errors, `Invalid fields: ${errors.map((e) => e.field).join(', ')}.`);
const unprocessable = (field: string, message: string, code = 'required') =>
  AppError.unprocessable('unprocessable', `${field}: ${message}.`, [{ field, message, code }]);

/** The actor plus, for department staff, the department they work for. */
export async function whoIs(deps: AdmissionDeps, ctx: RequestContext): Promise<AdmissionActor> {
  const { actor } = ctx;
  let departmentId: string | null = null;
  if (actor.kind === 'staff' && actor.accountId && holds(actor, 'admission.request'))
    departmentId = (await departmentOfAccount(deps.db, actor.accountId))?.id ?? null;
  return { actor, departmentId };
}

/**
 * Communities (org units of kind `community`, villages included) in the subtrees of `paths`. The
 * org tree is identity's; like the data-scope filter, this reads unit paths in SQL.
 */
async function communitiesUnder(db: Executor, paths: string[]): Promise<string[]> {
  if (paths.length === 0) return [];
  const rows = (await db.execute(
    sql`SELECT id FROM org_units WHERE kind = 'community' AND status = 'active' AND path LIKE ANY(ARRAY[${sql.join(
      paths.map((p) => sql`${`${p}%`}`),
      sql`, `,
    )}]::text[]) ORDER BY sort, code`,
  )) as unknown;
  const list = (Array.isArray(rows) ? rows : (rows as { rows: { id: string }[] }).rows) as { id: string }[];
  return list.map((r) => r.id);
}

/** Resolves the targets to communities; 403 for a unit outside the district, 422 for a wrong kind. */
async function resolveTargets(
  db: Executor,
  district: OrgUnitInfo,
  targets: AdmissionRequestCreate['targets'],
): Promise<{ named: string[]; communities: string[] }> {
  if (targets.mode === 'all') return { named: [], communities: await communitiesUnder(db, [district.path]) };
  const ids = [...new Set(targets.orgUnitIds ?? [])];
  if (ids.length === 0)
    throw invalid([
      { field: 'body/targets/orgUnitIds', message: 'must name at least one unit', code: 'minItems' },
    ]);
  const units = await orgUnitsByIds(db, ids);
  const missing = ids.filter((id) => !units.has(id));
  if (missing.length)
    throw unprocessable('body/targets/orgUnitIds', `no such units: ${missing.join(', ')}`, 'exists');
  const outside = [...units.values()].filter(
    (u) => u.districtId !== district.id || !u.path.startsWith(district.path),
  );
  if (outside.length)
    throw AppError.forbidden(
      `Target units outside your district: ${outside.map((u) => u.name).join('、')}. A department may only give tasks to communities of its own district.`,
    );
  const kind = targets.mode === 'town' ? 'town' : 'community';
  const wrong = [...units.values()].filter((u) => u.kind !== kind || u.status !== 'active');
  if (wrong.length)
    throw unprocessable(
      'body/targets/orgUnitIds',
      `must be active ${kind} units: ${wrong.map((u) => u.name).join('、')}`,
      'kind',
    );
  const communities =
    targets.mode === 'town'
      ? await communitiesUnder(
          db,
          [...units.values()].map((u) => u.path),
        )
      : ids;
  return { named: ids, communities };
}

/**
 * `POST /admission/requests`: a department files a request. Matches it against the lists in
 * force and routes it at once (rules.ts): refused citing a negative item, refused for inspecting
 * or rating communities, fast-tracked, or sent to full review with its deadline.
 */
export async function fileRequest(
  deps: AdmissionDeps,
  ctx: RequestContext,
  input: AdmissionRequestCreate,
  as?: { departmentId: string; filedBy: string | null },
): Promise<string> {
  const { actor } = ctx;
  let departmentId = as?.departmentId ?? null;
  if (!as) {
    requirePermission(actor, 'admission.request');
    departmentId = (await departmentOfAccount(deps.db, actor.accountId!))?.id ?? null;
    if (!departmentId)
      throw AppError.forbidden('Only staff of a district department file admission requests.');
  }
  const department = await findDepartment(deps.db, departmentId!);
  if (!department) throw AppError.notFound('department');
  const district = await findOrgUnit(deps.db, department.districtId);
  if (!district) throw AppError.notFound('district');

  const legalBasis = input.legalBasis?.trim() ?? '';
  if (!legalBasis)
    throw unprocessable('body/legalBasis', 'is required: name the law or document the task rests on');
  const bad: FieldError[] = [];
  for (const f of ['periodStart', 'periodEnd'] as const)
    if (!isIsoDate(input[f]))
      bad.push({ field: `body/${f}`, message: 'is not a calendar day', code: 'format' });
  if (!bad.length && input.periodEnd < input.periodStart)
    bad.push({ field: 'body/periodEnd', message: 'must not be before periodStart', code: 'minimum' });
  if (!input.title.trim()) bad.push({ field: 'body/title', message: 'must not be blank', code: 'minLength' });
  if (bad.length) throw invalid(bad);

  const { named, communities } = await resolveTargets(deps.db, district, input.targets);
  if (communities.length === 0)
    throw unprocessable('body/targets/orgUnitIds', 'the targets hold no active community', 'minItems');

  const lists = await listsInForce(deps, district.id);
  const claimedCode = input.claimedItemCode?.trim() || null;
  const claimed = claimedCode ? (lists.byCode.get(claimedCode) ?? null) : null;
  if (claimedCode && !claimed)
    throw unprocessable(
      'body/claimedItemCode',
      `is not an item of list version ${lists.version.version}`,
      'exists',
    );
  const matches = lists.matcher.match(`${input.title}\n${input.description}`, 5);
  const routing = routeRequest(
    {
      matches,
      claimed,
      inspectsCommunities: input.inspectsCommunities,
      ratesCommunities: input.ratesCommunities,
      estimatedHoursPerMonth: input.estimatedHoursPerMonth,
      fundingYuanPerMonth: input.fundingYuanPerMonth,
    },
    lists.byCode,
  );
  const now = deps.clock.now();
  let dueAt: Date | null = null;
  if (routing.status !== 'refused') {
    const calendar = await loadCalendar(deps.db, district.id);
    dueAt = calendar.addWorkingDays(
      now,
      routing.status === 'fast_track' ? FAST_TRACK_WORKING_DAYS : REVIEW_WORKING_DAYS,
    );
  }
  const filedBy = as ? as.filedBy : actor.accountId;
  const row = await deps.db.transaction(async (tx) => {
    const req = await insertRequest(tx, {
      districtId: district.id,
      orgUnitId: district.id,
      departmentId: department.id,
      filedBy,
      status: routing.status,
      route: routing.route,
      routeReason: routing.reason,
      title: input.title.trim(),
      description: input.description.trim(),
      legalBasis,
      claimedItemCode: claimedCode,
      claimedItemName: claimed?.name ?? null,
      claimedItemList: claimed?.list ?? null,
      targetMode: input.targets.mode,
      targetUnitIds: named,
      periodStart: input.periodStart,
      periodEnd: input.periodEnd,
      recurrence: input.recurrence,
      estimatedHoursPerMonth: input.estimatedHoursPerMonth,
      fundingYuanPerMonth: input.fundingYuanPerMonth,
      fundingNote: input.fundingNote?.trim() || null,
      staffSupport: input.staffSupport?.trim() || null,
      trainingSupport: input.trainingSupport?.trim() || null,
      forms: input.forms,
      meetingsPerMonth: input.meetingsPerMonth,
      inspectsCommunities: input.inspectsCommunities,
      ratesCommunities: input.ratesCommunities,
      matches,
      listVersion: lists.version.version,
      matchedItemCode: routing.item?.code ?? null,
      matchedItemName: routing.item?.name ?? null,
      matchedItemList: routing.item?.list ?? null,
      refusalReason: routing.refusalReason,
      dueAt,
      createdAt: now,
      updatedAt: now,
    });
    await insertTargets(tx, req.id, communities);
    await insertRequestEvent(tx, {
      requestId: req.id,
      step: 'file',
      fromStatus: null,
      toStatus: req.status,
      actorId: filedBy,
      note: routing.reason,
      at: now,
    });
    await writeAudit(tx, ctx, {
      action: 'admission_request.file',
      entityType: 'admission_request',
      entityId: req.id,
      orgUnitId: district.id,
      districtId: district.id,
      after: {
        status: req.status,
        route: req.route,
        title: req.title,
        departmentId: department.id,
        matchedItemCode: req.matchedItemCode,
      },
      note: { targets: communities.length, bestMatch: matches[0] ?? null },
    });
    return req;
  });
  return row.id;
}

/** A request with what presenters show next to it. */
export interface RequestView {
  req: RequestRow;
  department: { id: string; code: string; name: string };
  targetCount: number;
  overdue: boolean;
}

export interface RequestDetailView extends RequestView {
  targets: OrgUnitInfo[];
  comments: (CommentRow & { authorName: string | null; unit: OrgUnitInfo })[];
  events: (RequestEventRow & { actorName: string | null })[];
  tasks: (TaskRow & { unit: OrgUnitInfo })[];
  names: Map<string, string>;
  abilities: string[];
}

async function withRefs(deps: AdmissionDeps, rows: RequestRow[]): Promise<RequestView[]> {
  const now = deps.clock.now();
  const depts = new Map<string, { id: string; code: string; name: string }>();
  for (const id of new Set(rows.map((r) => r.departmentId))) {
    const d = await findDepartment(deps.db, id);
    if (d) depts.set(id, { id: d.id, code: d.code, name: d.name });
  }
  const counts = await targetCounts(
    deps.db,
    rows.map((r) => r.id),
  );
  return rows.map((req) => ({
    req,
    department: depts.get(req.departmentId)!,
    targetCount: counts.get(req.id) ?? 0,
    overdue: isRequestOverdue(req, now),
  }));
}

async function resourceOf(deps: AdmissionDeps, req: RequestRow) {
  const district = await findOrgUnit(deps.db, req.orgUnitId);
  const targetIds = await targetsOf(deps.db, req.id);
  const targets = await orgUnitsByIds(deps.db, targetIds);
  const resource: RequestResource = {
    orgPath: district!.path,
    departmentId: req.departmentId,
    status: req.status,
    route: req.route,
    targetPaths: [...targets.values()].map((u) => u.path),
  };
  return { resource, targets: [...targets.values()], district: district! };
}

/** Loads a request the caller may see; otherwise the same 404 as a missing one (core `authorizeBy`). */
async function loadVisible(deps: AdmissionDeps, ctx: RequestContext, id: string) {
  if (ctx.actor.kind === 'anonymous') throw AppError.unauthenticated();
  const req = await findRequest(deps.db, id);
  if (!req) throw AppError.notFound('admission request');
  const who = await whoIs(deps, ctx);
  const { resource, targets, district } = await resourceOf(deps, req);
  const seen = requestPolicy.view(who, resource);
  authorizeBy(ctx.actor, { allowed: seen, seen }, 'admission request');
  return { req, who, resource, targets, district };
}

export async function getRequest(
  deps: AdmissionDeps,
  ctx: RequestContext,
  id: string,
): Promise<RequestDetailView> {
  const { req, who, resource, targets } = await loadVisible(deps, ctx, id);
  const [view] = await withRefs(deps, [req]);
  const [comments, events, tasks] = await Promise.all([
    commentsOf(deps.db, id),
    requestEventsOf(deps.db, id),
    tasksOfRequest(deps.db, id),
  ]);
  const units = await orgUnitsByIds(deps.db, [
    ...comments.map((c) => c.orgUnitId),
    ...tasks.map((t) => t.orgUnitId),
  ]);
  const names = await accountDisplayNames(
    deps.db,
    [
      ...comments.map((c) => c.authorId),
      ...events.map((e) => e.actorId),
      req.filedBy,
      req.decidedBy,
      req.withdrawnBy,
    ].filter((x): x is string => !!x),
  );
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return {
    ...view!,
    targets: targets.sort((a, b) => a.code.localeCompare(b.code)),
    comments: comments.map((c) => ({ ...c, authorName: nameOf(c.authorId), unit: units.get(c.orgUnitId)! })),
    events: events.map((e) => ({ ...e, actorName: nameOf(e.actorId) })),
    tasks: tasks.map((t) => ({ ...t, unit: units.get(t.orgUnitId)! })),
    names,
    abilities: requestAbilities(who, resource),
  };
}

function decodeOffset(raw: string | undefined): number {
  if (!raw) return 0;
  const n = Number(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000)
    throw invalid([
      { field: 'querystring/cursor', message: 'is not a cursor this API returned', code: 'format' },
    ]);
  return n;
}
const encodeOffset = (n: number) => Buffer.from(String(n)).toString('base64url');

/**
 * What the caller may list: the admission office its district's requests, department staff their
 * department's, community secretaries those targeting their communities. `queue=review` is the
 * office's open requests, deadline first.
 */
export async function listRequests(deps: AdmissionDeps, ctx: RequestContext, query: AdmissionRequestQuery) {
  const { actor } = ctx;
  if (actor.kind === 'anonymous') throw AppError.unauthenticated();
  const who = await whoIs(deps, ctx);
  const office = holds(actor, 'admission.review');
  const commenter = holds(actor, 'admission.comment');
  const parts: { office?: SQL; mine?: SQL; comment?: SQL } = {};
  if (office) parts.office = scopeFilter(actor, 'admission.review', admissionRequests.orgUnitId);
  if (who.departmentId) parts.mine = eq(admissionRequests.departmentId, who.departmentId);
  if (commenter)
    parts.comment = sql`${admissionRequests.id} IN (SELECT ${admissionRequestTargets.requestId} FROM ${admissionRequestTargets} WHERE ${scopeFilter(
      actor,
      'admission.comment',
      admissionRequestTargets.orgUnitId,
    )})`;
  const where: SQL[] = [];
  const queue = query.queue;
  if (queue === 'review') {
    if (!parts.office) throw AppError.forbidden('You lack the permission admission.review.');
    where.push(parts.office, inArray(admissionRequests.status, [...REVIEW_STATES]));
  } else if (queue === 'mine') {
    if (!parts.mine) throw AppError.forbidden('Only department staff have requests of their own.');
    where.push(parts.mine);
  } else if (queue === 'comment') {
    if (!parts.comment) throw AppError.forbidden('You lack the permission admission.comment.');
    where.push(parts.comment, inArray(admissionRequests.status, [...REVIEW_STATES]));
  } else {
    const any = [parts.office, parts.mine, parts.comment].filter((x): x is SQL => !!x);
    if (any.length === 0) throw AppError.forbidden('You take no part in admission requests.');
    where.push(sql`(${sql.join(any, sql` OR `)})`);
  }
  if (query.status) where.push(eq(admissionRequests.status, query.status));
  if (query.departmentId) where.push(eq(admissionRequests.departmentId, query.departmentId));
  const limit = query.limit ?? 20;
  const offset = decodeOffset(query.cursor);
  const rows = await listRequestRows(deps.db, { where, byDeadline: queue === 'review', offset, limit });
  const items = await withRefs(deps, rows.slice(0, limit));
  return { items, nextCursor: rows.length > limit ? encodeOffset(offset + limit) : null };
}

/** What a step carries besides the step itself. */
export type RequestStepInput =
  | { step: 'appeal'; justification: string }
  | { step: 'withdraw'; reason: string }
  | ({ step: 'approve' | 'approve_with_conditions' | 'reject' } & Omit<AdmissionDecideBody, 'decision'>);

const fundingNoteOf = (r: RequestRow) =>
  r.fundingYuanPerMonth > 0
    ? `费随事转：${r.fundingYuanPerMonth} 元/社区/月${r.fundingNote ? `（${r.fundingNote}）` : ''}`
    : `无工作经费${r.fundingNote ? `（${r.fundingNote}）` : ''}`;

/** The last day of a term as an instant: 17:30 Beijing time, the end of the working day. */
const endOfDay = (day: string) => beijingTime(day, '17:30');

/**
 * One step of a request: who may (404/403), whether the table allows it (409 naming the state),
 * the step's guard (422 naming the field), then in one transaction the race-safe update, the
 * history row, the tasks an approval creates (one per target community) or a withdrawal ends,
 * the department's message and the audit record.
 */
export async function applyRequestStep(
  deps: AdmissionDeps,
  ctx: RequestContext,
  id: string,
  input: RequestStepInput,
): Promise<RequestDetailView> {
  const { step } = input;
  const { req, who, resource, targets } = await loadVisible(deps, ctx, id);
  authorizeBy(
    ctx.actor,
    { allowed: requestPolicy[step](who, resource), seen: true },
    'admission request',
    step === 'appeal' && req.route === 'refused_inspection'
      ? 'A refusal for inspecting or rating communities cannot be appealed.'
      : `You may not ${step.replace(/_/g, ' ')} this request.`,
  );
  const from = req.status;
  const to = requireRequestTransition(from, step);
  const now = deps.clock.now();
  const today = beijingDate(now);
  const set: Partial<typeof admissionRequests.$inferInsert> = { status: to, updatedAt: now };
  let note: string | null = null;

  if (input.step === 'appeal') {
    note = input.justification.trim();
    if (!note) throw unprocessable('body/justification', 'must not be blank');
    const calendar = await loadCalendar(deps.db, req.districtId);
    Object.assign(set, {
      appealJustification: note,
      appealedAt: now,
      dueAt: calendar.addWorkingDays(now, REVIEW_WORKING_DAYS),
    });
  } else if (input.step === 'withdraw') {
    note = input.reason.trim();
    if (!note) throw unprocessable('body/reason', 'must not be blank');
    Object.assign(set, { withdrawalReason: note, withdrawnBy: ctx.actor.accountId, withdrawnAt: now });
  } else {
    const reasons = input.reasons?.trim() || null;
    const conditions = input.conditions?.trim() || null;
    if (step === 'reject' && !reasons)
      throw unprocessable('body/reasons', 'are required to reject a request');
    if (step === 'approve_with_conditions' && !conditions)
      throw unprocessable('body/conditions', 'are required to approve with conditions');
    // The later of the two days (YYYY-MM-DD strings sort as dates).
    const termStart = [req.periodStart, today].sort()[1]!;
    const termEnd = input.termEnd ?? req.periodEnd;
    if (step !== 'reject') {
      if (!isIsoDate(termEnd))
        throw invalid([{ field: 'body/termEnd', message: 'is not a calendar day', code: 'format' }]);
      if (termEnd < termStart)
        throw unprocessable('body/termEnd', `must not be before ${termStart}`, 'minimum');
      Object.assign(set, { termStart, termEnd });
    }
    note = [reasons, conditions && `条件：${conditions}`].filter(Boolean).join('；') || null;
    Object.assign(set, {
      decision: step,
      decisionReasons: reasons,
      conditions: step === 'approve_with_conditions' ? conditions : null,
      decidedBy: ctx.actor.accountId,
      decidedAt: now,
    });
  }

  await deps.db.transaction(async (tx) => {
    const updated = await updateRequestFrom(tx, id, from, set);
    if (!updated) {
      const current = await findRequest(tx, id);
      throw AppError.invalidTransition(current?.status ?? from, step);
    }
    await insertRequestEvent(tx, {
      requestId: id,
      step,
      fromStatus: from,
      toStatus: to,
      actorId: ctx.actor.accountId,
      note,
      at: now,
    });
    let tasks = 0;
    if (to === 'approved') {
      const created = await insertTasks(
        tx,
        targets.map((unit) => ({
          districtId: updated.districtId,
          requestId: id,
          orgUnitId: unit.id,
          departmentId: updated.departmentId,
          status: 'open' as const,
          title: updated.title,
          description: updated.conditions
            ? `${updated.description}\n准入条件：${updated.conditions}`
            : updated.description,
          itemCode: updated.matchedItemCode,
          itemName: updated.matchedItemName,
          itemList: updated.matchedItemList,
          dueAt: endOfDay(updated.termEnd!),
          fundingNote: fundingNoteOf(updated),
          requiredForms: updated.forms,
          formsCount: updated.forms.length,
          meetingsPerMonth: updated.meetingsPerMonth,
          inspectionsPerMonth: updated.inspectsCommunities ? 1 : 0,
          estimatedHoursPerMonth: updated.estimatedHoursPerMonth,
          activeFrom: updated.termStart!,
          activeUntil: updated.recurrence === 'one_off' ? updated.termStart! : updated.termEnd!,
          createdAt: now,
          updatedAt: now,
        })),
      );
      // A one-off task weighs on the month it is handed over; a recurring one on every month of its term.
      tasks = created.length;
      await insertTaskEvents(
        tx,
        created.map((t) => ({
          taskId: t.id,
          step: 'assign',
          fromStatus: null,
          toStatus: 'open',
          actorId: ctx.actor.accountId,
          note: `准入申请已批准（${updated.title}）`,
          at: now,
        })),
      );
      // The target communities' secretaries and workers hear of the new task (one query for all).
      const staff = await accountsWithRolesAt(
        tx,
        ['community_secretary', 'community_worker'],
        created.map((t) => t.orgUnitId),
      );
      await notify(
        tx,
        staff,
        admissionTaskAssigned,
        { title: updated.title, termEnd: updated.termEnd ?? '' },
        { at: now },
      );
    }
    if (to === 'withdrawn') {
      const ended = await tx
        .update(admissionTasks)
        .set({
          status: 'withdrawn',
          updatedAt: now,
          activeUntil: sql`LEAST(${admissionTasks.activeUntil}, ${today}::date)`,
        })
        .where(
          and(eq(admissionTasks.requestId, id), inArray(admissionTasks.status, ['open', 'acknowledged'])),
        )
        .returning();
      tasks = ended.length;
      await insertTaskEvents(
        tx,
        ended.map((t) => ({
          taskId: t.id,
          step: 'withdraw',
          fromStatus: null,
          toStatus: 'withdrawn',
          actorId: ctx.actor.accountId,
          note,
          at: now,
        })),
      );
    }
    if (updated.filedBy && updated.filedBy !== ctx.actor.accountId) {
      await notify(
        tx,
        [updated.filedBy],
        admissionRequestDecided,
        { requestId: id, title: updated.title, status: requestStatusText(to), note: note ?? '' },
        { at: now },
      );
    }
    await writeAudit(tx, ctx, {
      action: `admission_request.${step}`,
      entityType: 'admission_request',
      entityId: id,
      orgUnitId: updated.orgUnitId,
      districtId: updated.districtId,
      before: { status: from },
      after: {
        status: to,
        ...(set.decision ? { decision: set.decision, termStart: set.termStart, termEnd: set.termEnd } : {}),
      },
      note: { tasks, ...(note ? { note } : {}) },
    });
  });
  return getRequest(deps, ctx, id);
}

/** A community secretary comments on a request under review that targets their community. */
export async function commentOnRequest(
  deps: AdmissionDeps,
  ctx: RequestContext,
  id: string,
  input: { body: string; orgUnitId?: string },
): Promise<RequestDetailView> {
  const { req, who, resource, targets } = await loadVisible(deps, ctx, id);
  if (!requestPolicy.comment(who, resource) && !REVIEW_STATES.includes(req.status))
    throw AppError.invalidTransition(req.status, 'comment');
  authorizeBy(
    ctx.actor,
    { allowed: requestPolicy.comment(who, resource), seen: true },
    'admission request',
    'Only secretaries of the target communities comment.',
  );
  const mine = targets.filter((u) => can(ctx.actor, 'admission.comment', u.path));
  const unit = input.orgUnitId ? mine.find((u) => u.id === input.orgUnitId) : mine[0];
  if (!unit) throw unprocessable('body/orgUnitId', 'is not a target community you serve', 'scope');
  const body = input.body.trim();
  if (!body) throw unprocessable('body/body', 'must not be blank');
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const c = await insertComment(tx, {
      requestId: id,
      orgUnitId: unit.id,
      authorId: ctx.actor.accountId,
      body,
      at: now,
    });
    await writeAudit(tx, ctx, {
      action: 'admission_request.comment',
      entityType: 'admission_request',
      entityId: id,
      orgUnitId: unit.id,
      districtId: req.districtId,
      after: { commentId: c.id, body },
    });
  });
  return getRequest(deps, ctx, id);
}

export type { AdmissionRequestStatus, AdmissionRequestStep };
