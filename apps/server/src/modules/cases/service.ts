import type {
  CaseMineQuery,
  CasePublicQuery,
  CaseQuery,
  CaseRating,
  CaseStatus,
  CaseStep,
  HandlerKind,
} from '@linli/contracts';
import { maskName, maskPhone } from '@linli/contracts';
import {
  eq,
  getTableColumns,
  inArray,
  like,
  notInArray,
  or,
  type SQL,
  sql,
  type WithSubquery,
} from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { writeAudit } from '../../core/audit';
import { uuidv7 } from '../../core/db/columns';
import type { Clock } from '../../core/clock';
import type { RequestContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { preparedQuery } from '../../core/db/prepared';
import { AppError, type FieldError } from '../../core/errors';
import {
  openStoredFile,
  type ReceivedFile,
  removeStoredFiles,
  type StoredFile,
  storeFiles,
} from '../../core/files';
import { idempotent } from '../../core/idempotency';
import { authorizeBy, can, holds, scopeFilter, visibleFilter } from '../../core/permissions';
import { beijingDate, loadCalendar } from '../calendar';
import {
  accountDisplayNames,
  defaultDistrict,
  findDepartment,
  listDepartments,
  type OrgUnitInfo,
  orgUnitsByIds,
} from '../identity/lookups';
import { orgUnits } from '../identity/schema';
import type { PerLocale } from '../../core/module';
import { notify } from '../messages';
import { caseDispatched, caseReported, caseStatusText, caseStep } from './events';
import { distanceMeters } from './geometry';
import { activePatrolOf } from './patrols';
import { type CaseActor, type CaseResource, caseAbilities, casePolicy, ownWork } from './permissions';
import { type Located, locate, type PlaceCandidate, placeReport } from './places';
import { cachedOrgUnits } from './ref-cache';
import { recordCaseStep, reportDeltaRows } from './rollups';
import {
  activeSquadOf,
  addFollower,
  type CaseCursor,
  type CaseListRow,
  exportCaseRows,
  findCase,
  findCategory,
  findCategoryWithRule,
  findPhoto,
  findSquad,
  followerCount,
  followerIds,
  handlerContextOf,
  insertHistory,
  insertPhotos,
  isReportPhoto,
  type BoardBand,
  listCases,
  membersOf,
  openCasesInBox,
  ruleFor,
  updateFromStatus,
} from './queries';
import {
  type CaseCategoryRow,
  type CaseHistoryRow,
  type CasePhotoRow,
  type CaseRoutingRuleRow,
  type CaseRow,
  caseHistory,
  caseHotspotDeltas,
  casePhotos,
  caseStatDeltas,
  cases,
  type StepSlaValue,
} from './schema';
import {
  isOverdue,
  OFF_BOARD_STATES,
  onBoard,
  OPEN_STATES,
  PUBLIC_STEPS,
  REOPEN_WINDOW_DAYS,
  requireTransition,
  SELF_STEPS,
  SLA_OF_STATE,
  STATUS_TITLES,
  stepDeadline,
} from './workflow';

/** What the case services need from the app. */
export interface CaseDeps {
  db: Db;
  clock: Clock;
  /** Uploads are stored under `<dataDir>/uploads`. */
  dataDir: string;
}

export const MAX_CASE_PHOTOS = 9;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;

/** A handler as presenters show it. */
export interface HandlerView {
  kind: HandlerKind;
  id: string;
  name: string;
}

/** A case with what presenters show next to it. */
export interface CaseView {
  c: CaseRow;
  categoryName: string;
  unit: OrgUnitInfo;
  handler: HandlerView | null;
  /** The reporter's name as this caller may see it (null: not shown). */
  reporter: string | null;
  overdue: boolean;
  followers: number;
}

export interface CaseDetailView extends CaseView {
  community: OrgUnitInfo | null;
  /** The point's town, community and grid by the boundaries (null without a location). */
  place: Located<PlaceCandidate> | null;
  reporterPhone: string | null;
  photos: CasePhotoRow[];
  history: (CaseHistoryRow & { actorName: string | null; photos: CasePhotoRow[] })[];
  relation: 'reporter' | 'follower' | 'staff';
  abilities: string[];
}

// Who is asking.

/** The actor plus the department and squads that make them a case's handler. */
async function whoIs(deps: CaseDeps, ctx: RequestContext): Promise<CaseActor> {
  const { actor } = ctx;
  if (actor.kind === 'staff' && actor.accountId && holds(actor, 'cases.handle')) {
    const h = await handlerContextOf(deps.db, actor.accountId);
    return { actor, departmentId: h.departmentId, squadIds: h.squadIds };
  }
  return { actor, departmentId: null, squadIds: new Set() };
}

const resourceOf = (
  c: CaseRow,
  unit: OrgUnitInfo,
  following: boolean,
  actor: RequestContext['actor'],
): CaseResource => ({
  orgPath: unit.path,
  status: c.status,
  reporterId: c.reporterId,
  handlerKind: c.handlerKind,
  squadId: c.squadId,
  departmentId: c.departmentId,
  handlerId: c.handlerId,
  handledBy: c.handledBy,
  following,
  onBoard: onBoard(c.status) && (actor.kind === 'system' || c.districtId === actor.districtId),
});

/** What the case's own query brings along, so a detail view needs no lookups of its own. */
interface CaseRefs {
  categoryName: string | null;
  squadName: string | null;
  departmentName: string | null;
  community: OrgUnitInfo | null;
  reporterName: string | null;
  reporterPhone: string | null;
  handlerName: string | null;
  followers: number;
  /** With `detail`: the history (oldest first) with actor names, and the photos. */
  history: (CaseHistoryRow & { actorName: string | null })[];
  photos: CasePhotoRow[];
  /** With `detail`: the boundaries whose box holds the case's point. */
  boundaries: PlaceCandidate[];
}

/** History and photos as JSON arrays of the case's own query: a detail view is one round trip. */
const historyJson = sql<HistoryJson[]>`(SELECT coalesce(json_agg(json_build_object(
  'id', h.id, 'caseId', h.case_id, 'step', h.step, 'fromStatus', h.from_status, 'toStatus', h.to_status,
  'actorId', h.actor_id, 'note', h.note, 'public', h.public, 'at', h.at, 'actorName', a.display_name
) ORDER BY h.at, h.id), '[]'::json) FROM case_history h LEFT JOIN accounts a ON a.id = h.actor_id
WHERE h.case_id = "cases"."id")`;
const photosJson = sql<PhotoJson[]>`(SELECT coalesce(json_agg(json_build_object(
  'id', p.id, 'caseId', p.case_id, 'historyId', p.history_id, 'originalName', p.original_name,
  'storedPath', p.stored_path, 'mime', p.mime, 'size', p.size, 'sha256', p.sha256,
  'uploadedBy', p.uploaded_by, 'createdAt', p.created_at
) ORDER BY p.created_at, p.id), '[]'::json) FROM case_photos p WHERE p.case_id = "cases"."id")`;
type HistoryJson = Omit<CaseHistoryRow, 'at'> & { at: string; actorName: string | null };
type PhotoJson = Omit<CasePhotoRow, 'createdAt'> & { createdAt: string };
/** The boundaries whose box holds the case's point (index range on the box), for its place. */
const boundariesJson = sql<PlaceCandidate[]>`(SELECT coalesce(json_agg(json_build_object(
  'orgUnitId', b.org_unit_id, 'depth', b.depth, 'geometry', b.geometry, 'parentId', u.parent_id,
  'code', u.code, 'name', u.name, 'kind', u.kind
) ORDER BY b.depth, b.org_unit_id), '[]'::json) FROM org_unit_boundaries b JOIN org_units u ON u.id = b.org_unit_id
WHERE b.district_id = "cases"."district_id" AND b.min_lng <= "cases"."lng" AND b.max_lng >= "cases"."lng"
AND b.min_lat <= "cases"."lat" AND b.max_lat >= "cases"."lat")`;
const emptyJson = sql<[]>`'[]'::json`;

/** JSON comes back as text from some drivers and parsed from others. */
const jsonArray = <T>(v: unknown): T[] => (typeof v === 'string' ? JSON.parse(v) : ((v ?? []) as T[]));

type CaseQueryVariant = `${'r' | 'x'}${'h' | 'x'}${'d' | 'x'}`;
const community = alias(orgUnits, 'community');

/**
 * The case with everything its views need, one prepared statement per variant: `r` a resident
 * (whether they follow it), `h` a handler (their department and squads), `d` the detail (history
 * and photos). `:id` is the case, `:accountId` the caller.
 */
const caseQuery = preparedQuery('cases_case', (db, name, variant: CaseQueryVariant) => {
  const [resident, handles, detail] = [variant[0] === 'r', variant[1] === 'h', variant[2] === 'd'];
  const accountId = sql.placeholder('accountId');
  const following = resident
    ? sql<boolean>`exists (SELECT 1 FROM case_followers f WHERE f.case_id = "cases"."id" AND f.account_id = ${accountId})`
    : sql<boolean>`false`;
  return db
    .select({
      c: cases,
      unit: {
        id: orgUnits.id,
        districtId: orgUnits.districtId,
        code: orgUnits.code,
        name: orgUnits.name,
        kind: orgUnits.kind,
        status: orgUnits.status,
        path: orgUnits.path,
      },
      community: {
        id: community.id,
        districtId: community.districtId,
        code: community.code,
        name: community.name,
        kind: community.kind,
        status: community.status,
        path: community.path,
      },
      // Scalar subqueries, not joins: PGlite spent ~20 ms planning the 9-way join order.
      categoryName: sql<
        string | null
      >`(SELECT c2.name FROM case_categories c2 WHERE c2.district_id = "cases"."district_id" AND c2.code = "cases"."category_code")`,
      squadName: sql<string | null>`(SELECT s.name FROM squads s WHERE s.id = "cases"."squad_id")`,
      departmentName: sql<
        string | null
      >`(SELECT d.name FROM departments d WHERE d.id = "cases"."department_id")`,
      reporterName: sql<
        string | null
      >`(SELECT a.display_name FROM accounts a WHERE a.id = "cases"."reporter_id")`,
      reporterPhone: sql<string | null>`(SELECT a.phone FROM accounts a WHERE a.id = "cases"."reporter_id")`,
      handlerName: sql<
        string | null
      >`(SELECT a.display_name FROM accounts a WHERE a.id = "cases"."handler_id")`,
      followers: followerCount,
      following,
      actorDepartmentId: handles
        ? sql<string | null>`(SELECT a.department_id FROM accounts a WHERE a.id = ${accountId})`
        : sql<null>`NULL::uuid`,
      actorSquadIds: handles
        ? sql<
            string[]
          >`coalesce((SELECT array_agg(m.squad_id::text) FROM squad_members m WHERE m.account_id = ${accountId} AND m.active), '{}'::text[])`
        : sql<string[]>`'{}'::text[]`,
      history: detail ? historyJson : emptyJson,
      photos: detail ? photosJson : emptyJson,
      boundaries: detail ? boundariesJson : emptyJson,
    })
    .from(cases)
    .innerJoin(orgUnits, eq(orgUnits.id, cases.orgUnitId))
    .leftJoin(community, eq(community.id, cases.communityId))
    .where(eq(cases.id, sql.placeholder('id')))
    .limit(1)
    .prepare(name);
});

/**
 * Loads a case the caller may read in full (casePolicy.view). One the caller can only see on the
 * board answers 403, any other the same 404 as a missing id (core `authorizeBy`). With
 * `seeOnly`, a case of the board loads too (for "me too"). One query brings the case with its
 * unit, community, category, squad and department names, reporter and handler names and follower
 * count (and whether this resident follows it); the caller's handler context is read alongside.
 */
async function loadVisible(
  deps: CaseDeps,
  ctx: RequestContext,
  id: string,
  opts: { detail?: boolean; seeOnly?: boolean } = {},
) {
  if (ctx.actor.kind === 'anonymous') throw AppError.unauthenticated();
  const { actor } = ctx;
  // whoIs's handler context (department, squads), read in the same statement.
  const handles = actor.kind === 'staff' && !!actor.accountId && holds(actor, 'cases.handle');
  const resident = actor.kind === 'resident' && !!actor.accountId;
  const variant: CaseQueryVariant = `${resident ? 'r' : 'x'}${handles ? 'h' : 'x'}${opts.detail ? 'd' : 'x'}`;
  const rows = await caseQuery(deps.db, variant).execute({ id, accountId: actor.accountId });
  const row = rows[0];
  if (!row) throw AppError.notFound('case');
  const who: CaseActor = {
    actor,
    departmentId: handles ? (row.actorDepartmentId ?? null) : null,
    squadIds: new Set<string>(handles ? (row.actorSquadIds ?? []) : []),
  };
  const { c, unit } = row;
  const resource = resourceOf(c, unit, !!row.following, actor);
  authorizeBy(
    actor,
    {
      allowed: opts.seeOnly ? casePolicy.see(who, resource) : casePolicy.view(who, resource),
      seen: casePolicy.see(who, resource),
    },
    'case',
    'Only its reporter, its followers and the staff who handle it read this case.',
  );
  const refs: CaseRefs = {
    categoryName: row.categoryName,
    squadName: row.squadName,
    departmentName: row.departmentName,
    community: row.community,
    reporterName: row.reporterName,
    reporterPhone: row.reporterPhone,
    handlerName: row.handlerName,
    followers: Number(row.followers ?? 0),
    history: jsonArray<HistoryJson>(row.history).map((h) => ({ ...h, at: new Date(h.at) })),
    photos: jsonArray<PhotoJson>(row.photos).map((p) => ({ ...p, createdAt: new Date(p.createdAt) })),
    boundaries: jsonArray<PlaceCandidate>(row.boundaries),
  };
  return { c, unit, who, resource, refs };
}

// Presenting helpers.

/** How the reporter's name shows: the reporter themself and pii.read see it; hidden names are 匿名. */
function reporterLabel(
  ctx: RequestContext,
  c: CaseRow,
  unitPath: string,
  name: string | undefined,
): { name: string | null; full: boolean } {
  if (!c.reporterId || !name) return { name: null, full: false };
  const { actor } = ctx;
  if (actor.accountId === c.reporterId) return { name, full: true };
  if (actor.kind !== 'staff' && actor.kind !== 'system') return { name: null, full: false };
  if (can(actor, 'pii.read', unitPath)) return { name, full: true };
  if (c.hideName) return { name: '匿名', full: false };
  return { name: maskName(name), full: false };
}

/** Attaches units, handler names, reporter names and overdue to page rows: a fixed number of queries. */
async function withRefs(deps: CaseDeps, ctx: RequestContext, rows: CaseListRow[]): Promise<CaseView[]> {
  const now = deps.clock.now();
  if (rows.length === 0) return [];
  const units = await orgUnitsByIds(
    deps.db,
    rows.map((r) => r.c.orgUnitId),
  );
  const names = await accountDisplayNames(
    deps.db,
    rows
      .flatMap((r) => [r.c.reporterId, r.c.handlerKind === 'person' ? r.c.handlerId : null])
      .filter((x): x is string => !!x),
  );
  // Department names come joined with the rows: no query of their own.
  const departments = new Map(
    rows.flatMap((r) =>
      r.c.departmentId && r.departmentName ? [[r.c.departmentId, r.departmentName] as const] : [],
    ),
  );
  return rows.map((r) => {
    const unit = units.get(r.c.orgUnitId)!;
    return {
      c: r.c,
      categoryName: r.categoryName ?? r.c.categoryCode,
      unit,
      handler: handlerOf(r.c, r.squadName, departments, names),
      reporter: reporterLabel(ctx, r.c, unit.path, r.c.reporterId ? names.get(r.c.reporterId) : undefined)
        .name,
      overdue: isOverdue(r.c, now),
      followers: Number(r.followers ?? 0),
    };
  });
}

function handlerOf(
  c: CaseRow,
  squadName: string | null,
  departments: Map<string, string>,
  names: Map<string, string>,
): HandlerView | null {
  if (c.handlerKind === 'squad' && c.squadId) return { kind: 'squad', id: c.squadId, name: squadName ?? '' };
  if (c.handlerKind === 'department' && c.departmentId)
    return { kind: 'department', id: c.departmentId, name: departments.get(c.departmentId) ?? '' };
  if (c.handlerKind === 'person' && c.handlerId)
    return { kind: 'person', id: c.handlerId, name: names.get(c.handlerId) ?? '' };
  return null;
}

/** One case with its photos, history, handler and what the caller may do next. */
export async function getCase(deps: CaseDeps, ctx: RequestContext, id: string): Promise<CaseDetailView> {
  const { c, unit, who, resource, refs } = await loadVisible(deps, ctx, id, { detail: true });
  return detailOf(deps, ctx, c, unit, who, resource, refs);
}

/** The detail view, from what `loadVisible(…, { detail: true })` read: no queries of its own. */
async function detailOf(
  deps: CaseDeps,
  ctx: RequestContext,
  c: CaseRow,
  unit: OrgUnitInfo,
  who: CaseActor,
  resource: CaseResource,
  refs: CaseRefs,
): Promise<CaseDetailView> {
  const history = refs.history.map(({ actorName, ...h }) => ({ h, actorName }));
  const photos = refs.photos;
  const names = new Map<string, string>();
  if (c.reporterId && refs.reporterName !== null) names.set(c.reporterId, refs.reporterName);
  if (c.handlerId && refs.handlerName !== null) names.set(c.handlerId, refs.handlerName);
  for (const r of history) if (r.h.actorId && r.actorName !== null) names.set(r.h.actorId, r.actorName);
  const relation: CaseDetailView['relation'] =
    ctx.actor.accountId && ctx.actor.accountId === c.reporterId
      ? 'reporter'
      : resource.following
        ? 'follower'
        : 'staff';
  const label = reporterLabel(ctx, c, unit.path, c.reporterId ? names.get(c.reporterId) : undefined);
  let reporterPhone: string | null = null;
  if (label.name && label.name !== '匿名' && c.reporterId) {
    const phone = refs.reporterPhone;
    reporterPhone = label.full ? phone : maskPhone(phone);
  }
  const reportHistory = history.find((r) => r.h.step === 'report')?.h;
  // Residents see the public timeline only; staff see every step.
  const shown = relation === 'staff' ? history : history.filter((r) => r.h.public);
  return {
    c,
    categoryName: refs.categoryName ?? c.categoryCode,
    unit,
    community: refs.community,
    place: c.lat !== null && c.lng !== null ? locate(refs.boundaries, [c.lng, c.lat]) : null,
    handler: handlerOf(
      c,
      refs.squadName,
      new Map(c.departmentId && refs.departmentName !== null ? [[c.departmentId, refs.departmentName]] : []),
      names,
    ),
    reporter: label.name,
    reporterPhone,
    overdue: isOverdue(c, deps.clock.now()),
    followers: refs.followers,
    // Followers see what the handlers did, not the reporter's own photos (they may show their home).
    photos:
      reportHistory && relation !== 'follower' ? photos.filter((p) => p.historyId === reportHistory.id) : [],
    history: shown.map(({ h }) => ({
      ...h,
      actorName: h.actorId
        ? relation === 'staff' || h.actorId !== c.reporterId
          ? (names.get(h.actorId) ?? null)
          : null
        : null,
      photos: h.step === 'report' ? [] : photos.filter((p) => p.historyId === h.id),
    })),
    relation,
    abilities: caseAbilities(who, resource),
  };
}

// Storing photos.

const photoRows = (
  caseId: string,
  historyId: string,
  files: ReceivedFile[],
  stored: StoredFile[],
  by: string | null,
) =>
  stored.map((s, i) => ({
    caseId,
    historyId,
    originalName: files[i]!.filename,
    storedPath: s.path,
    mime: s.mime,
    size: s.size,
    sha256: s.sha256,
    uploadedBy: by,
  }));

/** Photos only (no PDF): 400 naming the first file that is not a JPEG or PNG. */
export function checkPhotos(files: ReceivedFile[]) {
  const bad = files.find((f) => f.kind.mime === 'application/pdf');
  if (bad) {
    throw new AppError(400, 'file-type', `"${bad.filename}" is not a JPEG or PNG photo.`, {
      errors: [
        {
          field: `files/${bad.filename}`,
          message: 'is not a JPEG or PNG (checked by content)',
          code: 'file-type',
        },
      ],
    });
  }
}

// Routing.

interface Route {
  handlerKind: 'squad' | 'department';
  squadId: string | null;
  departmentId: string | null;
}

/** Category → handling unit by the rules: the community's squad, else the responsible department. */
export async function routeCase(
  db: Db,
  districtId: string,
  category: CaseCategoryRow,
  communityId: string | null,
  /** The rule for the category when already read (`findCategoryWithRule`). */
  known?: { rule: CaseRoutingRuleRow | null },
): Promise<Route | null> {
  const rule = known ? known.rule : await ruleFor(db, districtId, category.code);
  const kind = rule?.handlerKind ?? category.defaultHandlerKind;
  if (kind === 'squad') {
    const squad = communityId ? await activeSquadOf(db, communityId) : null;
    return squad ? { handlerKind: 'squad', squadId: squad.id, departmentId: null } : null;
  }
  let departmentId = rule?.departmentId ?? null;
  if (!departmentId && category.defaultDepartment) {
    const d = (await listDepartments(db, districtId)).find((x) => x.name === category.defaultDepartment);
    departmentId = d?.id ?? null;
  }
  return departmentId ? { handlerKind: 'department', squadId: null, departmentId } : null;
}

function slaOf(category: CaseCategoryRow | null, step: string): StepSlaValue {
  const s = category?.sla?.[step];
  if (s && Number.isFinite(s.hours)) return { hours: s.hours, clock: category?.urgent ? true : !!s.clock };
  return { hours: 8, clock: !!category?.urgent };
}

// Reporting.

export interface ReportInput {
  fields: Record<string, string>;
  files: ReceivedFile[];
}

/** A report another module files for someone with no account here (an Open311 partner app). */
export interface ReportOnBehalf {
  source: 'open311';
  districtId: string;
  /** Runs in the creating transaction, before the audit row: the caller's own rows for the case. */
  inTransaction?: (tx: Executor, c: CaseRow) => Promise<void>;
  /** Added to the note of the `case.report` audit row (e.g. which partner). */
  auditNote?: Record<string, unknown>;
}

export interface CaseReceiptView {
  id: string;
  number: string;
  status: CaseStatus;
  orgUnit: { id: string; code: string; name: string; kind: OrgUnitInfo['kind'] };
  handler: HandlerView | null;
  dueAt: string | null;
  createdAt: string;
}

function parseReport(fields: Record<string, string>) {
  const bad: FieldError[] = [];
  const categoryCode = (fields.categoryCode ?? '').trim();
  const description = (fields.description ?? '').trim();
  const address = fields.address?.trim() || undefined;
  const num = (name: 'lat' | 'lng', min: number, max: number) => {
    const raw = fields[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < min || v > max) {
      bad.push({ field: `body/${name}`, message: `must be a number from ${min} to ${max}`, code: 'range' });
      return undefined;
    }
    return v;
  };
  const lat = num('lat', -90, 90);
  const lng = num('lng', -180, 180);
  if (!/^[0-9]{4}$/.test(categoryCode))
    bad.push({ field: 'body/categoryCode', message: 'must be a 4-digit category code', code: 'pattern' });
  if (description.length < 2 || description.length > 1000)
    bad.push({ field: 'body/description', message: 'must have 2 to 1000 characters', code: 'length' });
  if (address && address.length > 200)
    bad.push({ field: 'body/address', message: 'must NOT have more than 200 characters', code: 'maxLength' });
  if ((fields.lat !== undefined) !== (fields.lng !== undefined))
    bad.push({ field: 'body/lat', message: 'lat and lng come together', code: 'dependentRequired' });
  if (lat === undefined && !address && !bad.length)
    bad.push({ field: 'body/address', message: 'give a location or an address', code: 'required' });
  const hide = fields.hideName?.trim();
  if (hide !== undefined && hide !== 'true' && hide !== 'false')
    bad.push({ field: 'body/hideName', message: 'must be true or false', code: 'type' });
  if (bad.length) throw AppError.validation(bad, `Invalid fields: ${bad.map((b) => b.field).join(', ')}.`);
  return { categoryCode, description, address, lat, lng, hideName: hide === 'true' };
}

/**
 * A resident reports a problem (or a squad member files one found on patrol): placed by
 * location (422 outside the district) or address, routed by category, numbered per Beijing day,
 * with its photos, first history row, deadline, message and audit in one transaction. With an
 * Idempotency-Key a retry answers with the first receipt instead of a second case.
 */
export async function reportCase(
  deps: CaseDeps,
  ctx: RequestContext,
  input: ReportInput,
  idempotencyKey?: string,
  onBehalf?: ReportOnBehalf,
): Promise<{ receipt: CaseReceiptView; replayed: boolean }> {
  const { actor } = ctx;
  // A partner's report has no reporter account here: the caller vouches for it (Open311 api_key).
  const accountId = onBehalf ? null : actor.accountId;
  const districtId = onBehalf ? onBehalf.districtId : actor.districtId;
  if ((!onBehalf && !accountId) || !districtId) throw AppError.unauthenticated();
  let source: CaseRow['source'];
  if (onBehalf) source = onBehalf.source;
  else if (actor.kind === 'resident') source = 'resident';
  else if (actor.kind === 'staff' && holds(actor, 'cases.handle')) source = 'patrol';
  else throw AppError.forbidden('Only residents and squad members report cases.');
  const f = parseReport(input.fields);
  checkPhotos(input.files);

  const result = await idempotent(
    deps.db,
    { accountId: accountId ?? '', key: accountId ? idempotencyKey : undefined, route: 'POST /api/v1/cases' },
    async () => {
      const found = await findCategoryWithRule(deps.db, districtId, f.categoryCode);
      const category = found?.category;
      if (!found || category?.level !== 'sub' || !category.enabled) {
        throw AppError.unprocessable('unprocessable', `No category ${f.categoryCode} to report under.`, [
          { field: 'body/categoryCode', message: 'is not an enabled category', code: 'unknown-category' },
        ]);
      }
      const place = await placeReport(deps.db, districtId, f);
      // Names and codes for the receipt and the case number: from memory (cases/ref-cache.ts).
      const units = await cachedOrgUnits(deps.db, [place.orgUnitId, districtId]);
      const unit = units.get(place.orgUnitId)!;
      const district = units.get(districtId)!;
      const route = await routeCase(deps.db, districtId, category, place.communityId, found);
      const now = deps.clock.now();
      const calendar = await loadCalendar(deps.db, districtId);
      const { dueAt, redAt } = stepDeadline(calendar, now, slaOf(category, 'register'));
      // A squad member's report while on patrol is that patrol's 主动发现.
      const patrol = source === 'patrol' && accountId ? await activePatrolOf(deps.db, accountId) : null;
      const stored = await storeFiles(deps.dataDir, input.files);
      let handlerNames: { squadName: string | null; departmentName: string | null } | undefined;
      try {
        const created = await deps.db.transaction(async (tx) => {
          const day = beijingDate(now);
          // The number, the case, its first history row, its photos and its statistics deltas
          // in one statement (data-modifying CTEs): one round trip inside the transaction, which
          // holds PGlite's only connection. Numbers read <district code>-<yyyymmdd>-<the running
          // number, at least 4 digits>: `nextval` locks nothing another report waits for.
          const prefix = `${district.code}-${day.replaceAll('-', '')}-`;
          const numberSql = sql`(SELECT ${prefix} || lpad(s.n::text, greatest(4, length(s.n::text)), '0') FROM (SELECT nextval('case_number_seq') AS n) s)`;
          const caseId = uuidv7();
          const historyId = uuidv7();
          const newCase = tx.$with('new_case').as(
            tx
              .insert(cases)
              .values({
                id: caseId,
                districtId,
                number: numberSql,
                categoryCode: category.code,
                description: f.description,
                lat: f.lat ?? null,
                lng: f.lng ?? null,
                address: f.address ?? null,
                orgUnitId: place.orgUnitId,
                communityId: place.communityId,
                handlerKind: route?.handlerKind ?? null,
                squadId: route?.squadId ?? null,
                departmentId: route?.departmentId ?? null,
                status: 'reported',
                stepStartedAt: now,
                dueAt,
                redAt,
                hideName: f.hideName,
                reporterId: accountId,
                source,
                patrolSessionId: patrol?.id ?? null,
                createdAt: now,
                updatedAt: now,
              })
              // The handler's name for the receipt comes back with the row: no lookup afterwards.
              .returning({
                ...getTableColumns(cases),
                squadName: sql<string | null>`(SELECT s.name FROM squads s WHERE s.id = ${cases.squadId})`.as(
                  'squad_name',
                ),
                departmentName: sql<
                  string | null
                >`(SELECT d.name FROM departments d WHERE d.id = ${cases.departmentId})`.as(
                  'department_name',
                ),
              }),
          );
          const newHistory = tx.$with('new_history').as(
            tx
              .insert(caseHistory)
              .values({
                id: historyId,
                caseId,
                step: 'report',
                fromStatus: null,
                toStatus: 'reported',
                actorId: accountId,
                note: place.how === 'address' ? '按地址定位' : null,
                public: true,
                at: now,
              })
              .returning({ id: caseHistory.id }),
          );
          const deltas = reportDeltaRows(
            {
              createdAt: now,
              orgUnitId: place.orgUnitId,
              communityId: place.communityId,
              categoryCode: category.code,
              source,
              status: 'reported',
              rating: null,
              closedAt: null,
              lat: f.lat ?? null,
              lng: f.lng ?? null,
            },
            calendar,
          );
          const statDelta = tx
            .$with('stat_delta')
            .as(tx.insert(caseStatDeltas).values(deltas.stat).returning({ id: caseStatDeltas.id }));
          const ctes: WithSubquery[] = [newCase, newHistory, statDelta];
          if (deltas.hotspot)
            ctes.push(
              tx
                .$with('hotspot_delta')
                .as(
                  tx.insert(caseHotspotDeltas).values(deltas.hotspot).returning({ id: caseHotspotDeltas.id }),
                ),
            );
          const photos = photoRows(caseId, historyId, input.files, stored, accountId);
          if (photos.length)
            ctes.push(
              tx
                .$with('new_photos')
                .as(tx.insert(casePhotos).values(photos).returning({ id: casePhotos.id })),
            );
          const [row] = await tx
            .with(...ctes)
            .select()
            .from(newCase);
          if (!row) throw new Error('case insert returned no row');
          const { squadName, departmentName, ...c } = row;
          const { number } = c;
          handlerNames = { squadName, departmentName };
          if (accountId) {
            await notify(
              tx,
              [accountId],
              caseReported,
              { caseId: c.id, number, category: category.name, unitName: unit.name },
              { at: now },
            );
          }
          if (onBehalf?.inTransaction) await onBehalf.inTransaction(tx, c);
          await writeAudit(tx, ctx, {
            action: 'case.report',
            entityType: 'case',
            entityId: c.id,
            orgUnitId: c.orgUnitId,
            districtId,
            after: {
              number,
              status: c.status,
              categoryCode: c.categoryCode,
              source,
              handlerKind: c.handlerKind,
              squadId: c.squadId,
              departmentId: c.departmentId,
            },
            note: { photos: stored.length, placedBy: place.how, ...onBehalf?.auditNote },
          });
          return c;
        });
        const handler = await handlerViewOf(deps.db, created, handlerNames);
        const receipt: CaseReceiptView = {
          id: created.id,
          number: created.number,
          status: created.status,
          orgUnit: { id: unit.id, code: unit.code, name: unit.name, kind: unit.kind },
          handler,
          dueAt: created.dueAt?.toISOString() ?? null,
          createdAt: created.createdAt.toISOString(),
        };
        return { status: 201, body: receipt };
      } catch (err) {
        await removeStoredFiles(
          deps.dataDir,
          stored.map((s) => s.path),
        );
        throw err;
      }
    },
  );
  return { receipt: result.body, replayed: result.replayed };
}

/** The handler as a receipt shows it; `known` names (read with the row) spare the lookup. */
async function handlerViewOf(
  db: Executor,
  c: CaseRow,
  known?: { squadName: string | null; departmentName: string | null },
): Promise<HandlerView | null> {
  if (c.handlerKind === 'squad' && c.squadId) {
    const name = known ? known.squadName : (await findSquad(db, c.squadId))?.name;
    return { kind: 'squad', id: c.squadId, name: name ?? '' };
  }
  if (c.handlerKind === 'department' && c.departmentId) {
    const name = known ? known.departmentName : (await findDepartment(db, c.departmentId))?.name;
    return { kind: 'department', id: c.departmentId, name: name ?? '' };
  }
  if (c.handlerKind === 'person' && c.handlerId) {
    const n = await accountDisplayNames(db, [c.handlerId]);
    return { kind: 'person', id: c.handlerId, name: n.get(c.handlerId) ?? '' };
  }
  return null;
}

// Steps.

/** What a step carries besides the step itself. */
export type StepInput =
  | { step: 'not_register' | 'send_back' | 'verify_fail'; reason: string }
  | { step: 'dispatch'; kind?: HandlerKind; targetId?: string; note?: string }
  | { step: 'handle'; files: ReceivedFile[]; note?: string }
  | { step: 'rate'; rating: CaseRating; comment?: string }
  | { step: 'request_extension'; hours: number; reason: string }
  | { step: 'supervise'; note: string }
  | {
      step: Exclude<
        CaseStep,
        | 'not_register'
        | 'send_back'
        | 'verify_fail'
        | 'dispatch'
        | 'handle'
        | 'rate'
        | 'request_extension'
        | 'supervise'
      >;
      note?: string;
    };

const RATING_TEXT: Record<CaseRating, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
};

const reopenAllowed = (c: Pick<CaseRow, 'reopened' | 'closedAt'>, rating: CaseRating | null, now: Date) =>
  rating === 'unsatisfied' &&
  !c.reopened &&
  !!c.closedAt &&
  now.getTime() - c.closedAt.getTime() <= REOPEN_WINDOW_DAYS * DAY_MS;

/** Resolves a dispatch target (or the routed unit) to handler columns; 422 when it is not one of ours. */
async function dispatchTarget(
  deps: CaseDeps,
  c: CaseRow,
  input: { kind?: HandlerKind; targetId?: string },
): Promise<Pick<CaseRow, 'handlerKind' | 'squadId' | 'departmentId' | 'handlerId'>> {
  const none = (detail: string) =>
    AppError.unprocessable('unprocessable', detail, [
      { field: 'body/targetId', message: detail, code: 'unknown-target' },
    ]);
  if (!input.kind || !input.targetId) {
    if (c.handlerKind && (c.squadId || c.departmentId || c.handlerId))
      return {
        handlerKind: c.handlerKind,
        squadId: c.squadId,
        departmentId: c.departmentId,
        handlerId: c.handlerId,
      };
    const category = await findCategory(deps.db, c.districtId, c.categoryCode);
    const route = category ? await routeCase(deps.db, c.districtId, category, c.communityId) : null;
    if (!route) throw none('The routing rules name no handler here: choose a squad, department or person.');
    return { ...route, handlerId: null };
  }
  if (input.kind === 'squad') {
    const s = await findSquad(deps.db, input.targetId);
    if (!s || s.districtId !== c.districtId || s.status !== 'active') throw none('No such active squad.');
    return { handlerKind: 'squad', squadId: s.id, departmentId: null, handlerId: null };
  }
  if (input.kind === 'department') {
    const d = await findDepartment(deps.db, input.targetId);
    if (!d || d.districtId !== c.districtId || d.status !== 'active') throw none('No such department.');
    return { handlerKind: 'department', squadId: null, departmentId: d.id, handlerId: null };
  }
  const names = await accountDisplayNames(deps.db, [input.targetId]);
  if (!names.has(input.targetId)) throw none('No such person.');
  return { handlerKind: 'person', squadId: null, departmentId: null, handlerId: input.targetId };
}

/**
 * One workflow step: who may (404/403; a handler verifying their own work is 403), whether the
 * table allows it from here (409 naming the state), the step's guard (400/422), then in one
 * transaction the race-safe update with the new deadline, the history row with its photos, the
 * messages to the reporter and followers for public steps, and the audit record.
 */
export async function applyStep(
  deps: CaseDeps,
  ctx: RequestContext,
  id: string,
  input: StepInput,
): Promise<CaseDetailView> {
  const { step } = input;
  const { c, who, resource } = await loadVisible(deps, ctx, id);
  if ((step === 'verify_pass' || step === 'verify_fail') && ownWork(who, resource)) {
    throw AppError.forbidden('You handled this case: someone else must verify it.');
  }
  if (!casePolicy[step](who, resource)) {
    throw AppError.forbidden(`You may not ${step.replaceAll('_', ' ')} this case.`);
  }
  const from = c.status;
  const to = requireTransition(from, step);
  const now = deps.clock.now();
  const category = await findCategory(deps.db, c.districtId, c.categoryCode);
  const calendar = await loadCalendar(deps.db, c.districtId);
  const set: Partial<typeof cases.$inferInsert> = { status: to, updatedAt: now };
  let note: string | null = 'note' in input ? input.note?.trim() || null : null;
  let files: ReceivedFile[] = [];
  const me = ctx.actor.accountId;

  // A new waiting state starts its own deadline; `start` keeps the handling deadline of `accept`.
  const restartClock = (state: CaseStatus) => {
    const slaStep = SLA_OF_STATE[state];
    if (!slaStep) {
      Object.assign(set, { dueAt: null, redAt: null, overdueLevel: 0, stepStartedAt: now });
      return;
    }
    const { dueAt, redAt } = stepDeadline(calendar, now, slaOf(category, slaStep));
    Object.assign(set, { dueAt, redAt, overdueLevel: 0, stepStartedAt: now });
  };
  if (!SELF_STEPS.has(step) && step !== 'start') restartClock(to);

  switch (input.step) {
    case 'not_register':
      set.notRegisteredReason = input.reason.trim();
      note = set.notRegisteredReason;
      break;
    case 'dispatch': {
      const target = await dispatchTarget(deps, c, input);
      Object.assign(set, target, { sendBackReason: null });
      break;
    }
    case 'send_back':
      set.sendBackReason = input.reason.trim();
      note = set.sendBackReason;
      Object.assign(set, { handlerKind: null, squadId: null, departmentId: null, handlerId: null });
      break;
    case 'accept':
      set.handlerId = me ?? c.handlerId;
      break;
    case 'handle': {
      files = input.files;
      checkPhotos(files);
      const needsPhoto = (category?.evidence?.handle ?? ['photo']).includes('photo');
      if (needsPhoto && files.length === 0) {
        throw AppError.validation(
          [{ field: 'files', message: 'add at least one photo of the result', code: 'minItems' }],
          'The 处置反馈 needs at least one photo of the result.',
        );
      }
      if (files.length > MAX_CASE_PHOTOS) {
        const over = files[MAX_CASE_PHOTOS]!;
        throw new AppError(400, 'too-many-files', `At most ${MAX_CASE_PHOTOS} photos.`, {
          errors: [
            {
              field: `files/${over.filename}`,
              message: `more than ${MAX_CASE_PHOTOS}`,
              code: 'too-many-files',
            },
          ],
        });
      }
      set.handledBy = me;
      break;
    }
    case 'verify_pass':
      set.closedAt = now;
      break;
    case 'verify_fail':
      note = input.reason.trim();
      break;
    case 'rate':
      set.rating = input.rating;
      set.ratingComment = input.comment?.trim() || null;
      note = [RATING_TEXT[input.rating], set.ratingComment].filter(Boolean).join('：');
      break;
    case 'reopen':
      if (!reopenAllowed(c, c.rating, now)) {
        throw AppError.unprocessable(
          'unprocessable',
          `A case reopens once, after 不满意, within ${REOPEN_WINDOW_DAYS} days of closing.`,
        );
      }
      Object.assign(set, {
        reopened: true,
        rating: null,
        ratingComment: null,
        closedAt: null,
        handledBy: null,
      });
      break;
    case 'request_extension':
      if (c.extensionStatus === 'pending') {
        throw AppError.unprocessable(
          'unprocessable',
          'An extension request is already waiting for approval.',
        );
      }
      Object.assign(set, {
        extensionHours: input.hours,
        extensionReason: input.reason.trim(),
        extensionStatus: 'pending',
      });
      note = `申请延期 ${input.hours} 小时：${input.reason.trim()}`;
      break;
    case 'approve_extension':
    case 'deny_extension': {
      if (c.extensionStatus !== 'pending' || !c.extensionHours) {
        throw AppError.unprocessable('unprocessable', 'There is no extension request to decide.');
      }
      if (input.step === 'approve_extension') {
        const sla = slaOf(category, SLA_OF_STATE[from] ?? 'handle');
        const base = c.dueAt ?? now;
        const dueAt = sla.clock
          ? calendar.addClockHours(base, c.extensionHours)
          : calendar.addWorkingHours(base, c.extensionHours);
        Object.assign(set, {
          extensionStatus: 'approved',
          overdueLevel: 0,
          ...redFrom(calendar, dueAt, sla),
        });
        note = [`批准延期 ${c.extensionHours} 小时`, note].filter(Boolean).join('：');
      } else {
        set.extensionStatus = 'denied';
        note = ['不批准延期', note].filter(Boolean).join('：');
      }
      break;
    }
    case 'supervise':
      set.supervised = true;
      set.supervisionNote = input.note.trim();
      note = set.supervisionNote;
      break;
    default:
      break;
  }

  const stored = files.length ? await storeFiles(deps.dataDir, files) : [];
  let reopenedNow = false;
  try {
    await deps.db.transaction(async (tx) => {
      const updated = await updateFromStatus(tx, id, from, set);
      // Someone else moved it between our read and this write.
      if (!updated) {
        const current = await findCase(tx, id);
        throw AppError.invalidTransition(current?.status ?? from, step);
      }
      const historyId = await insertHistory(tx, {
        caseId: id,
        step,
        fromStatus: from,
        toStatus: to,
        actorId: me,
        note,
        public: PUBLIC_STEPS.has(step),
        at: now,
      });
      await insertPhotos(tx, photoRows(id, historyId, files, stored, me));
      const audits: Parameters<typeof writeAudit>[2][] = [];
      const { updatedAt: _u, ...after } = set;
      audits.push({
        action: `case.${step}`,
        entityType: 'case',
        entityId: id,
        orgUnitId: c.orgUnitId,
        districtId: c.districtId,
        before: { status: from },
        after,
        ...(stored.length ? { note: { photos: stored.length } } : {}),
      });
      let final = updated;
      if (step === 'rate' && reopenAllowed(updated, updated.rating, now)) {
        // 不满意 within the window: the case goes back to the handler once (重办).
        const { dueAt, redAt } = stepDeadline(calendar, now, slaOf(category, 'handle'));
        const reopenSet = {
          status: 'handling' as const,
          reopened: true,
          rating: null,
          ratingComment: null,
          closedAt: null,
          handledBy: null,
          dueAt,
          redAt,
          overdueLevel: 0,
          stepStartedAt: now,
          updatedAt: now,
        };
        final = (await updateFromStatus(tx, id, 'rated', reopenSet))!;
        await insertHistory(tx, {
          caseId: id,
          step: 'reopen',
          fromStatus: 'rated',
          toStatus: 'handling',
          actorId: me,
          note: '评价不满意，案件重办',
          public: true,
          at: now,
        });
        const { updatedAt: _v, ...reopenAfter } = reopenSet;
        audits.push({
          action: 'case.reopen',
          entityType: 'case',
          entityId: id,
          orgUnitId: c.orgUnitId,
          districtId: c.districtId,
          before: { status: 'rated' },
          after: reopenAfter,
          note: { rating: updated.rating },
        });
        reopenedNow = true;
      }
      if (PUBLIC_STEPS.has(step)) {
        const title: PerLocale = reopenedNow ? { 'zh-CN': '重办', en: 'reopened' } : caseStatusText(to);
        const detail: PerLocale = reopenedNow
          ? {
              'zh-CN': `您对诉求 ${c.number} 的处理不满意，案件已退回重新办理。`,
              en: `You were not satisfied with how ${c.number} was handled; it goes back to be handled again.`,
            }
          : messageBody(step, c.number, to, note);
        // The reporter and every follower, once each.
        await notify(
          tx,
          [...(await followerIds(tx, c.id)), c.reporterId],
          caseStep,
          { caseId: c.id, number: c.number, title, detail },
          { at: now },
        );
      }
      if (step === 'dispatch') {
        // The handler hears of new work: the person, or every active member of the squad.
        const to =
          final.handlerKind === 'person' && final.handlerId
            ? [final.handlerId]
            : final.handlerKind === 'squad' && final.squadId
              ? (await membersOf(tx, [final.squadId])).filter((m) => m.active).map((m) => m.accountId)
              : [];
        await notify(
          tx,
          to,
          caseDispatched,
          { caseId: id, number: c.number, category: category?.name ?? c.categoryCode },
          { at: now },
        );
      }
      await recordCaseStep(tx, c, final, historyId, step, calendar);
      for (const a of audits) await writeAudit(tx, ctx, a);
    });
  } catch (err) {
    await removeStoredFiles(
      deps.dataDir,
      stored.map((s) => s.path),
    );
    throw err;
  }
  return getCase(deps, ctx, id);
}

function redFrom(
  calendar: Awaited<ReturnType<typeof loadCalendar>>,
  dueAt: Date,
  sla: StepSlaValue,
): { dueAt: Date; redAt: Date } {
  const redAt = sla.clock
    ? calendar.addClockHours(dueAt, sla.hours)
    : calendar.addWorkingHours(dueAt, sla.hours);
  return { dueAt, redAt };
}

function messageBody(step: CaseStep, number: string, to: CaseStatus, note: string | null): PerLocale {
  switch (step) {
    case 'not_register':
      return {
        'zh-CN': `诉求 ${number} 不予立案：${note ?? ''}`,
        en: `Report ${number} was not registered: ${note ?? ''}`,
      };
    case 'handle':
      return {
        'zh-CN': `诉求 ${number} 已处置，等待核查。可在“我的诉求”中查看处置照片。`,
        en: `Report ${number} was handled and awaits verification. See the photos in My reports.`,
      };
    case 'verify_pass':
      return {
        'zh-CN': `诉求 ${number} 已核查结案，请对处理结果进行评价。`,
        en: `Report ${number} was verified and closed. Please rate how it was handled.`,
      };
    case 'rate':
      return { 'zh-CN': `感谢您对诉求 ${number} 的评价。`, en: `Thank you for rating report ${number}.` };
    default:
      return {
        'zh-CN': `诉求 ${number} ${STATUS_TITLES[to]}。`,
        en: `Report ${number}: ${caseStatusText(to).en}.`,
      };
  }
}

// "Me too".

/**
 * Makes the resident a follower of an open case of the board instead of filing a duplicate. A
 * case not yet on the board (or of another district) does not exist for them: the same 404 as a
 * missing id. Their own case answers as it is.
 */
export async function followCase(deps: CaseDeps, ctx: RequestContext, id: string): Promise<CaseDetailView> {
  const accountId = ctx.actor.accountId;
  if (ctx.actor.kind !== 'resident' || !accountId) throw AppError.forbidden('Only residents follow cases.');
  const { c, who, resource } = await loadVisible(deps, ctx, id, { seeOnly: true });
  if (c.reporterId === accountId || resource.following) return getCase(deps, ctx, id);
  if (!OPEN_STATES.includes(c.status)) {
    throw AppError.conflict('invalid-transition', `"follow" is not allowed while the case is ${c.status}.`, {
      state: c.status,
    });
  }
  authorizeBy(ctx.actor, { allowed: casePolicy.follow(who, resource), seen: true }, 'case');
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const added = await addFollower(tx, id, accountId, now);
    if (!added) return;
    await writeAudit(tx, ctx, {
      action: 'case.follow',
      entityType: 'case',
      entityId: id,
      orgUnitId: c.orgUnitId,
      districtId: c.districtId,
      note: { follower: accountId },
    });
  });
  return getCase(deps, ctx, id);
}

/**
 * Open cases of the same category within `radius` metres ("me too" before reporting): those of
 * the board, the caller's own, and those in their cases.read scope — never someone else's report
 * that is not yet on the board.
 */
export async function nearbyCases(
  deps: CaseDeps,
  ctx: RequestContext,
  q: { category: string; lat: number; lng: number },
  radius = 100,
) {
  const districtId = ctx.actor.districtId ?? (await defaultDistrict(deps.db));
  const dLat = radius / 111_320;
  const dLng = radius / (111_320 * Math.cos((q.lat * Math.PI) / 180));
  const rows = await openCasesInBox(deps.db, {
    visible: visibleFilter(ctx.actor, 'cases.read', {
      orgUnit: cases.orgUnitId,
      owner: cases.reporterId,
      isPublic: notInArray(cases.status, [...OFF_BOARD_STATES]),
    }),
    districtId,
    categoryCode: q.category,
    minLat: q.lat - dLat,
    maxLat: q.lat + dLat,
    minLng: q.lng - dLng,
    maxLng: q.lng + dLng,
  });
  const hits = rows
    .map((r) => ({ ...r, distanceM: distanceMeters(q, { lat: r.c.lat!, lng: r.c.lng! }) }))
    .filter((r) => r.distanceM <= radius)
    .sort((a, b) => a.distanceM - b.distanceM);
  const communities = await orgUnitsByIds(
    deps.db,
    hits.flatMap((h) => (h.c.communityId ? [h.c.communityId] : [])),
  );
  return hits.map((h) => ({
    c: h.c,
    categoryName: h.categoryName ?? h.c.categoryCode,
    community: h.c.communityId ? (communities.get(h.c.communityId) ?? null) : null,
    followers: Number(h.followers ?? 0),
    distanceM: Math.round(h.distanceM),
  }));
}

// Lists.

function encodeCursor(c: CaseCursor): string {
  return Buffer.from(JSON.stringify([c.rank, c.id])).toString('base64url');
}

function decodeCursor(raw: string): CaseCursor {
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
  const [rank, id] = parsed as unknown[];
  if (![0, 1, 2].includes(rank as number) || typeof id !== 'string' || !UUID.test(id)) throw bad;
  return { rank: rank as number, id };
}

async function page(
  deps: CaseDeps,
  where: SQL[],
  query: { cursor?: string; limit?: number },
  ranked: boolean,
  bands?: readonly BoardBand[],
): Promise<{ rows: CaseListRow[]; nextCursor: string | null }> {
  const limit = query.limit ?? 20;
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await listCases(deps.db, { where, now: deps.clock.now(), after, limit, ranked, bands });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor =
    rows.length > limit && last ? encodeCursor({ rank: Number(last.rank), id: last.c.id }) : null;
  return { rows: items, nextCursor };
}

/**
 * The staff list and dispatch board: cases in the caller's scope (cases.read) or with their
 * squad, department or them; overdue first, then new (waiting for 立案 or 派遣), then newest.
 * At most 5 queries whatever the page size.
 */
export async function listStaffCases(deps: CaseDeps, ctx: RequestContext, q: CaseQuery) {
  const { where, bands } = await staffBoard(deps, ctx, q);
  const p = await page(deps, where, q, true, bands);
  return { items: await withRefs(deps, ctx, p.rows), nextCursor: p.nextCursor };
}

/** The staff board's scope and filters (`listStaffCases`, the export): who sees what, as SQL. */
async function staffBoard(
  deps: CaseDeps,
  ctx: RequestContext,
  q: Omit<CaseQuery, 'cursor' | 'limit'>,
): Promise<{ where: SQL[]; bands: readonly BoardBand[] | undefined }> {
  const { actor } = ctx;
  if (actor.kind !== 'staff' && actor.kind !== 'system') throw AppError.forbidden('Only staff list cases.');
  const who = await whoIs(deps, ctx);
  const handles: SQL[] = [];
  if (who.squadIds.size) handles.push(inArray(cases.squadId, [...who.squadIds]));
  if (who.departmentId) handles.push(eq(cases.departmentId, who.departmentId));
  if (actor.accountId && holds(actor, 'cases.handle')) handles.push(eq(cases.handlerId, actor.accountId));
  if (!holds(actor, 'cases.read') && handles.length === 0)
    throw AppError.forbidden('You lack the permission cases.read.');
  const visible = q.mine
    ? handles.length
      ? or(...handles)!
      : sql`false`
    : or(scopeFilter(actor, 'cases.read', cases.orgUnitId), ...handles)!;
  const where: SQL[] = [visible];
  if (q.status) where.push(eq(cases.status, q.status));
  if (q.categoryCode) where.push(like(cases.categoryCode, `${q.categoryCode}%`));
  if (q.orgUnitId)
    where.push(
      sql`${cases.orgUnitId} IN (SELECT ou.id FROM org_units ou WHERE ou.path LIKE (SELECT p.path FROM org_units p WHERE p.id = ${q.orgUnitId}) || '%')`,
    );
  if (q.supervised !== undefined) where.push(eq(cases.supervised, q.supervised));
  if (q.source) where.push(eq(cases.source, q.source));
  // Overdue is the board's top band: the filter picks bands rather than adding a predicate.
  const bands: readonly BoardBand[] | undefined =
    q.overdue === undefined ? undefined : q.overdue ? [2] : [1, 0];
  return { where, bands };
}

/**
 * The board for an export (`export.ts`): the same scope, filters and order as `listStaffCases`,
 * at most `cap` rows, as list views, in two statements whatever the size (the caller's handler
 * context, then the rows with every name the sheet shows).
 */
export async function exportStaffCases(
  deps: CaseDeps,
  ctx: RequestContext,
  q: Omit<CaseQuery, 'cursor' | 'limit'>,
  cap: number,
): Promise<CaseView[]> {
  const { where, bands } = await staffBoard(deps, ctx, q);
  const now = deps.clock.now();
  const rows = await exportCaseRows(deps.db, { where, now, limit: cap, bands });
  const departments = new Map<string, string>();
  const names = new Map<string, string>();
  for (const r of rows) {
    if (r.c.departmentId && r.departmentName) departments.set(r.c.departmentId, r.departmentName);
    if (r.c.reporterId && r.reporterName !== null) names.set(r.c.reporterId, r.reporterName);
    if (r.c.handlerId && r.handlerName !== null) names.set(r.c.handlerId, r.handlerName);
  }
  return rows.map((r) => {
    const { unit } = r;
    return {
      c: r.c,
      categoryName: r.categoryName ?? r.c.categoryCode,
      unit,
      handler: handlerOf(r.c, r.squadName, departments, names),
      reporter: reporterLabel(ctx, r.c, unit.path, r.reporterName ?? undefined).name,
      overdue: isOverdue(r.c, now),
      followers: 0,
    };
  });
}

/** 我的诉求: the resident's reports and the cases they follow, newest first. */
export async function listMyCases(deps: CaseDeps, ctx: RequestContext, q: CaseMineQuery) {
  const accountId = ctx.actor.accountId;
  if (!accountId) throw AppError.unauthenticated();
  const where = [
    or(
      eq(cases.reporterId, accountId),
      sql`${cases.id} IN (SELECT f.case_id FROM case_followers f WHERE f.account_id = ${accountId})`,
    )!,
  ];
  const p = await page(deps, where, q, false);
  return { items: await withRefs(deps, ctx, p.rows), nextCursor: p.nextCursor };
}

/** The community board: registered cases, public fields only. Anyone may read it. */
export async function listPublicCases(deps: CaseDeps, q: CasePublicQuery) {
  const districtId = await defaultDistrict(deps.db);
  const where: SQL[] = [eq(cases.districtId, districtId), notInArray(cases.status, [...OFF_BOARD_STATES])];
  if (q.communityId) where.push(eq(cases.communityId, q.communityId));
  if (q.categoryCode) where.push(like(cases.categoryCode, `${q.categoryCode}%`));
  const p = await page(deps, where, q, false);
  const communities = await orgUnitsByIds(
    deps.db,
    p.rows.flatMap((r) => (r.c.communityId ? [r.c.communityId] : [])),
  );
  return {
    items: p.rows.map((r) => ({
      c: r.c,
      categoryName: r.categoryName ?? r.c.categoryCode,
      community: r.c.communityId ? (communities.get(r.c.communityId) ?? null) : null,
      followers: Number(r.followers ?? 0),
    })),
    nextCursor: p.nextCursor,
  };
}

/** A photo, for those who may see the case. */
export async function openCasePhoto(deps: CaseDeps, ctx: RequestContext, id: string, photoId: string) {
  const { c, resource } = await loadVisible(deps, ctx, id);
  const photo = await findPhoto(deps.db, id, photoId);
  if (!photo) throw AppError.notFound('photo');
  const follower =
    resource.following && ctx.actor.accountId !== c.reporterId && ctx.actor.kind === 'resident';
  if (follower && (await isReportPhoto(deps.db, photo.historyId))) throw AppError.notFound('photo');
  return { photo, stream: openStoredFile(deps.dataDir, photo.storedPath) };
}

export type { CaseStatus };
