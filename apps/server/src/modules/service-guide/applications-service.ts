import type {
  ApplicationAbility,
  ApplicationFilter,
  ApplicationMineQuery,
  ApplicationWorkbenchQuery,
  ApplicationStatus,
  ApplicationStep,
  ResultDelivery,
  ServiceGuide,
  VisitCreate,
} from '@linli/contracts';
import { and, eq, isNotNull, or, type SQL, sql } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import type { Clock } from '../../core/clock';
import type { RequestContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { AppError } from '../../core/errors';
import {
  MAX_FILES,
  openStoredFile,
  type ReceivedFile,
  removeStoredFiles,
  type StoredFile,
  storeFiles,
} from '../../core/files';
import { idempotent } from '../../core/idempotency';
import { authorizeBy, holds, scopeFilter } from '../../core/permissions';
import { beijingDate, loadCalendar, type WorkingCalendar } from '../calendar';
import {
  accountDisplayNames,
  departmentOfAccount,
  findDepartment,
  findDepartmentByName,
  findOrgUnit,
  type OrgUnitInfo,
  orgUnitsByIds,
} from '../identity/lookups';
import type { PerLocale } from '../../core/module';
import { notify } from '../messages';
import {
  type ApplicationActor,
  type ApplicationResource,
  applicationAbilities,
  applicationPolicy,
} from './applications-permissions';
import {
  applicationNumberSql,
  countFiles,
  eventsOf,
  filesOf,
  findApplication,
  findFile,
  insertApplication,
  insertEvent,
  insertFiles,
  insertVisit,
  listApplications,
  overdueExpr,
  updateFromStatus,
  visitsOf,
  type WorkbenchCursor,
} from './applications-queries';
import {
  type ApplicationEventRow,
  type ApplicationFileRow,
  type ApplicationRow,
  type ApplicationVisitRow,
  applications,
} from './applications-schema';
import { isOverdue, requireTransition, STATUS_TITLES } from './applications-workflow';
import { applicationStep, applicationSubmitted, statusText } from './events';
import { findItemWithGuide, findOffering, itemsByIds } from './queries';

/** What the application services need from the app. */
export interface ApplicationDeps {
  db: Db;
  clock: Clock;
  /** Uploads are stored under `<dataDir>/uploads`. */
  dataDir: string;
}

/** An application with what presenters show next to it. */
export interface ApplicationView {
  app: ApplicationRow;
  item: { id: string; code: string; name: string };
  unit: OrgUnitInfo;
  department: { id: string; name: string } | null;
  residentName: string;
  overdue: boolean;
}

export interface ApplicationDetailView extends ApplicationView {
  files: ApplicationFileRow[];
  events: (ApplicationEventRow & { actorName: string | null })[];
  visitLog: (ApplicationVisitRow & { recordedByName: string | null })[];
  abilities: ApplicationAbility[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The actor plus, for department staff, the department they work for. */
async function whoIs(deps: ApplicationDeps, ctx: RequestContext): Promise<ApplicationActor> {
  const { actor } = ctx;
  let departmentId: string | null = null;
  if (actor.kind === 'staff' && actor.accountId && holds(actor, 'applications.department')) {
    departmentId = (await departmentOfAccount(deps.db, actor.accountId))?.id ?? null;
  }
  return { actor, departmentId };
}

const resourceOf = (app: ApplicationRow, unit: OrgUnitInfo): ApplicationResource => ({
  orgPath: unit.path,
  residentId: app.residentId,
  departmentId: app.departmentId,
  forwardedAt: app.forwardedAt,
  status: app.status,
});

/** Attaches items, units, departments and resident names to rows: a few queries per page. */
async function withRefs(deps: ApplicationDeps, rows: ApplicationRow[]): Promise<ApplicationView[]> {
  const now = deps.clock.now();
  const items = new Map(
    (await itemsByIds(deps.db, [...new Set(rows.map((r) => r.itemId))])).map((i) => [i.id, i]),
  );
  const units = await orgUnitsByIds(
    deps.db,
    rows.map((r) => r.orgUnitId),
  );
  const names = await accountDisplayNames(
    deps.db,
    rows.map((r) => r.residentId),
  );
  const deptIds = [...new Set(rows.flatMap((r) => (r.departmentId ? [r.departmentId] : [])))];
  const depts = new Map<string, { id: string; name: string }>();
  for (const id of deptIds) {
    const d = await findDepartment(deps.db, id);
    if (d) depts.set(id, { id: d.id, name: d.name });
  }
  return rows.map((app) => {
    const item = items.get(app.itemId)!;
    return {
      app,
      item: { id: item.id, code: item.code, name: item.name },
      unit: units.get(app.orgUnitId)!,
      department: app.departmentId ? (depts.get(app.departmentId) ?? null) : null,
      residentName: names.get(app.residentId) ?? '',
      overdue: isOverdue(app, now),
    };
  });
}

/** Loads an application the caller may see; otherwise the same 404 as a missing one (core `authorizeBy`). */
async function loadVisible(deps: ApplicationDeps, ctx: RequestContext, id: string) {
  if (ctx.actor.kind === 'anonymous') throw AppError.unauthenticated();
  const app = await findApplication(deps.db, id);
  if (!app) throw AppError.notFound('application');
  const unit = await findOrgUnit(deps.db, app.orgUnitId);
  const who = await whoIs(deps, ctx);
  const resource = resourceOf(app, unit!);
  const seen = applicationPolicy.view(who, resource);
  authorizeBy(ctx.actor, { allowed: seen, seen }, 'application');
  return { app, unit: unit!, who, resource };
}

/** One application with its files, history, visits and what the caller may do next. */
export async function getApplication(
  deps: ApplicationDeps,
  ctx: RequestContext,
  id: string,
): Promise<ApplicationDetailView> {
  const { app, who, resource } = await loadVisible(deps, ctx, id);
  const [view] = await withRefs(deps, [app]);
  const [files, events, visits] = await Promise.all([
    filesOf(deps.db, id),
    eventsOf(deps.db, id),
    visitsOf(deps.db, id),
  ]);
  const names = await accountDisplayNames(deps.db, [
    ...events.flatMap((e) => (e.actorId ? [e.actorId] : [])),
    ...visits.flatMap((v) => (v.recordedBy ? [v.recordedBy] : [])),
  ]);
  return {
    ...view!,
    files,
    events: events.map((e) => ({ ...e, actorName: e.actorId ? (names.get(e.actorId) ?? null) : null })),
    visitLog: visits.map((v) => ({
      ...v,
      recordedByName: v.recordedBy ? (names.get(v.recordedBy) ?? null) : null,
    })),
    abilities: applicationAbilities(who, resource),
  };
}

const fileRows = (applicationId: string, files: ReceivedFile[], stored: StoredFile[], by: string | null) =>
  stored.map((s, i) => ({
    applicationId,
    materialName: files[i]!.label.slice(0, 100),
    originalName: files[i]!.filename,
    storedPath: s.path,
    mime: s.mime,
    size: s.size,
    sha256: s.sha256,
    uploadedBy: by,
  }));

export interface SubmitInput {
  fields: Record<string, string>;
  /** Repeated fields: `bringMaterials` (names of required materials brought on the visit). */
  lists?: Record<string, string[]>;
  files: ReceivedFile[];
}

/** A field path naming a material (JSON Pointer: `~` and `/` escaped). */
const materialField = (name: string) => `body/materials/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`;

/**
 * The materials a submission lacks: every material the guide marks required must be uploaded
 * (a file labelled with its name) or, when the item asks the resident to come to the service room
 * at least once (`onsiteVisits` ≥ 1), marked as brought on that visit. Also refuses marking as
 * brought a material the guide does not list, or any material when no visit is foreseen.
 * Returns what to bring (the required materials marked and not uploaded) when nothing is missing.
 */
export function checkMaterials(
  guide: Pick<ServiceGuide, 'materials' | 'onsiteVisits'>,
  files: readonly Pick<ReceivedFile, 'label'>[],
  bring: readonly string[],
): { problems: { field: string; message: string; code: string }[]; missing: string[]; toBring: string[] } {
  const canBring = guide.onsiteVisits >= 1;
  const names = new Set(guide.materials.map((m) => m.name));
  const marked = [...new Set(bring.map((b) => b.trim()).filter(Boolean))];
  const problems: { field: string; message: string; code: string }[] = [];
  for (const name of marked) {
    if (!names.has(name))
      problems.push({
        field: 'body/bringMaterials',
        message: `“${name}” is not a material of this item`,
        code: 'enum',
      });
    else if (!canBring)
      problems.push({
        field: materialField(name),
        message: `“${name}” must be uploaded: this item is handled without a visit`,
        code: 'material-required',
      });
  }
  const uploaded = new Set(files.map((f) => f.label));
  const toBring: string[] = [];
  const missing: string[] = [];
  for (const m of guide.materials) {
    if (!m.required || uploaded.has(m.name)) continue;
    if (canBring && marked.includes(m.name)) {
      toBring.push(m.name);
      continue;
    }
    missing.push(m.name);
    problems.push({
      field: materialField(m.name),
      message: canBring
        ? `“${m.name}” is required: upload it or mark it as brought to the service room`
        : `“${m.name}” is required: upload it`,
      code: 'material-required',
    });
  }
  return { problems, missing, toBring };
}

/**
 * A resident asks for an item at a community's service room: a booking (direct items, with
 * `appointmentAt`) or proxy handling (proxy items, forwarded later to the item's department).
 * With an Idempotency-Key, a retry answers with the first application instead of a second one.
 */
export async function submitApplication(
  deps: ApplicationDeps,
  ctx: RequestContext,
  input: SubmitInput,
  idempotencyKey?: string,
): Promise<{ id: string; replayed: boolean }> {
  const accountId = ctx.actor.accountId;
  if (ctx.actor.kind !== 'resident' || !accountId) throw AppError.forbidden('Only residents apply.');
  const { itemId, orgUnitId, note, appointmentAt } = input.fields;
  const bad: { field: string; message: string; code: string }[] = [];
  if (!itemId || !UUID.test(itemId))
    bad.push({ field: 'body/itemId', message: 'must be a uuid', code: 'format' });
  if (!orgUnitId || !UUID.test(orgUnitId))
    bad.push({ field: 'body/orgUnitId', message: 'must be a uuid', code: 'format' });
  if (note && note.length > 1000)
    bad.push({ field: 'body/note', message: 'must NOT have more than 1000 characters', code: 'maxLength' });
  if (appointmentAt && Number.isNaN(Date.parse(appointmentAt)))
    bad.push({ field: 'body/appointmentAt', message: 'must be a date-time', code: 'format' });
  if (bad.length) throw AppError.validation(bad, `Invalid fields: ${bad.map((b) => b.field).join(', ')}.`);

  const result = await idempotent(
    deps.db,
    { accountId, key: idempotencyKey, route: 'POST /api/v1/applications' },
    async () => {
      const found = await findItemWithGuide(deps.db, itemId!);
      if (!found) throw AppError.notFound('service item');
      const { item, guide } = found;
      const unit = await findOrgUnit(deps.db, orgUnitId!);
      if (!unit || unit.districtId !== item.districtId) throw AppError.notFound('org unit');
      if (!(await findOffering(deps.db, unit.id, item.id))) {
        throw AppError.unprocessable('item-not-offered', `${unit.name} does not offer “${item.name}”.`, [
          { field: 'body/orgUnitId', message: `does not offer this item`, code: 'item-not-offered' },
        ]);
      }
      const now = deps.clock.now();
      let appointment: Date | null = null;
      if (item.mode === 'direct') {
        if (!appointmentAt) {
          throw AppError.validation(
            [
              {
                field: 'body/appointmentAt',
                message: 'is required for an item handled in the service room',
                code: 'required',
              },
            ],
            'Invalid fields: body/appointmentAt.',
          );
        }
        appointment = new Date(appointmentAt);
        const problem = appointmentProblem(appointment, now, await loadCalendar(deps.db, unit.districtId));
        if (problem) {
          throw AppError.validation(
            [{ field: 'body/appointmentAt', message: problem.message, code: problem.code }],
            `Invalid fields: body/appointmentAt ${problem.message}.`,
          );
        }
      }
      // A material the guide marks required is uploaded or brought on the visit: all named at once.
      const materials = checkMaterials(guide, input.files, input.lists?.bringMaterials ?? []);
      if (materials.problems.length) {
        const missing = materials.problems.filter((p) => p.code === 'material-required');
        throw new AppError(
          400,
          missing.length ? 'materials-required' : 'validation',
          missing.length
            ? `Required materials missing: ${materials.missing.join(', ')}.`
            : `Invalid fields: ${materials.problems.map((p) => p.field).join(', ')}.`,
          { errors: materials.problems },
        );
      }
      const department =
        item.mode === 'proxy' ? await findDepartmentByName(deps.db, item.districtId, item.department) : null;
      const stored = await storeFiles(deps.dataDir, input.files);
      try {
        const created = await deps.db.transaction(async (tx) => {
          const app = await insertApplication(tx, {
            districtId: unit.districtId,
            number: applicationNumberSql(unit.districtId, beijingDate(now)),
            orgUnitId: unit.id,
            itemId: item.id,
            residentId: accountId,
            mode: item.mode,
            status: 'submitted',
            departmentId: department?.id ?? null,
            note: note?.trim() || null,
            materialsToBring: materials.toBring,
            appointmentAt: appointment,
            createdAt: now,
            updatedAt: now,
          });
          await insertFiles(tx, fileRows(app.id, input.files, stored, accountId));
          await insertEvent(tx, {
            applicationId: app.id,
            step: 'submit',
            fromStatus: null,
            toStatus: 'submitted',
            actorId: accountId,
            note: note?.trim() || null,
            at: now,
          });
          await notify(
            tx,
            [accountId],
            applicationSubmitted,
            { applicationId: app.id, number: app.number, itemName: item.name, unitName: unit.name },
            { at: now },
          );
          await writeAudit(tx, ctx, {
            action: 'application.submit',
            entityType: 'application',
            entityId: app.id,
            orgUnitId: unit.id,
            districtId: unit.districtId,
            after: {
              number: app.number,
              status: app.status,
              itemId: item.id,
              mode: app.mode,
              departmentId: app.departmentId,
              materialsToBring: app.materialsToBring,
            },
            note: { files: stored.length },
          });
          return app;
        });
        return { status: 201, body: { id: created.id } };
      } catch (err) {
        await removeStoredFiles(
          deps.dataDir,
          stored.map((s) => s.path),
        );
        throw err;
      }
    },
  );
  return { id: result.body.id, replayed: result.replayed };
}

/** What a step carries besides the step itself. */
export type StepInput =
  | { step: 'request_more'; missingMaterials: string[]; note?: string }
  | { step: 'add_materials'; files: ReceivedFile[]; note?: string }
  | { step: 'refuse'; reason: string }
  | { step: 'result_ready'; delivery: ResultDelivery }
  | { step: 'rate'; rating: number; comment?: string }
  | {
      step: Exclude<ApplicationStep, 'request_more' | 'add_materials' | 'refuse' | 'result_ready' | 'rate'>;
      note?: string;
    };

const DELIVERY_TEXT: Record<ResultDelivery, PerLocale> = {
  pick_up: { 'zh-CN': '请到社区便民服务室领取', en: 'collect it at the community service room' },
  post: { 'zh-CN': '将邮寄给您', en: 'it will be posted to you' },
};

/**
 * One workflow step: who may (404/403), whether the table allows it from here (409 naming the
 * state), the step's guard (400/422), then in one transaction the race-safe update, the history
 * row, the resident's notification (its message, and its text queued) and the audit record.
 */
export async function applyTransition(
  deps: ApplicationDeps,
  ctx: RequestContext,
  id: string,
  input: StepInput,
): Promise<ApplicationDetailView> {
  const { step } = input;
  const { app, unit, who, resource } = await loadVisible(deps, ctx, id);
  authorizeBy(
    ctx.actor,
    { allowed: applicationPolicy[step](who, resource), seen: true },
    'application',
    `You may not ${step.replace('_', ' ')} this application.`,
  );
  const from = app.status;
  const to = requireTransition(from, step);
  const now = deps.clock.now();
  const [itemRow] = await itemsByIds(deps.db, [app.itemId]);
  const set: Partial<typeof applications.$inferInsert> = { status: to, updatedAt: now };
  let eventNote: string | null = 'note' in input ? (input.note?.trim() ?? null) || null : null;
  const item = itemRow!.name;
  let text: PerLocale = {
    'zh-CN': `您申请的“${item}”${STATUS_TITLES[to]}。`,
    en: `Your application for “${item}” is now ${statusText(to).en}.`,
  };
  let stored: StoredFile[] = [];
  let files: ReceivedFile[] = [];

  switch (input.step) {
    case 'request_more': {
      const missing = [...new Set(input.missingMaterials.map((m) => m.trim()).filter(Boolean))];
      if (missing.length === 0) {
        throw AppError.validation(
          [{ field: 'body/missingMaterials', message: 'must name at least one material', code: 'minItems' }],
          'Invalid fields: body/missingMaterials.',
        );
      }
      set.missingMaterials = missing;
      eventNote = [`需补正：${missing.join('、')}`, eventNote].filter(Boolean).join('；');
      text = {
        'zh-CN': `您申请的“${item}”需要补正材料：${missing.join('、')}。请在“我的办件”中补充上传。`,
        en: `Your application for “${item}” needs more materials: ${missing.join(', ')}. Please add them in My applications.`,
      };
      break;
    }
    case 'add_materials': {
      files = input.files;
      if (files.length === 0) {
        throw AppError.validation(
          [{ field: 'files', message: 'add at least one file', code: 'minItems' }],
          'Add at least one file.',
        );
      }
      const existing = await countFiles(deps.db, id);
      if (existing + files.length > MAX_FILES) {
        const over = files[MAX_FILES - existing] ?? files[0]!;
        throw new AppError(400, 'too-many-files', `At most ${MAX_FILES} files per application.`, {
          errors: [
            {
              field: `files/${over.filename}`,
              message: `more than ${MAX_FILES} files`,
              code: 'too-many-files',
            },
          ],
        });
      }
      set.missingMaterials = [];
      eventNote = [`补充材料 ${files.length} 份`, eventNote].filter(Boolean).join('；');
      text = {
        'zh-CN': `已收到您为“${item}”补充的材料，工作人员将重新审核。`,
        en: `We received the materials you added for “${item}”; staff will review them again.`,
      };
      break;
    }
    case 'accept': {
      const calendar = await loadCalendar(deps.db, app.districtId);
      set.acceptedAt = now;
      set.dueAt = calendar.addWorkingDays(now, itemRow!.promisedDays ?? 0);
      text = {
        'zh-CN': `您申请的“${item}”已受理，承诺 ${itemRow!.promisedDays ?? 0} 个工作日内办结。`,
        en: `Your application for “${item}” was accepted and will be done within ${itemRow!.promisedDays ?? 0} working days.`,
      };
      break;
    }
    case 'forward': {
      if (app.mode !== 'proxy' || !app.departmentId) {
        throw AppError.unprocessable(
          'not-a-proxy-item',
          'Only proxy items with a known department are forwarded; complete this one in the service room.',
        );
      }
      set.forwardedAt = now;
      break;
    }
    case 'complete':
      set.doneAt = now;
      break;
    case 'refuse':
      set.refusalReason = input.reason.trim();
      set.doneAt = now;
      eventNote = set.refusalReason;
      text = {
        'zh-CN': `您申请的“${item}”不予办理：${set.refusalReason}`,
        en: `Your application for “${item}” was refused: ${set.refusalReason}`,
      };
      break;
    case 'result_ready':
      set.delivery = input.delivery;
      eventNote = input.delivery;
      text = {
        'zh-CN': `您申请的“${item}”已办结，${DELIVERY_TEXT[input.delivery]['zh-CN']}。`,
        en: `Your application for “${item}” is done; ${DELIVERY_TEXT[input.delivery].en}.`,
      };
      break;
    case 'rate':
      set.rating = input.rating;
      set.ratingComment = input.comment?.trim() || null;
      eventNote = [`${input.rating} 星`, set.ratingComment].filter(Boolean).join('：');
      text = { 'zh-CN': `感谢您对“${item}”的评价。`, en: `Thank you for rating “${item}”.` };
      break;
    default:
      break;
  }

  if (files.length) stored = await storeFiles(deps.dataDir, files);
  try {
    await deps.db.transaction(async (tx) => {
      const updated = await updateFromStatus(tx, id, from, set);
      // Someone else moved it between our read and this write.
      if (!updated) {
        const current = await findApplication(tx, id);
        throw AppError.invalidTransition(current?.status ?? from, step);
      }
      await insertFiles(tx, fileRows(id, files, stored, ctx.actor.accountId));
      await insertEvent(tx, {
        applicationId: id,
        step,
        fromStatus: from,
        toStatus: to,
        actorId: ctx.actor.accountId,
        note: eventNote,
        at: now,
      });
      await notify(
        tx,
        [app.residentId],
        applicationStep,
        { applicationId: id, number: app.number, itemName: item, status: statusText(to), detail: text },
        { at: now },
      );
      const { updatedAt: _u, ...after } = set;
      await writeAudit(tx, ctx, {
        action: `application.${step}`,
        entityType: 'application',
        entityId: id,
        orgUnitId: unit.id,
        districtId: unit.districtId,
        before: { status: from },
        after,
        ...(stored.length ? { note: { files: stored.length } } : {}),
      });
    });
  } catch (err) {
    await removeStoredFiles(
      deps.dataDir,
      stored.map((s) => s.path),
    );
    throw err;
  }
  return getApplication(deps, ctx, id);
}

/** How far ahead a resident may book the service room. */
export const APPOINTMENT_DAYS_AHEAD = 30;
/** Service-room appointment times (Beijing): every half hour, the last one 30 minutes before closing. */
export const APPOINTMENT_TIMES = [
  '09:00',
  '09:30',
  '10:00',
  '10:30',
  '11:00',
  '11:30',
  '14:00',
  '14:30',
  '15:00',
  '15:30',
  '16:00',
  '16:30',
  '17:00',
];

/**
 * Why an appointment time cannot be booked, or null: it must be in the future, within
 * APPOINTMENT_DAYS_AHEAD days, on a working day of the district calendar (holidays off, make-up
 * working days on) and at one of APPOINTMENT_TIMES, Beijing time.
 */
export function appointmentProblem(
  at: Date,
  now: Date,
  calendar: Pick<WorkingCalendar, 'isWorkingDay'>,
): { message: string; code: string } | null {
  if (at.getTime() <= now.getTime()) return { message: 'must be in the future', code: 'minimum' };
  if (at.getTime() - now.getTime() > APPOINTMENT_DAYS_AHEAD * 86_400_000) {
    return { message: `must be within ${APPOINTMENT_DAYS_AHEAD} days`, code: 'maximum' };
  }
  if (!calendar.isWorkingDay(at)) {
    return { message: `must be on a working day (${beijingDate(at)} is not one)`, code: 'not-working-day' };
  }
  const beijing = new Date(at.getTime() + 8 * 3_600_000);
  const hhmm = beijing.toISOString().slice(11, 16);
  if (
    beijing.getUTCSeconds() !== 0 ||
    beijing.getUTCMilliseconds() !== 0 ||
    !APPOINTMENT_TIMES.includes(hhmm)
  ) {
    return {
      message: `must be one of the service room's times (${APPOINTMENT_TIMES.join(', ')}, Beijing)`,
      code: 'slot',
    };
  }
  return null;
}

/** Staff record an in-person visit; a second one flags the 最多跑一次 pledge as broken. */
export async function recordVisit(
  deps: ApplicationDeps,
  ctx: RequestContext,
  id: string,
  input: VisitCreate,
): Promise<ApplicationDetailView> {
  const { unit, who, resource } = await loadVisible(deps, ctx, id);
  authorizeBy(
    ctx.actor,
    { allowed: applicationPolicy.record_visit(who, resource), seen: true },
    'application',
    'Only service-room staff record visits.',
  );
  const now = deps.clock.now();
  const at = input.at ? new Date(input.at) : now;
  await deps.db.transaction(async (tx) => {
    const visits = await insertVisit(
      tx,
      { applicationId: id, at, note: input.note?.trim() || null, recordedBy: ctx.actor.accountId },
      now,
    );
    await writeAudit(tx, ctx, {
      action: 'application.visit',
      entityType: 'application',
      entityId: id,
      orgUnitId: unit.id,
      districtId: unit.districtId,
      before: { visits: visits - 1 },
      after: { visits },
      note: { at: at.toISOString(), multipleTrips: visits > 1 },
    });
  });
  return getApplication(deps, ctx, id);
}

function encodeCursor(c: WorkbenchCursor): string {
  return Buffer.from(JSON.stringify([c.overdue, c.id])).toString('base64url');
}

function decodeCursor(raw: string): WorkbenchCursor {
  const bad = AppError.validation(
    [{ field: 'querystring/cursor', message: 'is not a cursor this API returned', code: 'format' }],
    'Invalid fields: querystring/cursor.',
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw bad;
  const [overdue, id] = parsed as unknown[];
  if ((overdue !== 0 && overdue !== 1) || typeof id !== 'string' || !UUID.test(id)) throw bad;
  return { overdue, id };
}

async function page(
  deps: ApplicationDeps,
  visible: SQL,
  filters: SQL[],
  query: { cursor?: string; limit?: number },
): Promise<{ items: ApplicationView[]; nextCursor: string | null }> {
  const limit = query.limit ?? 20;
  const now = deps.clock.now();
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await listApplications(deps.db, { visible, filters, now, after, limit });
  const items = await withRefs(deps, rows.slice(0, limit));
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > limit && last ? encodeCursor({ overdue: last.overdue ? 1 : 0, id: last.app.id }) : null;
  return { items, nextCursor };
}

/**
 * What the workbench may show the caller: applications of their scope (community staff, district
 * admins everywhere) or forwarded to their department (department staff). 403 for anyone else.
 */
export async function workbenchVisible(deps: ApplicationDeps, ctx: RequestContext): Promise<SQL> {
  const { actor } = ctx;
  if (actor.kind === 'anonymous') throw AppError.unauthenticated();
  const who = await whoIs(deps, ctx);
  const handles = holds(actor, 'applications.handle');
  if (!handles && !who.departmentId) throw AppError.forbidden('You lack the permission applications.handle.');
  const visible: SQL[] = [];
  if (handles) visible.push(scopeFilter(actor, 'applications.handle', applications.orgUnitId));
  if (who.departmentId)
    visible.push(and(eq(applications.departmentId, who.departmentId), isNotNull(applications.forwardedAt))!);
  return or(...visible)!;
}

const SHANGHAI = '+08:00';
/** Midnight of a `YYYY-MM-DD` day in Asia/Shanghai, or of the day after it. */
const dayStart = (day: string, plusDays = 0) => {
  const d = new Date(`${day}T00:00:00${SHANGHAI}`);
  return new Date(d.getTime() + plusDays * 86_400_000);
};

const shanghaiDay = (d: Date) =>
  Number.isNaN(d.getTime()) ? '' : new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 10);

/** The workbench filters as SQL; 400 naming the field when they contradict each other. */
export function workbenchFilters(query: ApplicationFilter, now: Date): SQL[] {
  const bad: { field: string; message: string; code: string }[] = [];
  for (const f of ['from', 'to'] as const) {
    const v = query[f];
    // The pattern lets 2026-02-31 through; a real day reads back as itself.
    if (v && shanghaiDay(dayStart(v)) !== v)
      bad.push({ field: `querystring/${f}`, message: 'is not a calendar day', code: 'format' });
  }
  if (query.from && query.to && query.from > query.to)
    bad.push({ field: 'querystring/to', message: 'must not be before from', code: 'minimum' });
  if (bad.length) throw AppError.validation(bad, `Invalid fields: ${bad.map((b) => b.field).join(', ')}.`);
  const filters: SQL[] = [];
  if (query.status) filters.push(eq(applications.status, query.status));
  if (query.orgUnitId) filters.push(inSubtree(query.orgUnitId));
  if (query.itemId) filters.push(eq(applications.itemId, query.itemId));
  if (query.from)
    filters.push(sql`${applications.createdAt} >= ${dayStart(query.from).toISOString()}::timestamptz`);
  if (query.to)
    filters.push(sql`${applications.createdAt} < ${dayStart(query.to, 1).toISOString()}::timestamptz`);
  if (query.multipleTrips !== undefined)
    filters.push(query.multipleTrips ? sql`${applications.visits} > 1` : sql`${applications.visits} <= 1`);
  if (query.overdue !== undefined) filters.push(sql`${overdueExpr(now)} = ${query.overdue ? 1 : 0}`);
  return filters;
}

/** Applications of a unit and everything below it (a community, a town, the district). */
export const inSubtree = (orgUnitId: string) =>
  sql`${applications.orgUnitId} IN (SELECT c.id FROM org_units c, org_units p WHERE p.id = ${orgUnitId}::uuid AND c.path LIKE p.path || '%')`;

/** The staff workbench (see workbenchVisible); overdue first, then newest. */
export async function listWorkbench(
  deps: ApplicationDeps,
  ctx: RequestContext,
  query: ApplicationWorkbenchQuery,
) {
  const visible = await workbenchVisible(deps, ctx);
  return page(deps, visible, workbenchFilters(query, deps.clock.now()), query);
}

/**
 * The workbench rows for the .xlsx export: same scope, filters and order as the list, at most
 * `cap` rows; `truncated` says there were more.
 */
export async function exportWorkbench(
  deps: ApplicationDeps,
  ctx: RequestContext,
  query: ApplicationFilter,
  cap: number,
): Promise<{ items: ApplicationView[]; truncated: boolean }> {
  const visible = await workbenchVisible(deps, ctx);
  const now = deps.clock.now();
  const rows = await listApplications(deps.db, {
    visible,
    filters: workbenchFilters(query, now),
    now,
    limit: cap,
  });
  return { items: await withRefs(deps, rows.slice(0, cap)), truncated: rows.length > cap };
}

/** The signed-in resident's applications (我的办件). */
export async function listMine(deps: ApplicationDeps, ctx: RequestContext, query: ApplicationMineQuery) {
  const accountId = ctx.actor.accountId;
  if (ctx.actor.kind !== 'resident' || !accountId)
    throw AppError.forbidden('Only residents have applications.');
  return page(deps, eq(applications.residentId, accountId), [], query);
}

/** A material file, for those who may see the application. */
export async function openApplicationFile(
  deps: ApplicationDeps,
  ctx: RequestContext,
  id: string,
  fileId: string,
) {
  await loadVisible(deps, ctx, id);
  const file = await findFile(deps.db, id, fileId);
  if (!file) throw AppError.notFound('file');
  return { file, stream: openStoredFile(deps.dataDir, file.storedPath) };
}

export type { ApplicationStatus };
