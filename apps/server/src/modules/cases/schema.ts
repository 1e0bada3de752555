import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { districtColumn, idColumn, timestamps, tstz } from '../../core/db/columns';
import { accounts, departments, orgUnits } from '../identity/schema';

/**
 * Module `cases` (城社共治). States and steps: workflow.ts. Open311 GeoReport v2 maps onto these
 * tables: service_code = `case_categories.code`, service_request_id = `cases.number`,
 * requested_datetime = `created_at`, lat/long/address = `lat`/`lng`/`address`, media_url = the
 * first photo, status open/closed from `status` (contracts `CASE_OPEN311_STATUS`).
 */

export interface StepSlaValue {
  hours: number;
  clock: boolean;
}

/** Event categories (GB/T 30428.2 classes plus the local community extension), per district. */
export const caseCategories = pgTable(
  'case_categories',
  {
    id: idColumn(),
    districtId: districtColumn(),
    code: text().notNull(),
    name: text().notNull(),
    parentCode: text(),
    level: text({ enum: ['major', 'sub'] }).notNull(),
    /** The handling unit type a new case goes to unless a routing rule says otherwise. */
    defaultHandlerKind: text({ enum: ['squad', 'department'] }).notNull(),
    /** The responsible department's name (departments.json) when the handler is a department. */
    defaultDepartment: text(),
    /** Urgent categories count every SLA in clock hours, day and night. */
    urgent: boolean().notNull().default(false),
    /** SLA per step (register, dispatch, accept, handle, verify). */
    sla: jsonb().$type<Record<string, StepSlaValue>>().notNull(),
    /** Evidence per step, e.g. `{ handle: ['photo'] }`. */
    evidence: jsonb().$type<Record<string, string[]>>().notNull(),
    enabled: boolean().notNull().default(true),
    sort: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [uniqueIndex().on(t.districtId, t.code), index().on(t.parentCode)],
);
export type CaseCategoryRow = typeof caseCategories.$inferSelect;

/** Category (code or prefix) → handling unit type; the longest matching prefix wins. Editable. */
export const caseRoutingRules = pgTable(
  'case_routing_rules',
  {
    id: idColumn(),
    districtId: districtColumn(),
    categoryCode: text().notNull(),
    handlerKind: text({ enum: ['squad', 'department'] }).notNull(),
    departmentId: uuid().references(() => departments.id),
    updatedBy: uuid().references(() => accounts.id),
    ...timestamps(),
  },
  (t) => [uniqueIndex().on(t.districtId, t.categoryCode), index().on(t.departmentId)],
);
export type CaseRoutingRuleRow = typeof caseRoutingRules.$inferSelect;

/** A community city-management squad (社区城管中队). */
export const squads = pgTable(
  'squads',
  {
    id: idColumn(),
    districtId: districtColumn(),
    /** The community the squad belongs to. */
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    name: text().notNull(),
    status: text({ enum: ['active', 'retired'] })
      .notNull()
      .default('active'),
    /**
     * The day the squad began its work in the community (Beijing): the complaint trend is read
     * before and after it. Null for a squad made before the date was kept.
     */
    startedOn: date({ mode: 'string' }),
    ...timestamps(),
  },
  (t) => [index().on(t.orgUnitId), index().on(t.districtId)],
);
export type SquadRow = typeof squads.$inferSelect;

export const squadMembers = pgTable(
  'squad_members',
  {
    id: idColumn(),
    squadId: uuid()
      .notNull()
      .references(() => squads.id),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    duty: text({ enum: ['enforcement_officer', 'community_cadre', 'both'] }).notNull(),
    active: boolean().notNull().default(true),
    ...timestamps(),
  },
  (t) => [uniqueIndex().on(t.squadId, t.accountId), index().on(t.accountId)],
);
export type SquadMemberRow = typeof squadMembers.$inferSelect;

export const CASE_STATUS_VALUES = [
  'reported',
  'registered',
  'not_registered',
  'dispatched',
  'accepted',
  'handling',
  'handled',
  'closed',
  'rated',
] as const;

/** 巡查: a squad member's patrol, from start to stop, with the route as points. */
export const patrolSessions = pgTable(
  'patrol_sessions',
  {
    id: idColumn(),
    districtId: districtColumn(),
    squadId: uuid()
      .notNull()
      .references(() => squads.id),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    status: text({ enum: ['active', 'ended'] }).notNull(),
    startedAt: tstz().notNull(),
    endedAt: tstz(),
    /** Along the recorded points, in metres (great-circle between consecutive points). */
    distanceM: doublePrecision().notNull().default(0),
    pointCount: integer().notNull().default(0),
    ...timestamps(),
  },
  (t) => [
    // One patrol at a time per person.
    uniqueIndex('patrol_sessions_one_active_uq').on(t.accountId).where(sql`${t.status} = 'active'`),
    index().on(t.squadId, t.startedAt),
  ],
);
export type PatrolSessionRow = typeof patrolSessions.$inferSelect;

export const patrolPoints = pgTable(
  'patrol_points',
  {
    id: idColumn(),
    sessionId: uuid()
      .notNull()
      .references(() => patrolSessions.id),
    at: tstz().notNull(),
    lat: doublePrecision().notNull(),
    lng: doublePrecision().notNull(),
  },
  (t) => [index().on(t.sessionId, t.at)],
);

export const cases = pgTable(
  'cases',
  {
    id: idColumn(),
    districtId: districtColumn(),
    /** `510604-20261127-0001`: district code, Beijing date, sequence of that day. */
    number: text().notNull(),
    categoryCode: text().notNull(),
    description: text().notNull(),
    lat: doublePrecision(),
    lng: doublePrecision(),
    address: text(),
    /** The finest unit the location falls in (grid, else community, else town): the data scope. */
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    /** The community (for squad routing and the board); null when only a town was found. */
    communityId: uuid().references(() => orgUnits.id),
    handlerKind: text({ enum: ['squad', 'department', 'person'] }),
    squadId: uuid().references(() => squads.id),
    departmentId: uuid().references(() => departments.id),
    /** The person handling it: dispatched to, or who accepted it. */
    handlerId: uuid().references(() => accounts.id),
    /** Who gave the 处置反馈 last: may not verify it. */
    handledBy: uuid().references(() => accounts.id),
    status: text({ enum: CASE_STATUS_VALUES }).notNull(),
    /** When the current step started and its deadline; the SLA job's yellow/red marks. */
    stepStartedAt: tstz().notNull(),
    dueAt: tstz(),
    redAt: tstz(),
    overdueLevel: integer().notNull().default(0),
    hideName: boolean().notNull().default(false),
    reporterId: uuid().references(() => accounts.id),
    source: text({ enum: ['resident', 'patrol', 'open311'] }).notNull(),
    reopened: boolean().notNull().default(false),
    supervised: boolean().notNull().default(false),
    supervisionNote: text(),
    rating: text({ enum: ['satisfied', 'basically_satisfied', 'unsatisfied'] }),
    ratingComment: text(),
    notRegisteredReason: text(),
    sendBackReason: text(),
    extensionHours: doublePrecision(),
    extensionReason: text(),
    extensionStatus: text({ enum: ['pending', 'approved', 'denied'] }),
    closedAt: tstz(),
    /** The patrol a squad member filed this case on (主动发现), if any. */
    patrolSessionId: uuid().references(() => patrolSessions.id),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex().on(t.number),
    index('cases_patrol_idx').on(t.patrolSessionId).where(sql`${t.patrolSessionId} IS NOT NULL`),
    // The staff list: scope (org unit), status, newest first.
    index('cases_unit_status_idx').on(t.orgUnitId, t.status, t.id.desc()),
    index('cases_community_idx').on(t.communityId, t.id.desc()),
    index('cases_reporter_idx').on(t.reporterId, t.id.desc()),
    index('cases_squad_idx').on(t.squadId, t.status),
    index('cases_department_idx').on(t.departmentId, t.status),
    index('cases_handler_idx').on(t.handlerId),
    index('cases_handled_by_idx').on(t.handledBy),
    index('cases_district_idx').on(t.districtId, t.id.desc()),
    // Running steps by deadline (the board's overdue band).
    index('cases_due_idx').on(t.dueAt).where(sql`${t.dueAt} IS NOT NULL`),
    // The SLA job: the open timers (running steps without their red card yet) by the deadline
    // the job acts on next. `slaBreaches` asks with this same expression and predicate.
    index('cases_sla_next_idx')
      .on(sql`(CASE WHEN ${t.overdueLevel} < 1 THEN least(${t.dueAt}, ${t.redAt}) ELSE ${t.redAt} END)`)
      .where(
        sql`${t.overdueLevel} < 2 AND ${t.status} IN ('reported', 'registered', 'dispatched', 'accepted', 'handling', 'handled')`,
      ),
    // "Me too": open cases of a category near a point.
    index('cases_location_idx')
      .on(t.categoryCode, t.lat, t.lng)
      .where(sql`${t.status} NOT IN ('closed', 'rated', 'not_registered')`),
  ],
);
export type CaseRow = typeof cases.$inferSelect;

/** Every step: actor, time, note, photos (case_photos.history_id). */
export const caseHistory = pgTable(
  'case_history',
  {
    id: idColumn(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id),
    step: text().notNull(),
    fromStatus: text(),
    toStatus: text().notNull(),
    actorId: uuid().references(() => accounts.id),
    note: text(),
    /** Shown to the reporter and followers (每一个公开环节). */
    public: boolean().notNull().default(true),
    at: tstz().notNull(),
  },
  // (at): the Open311 updates feed and the statistics read history by time window.
  (t) => [index().on(t.caseId, t.at), index().on(t.actorId), index().on(t.at)],
);
export type CaseHistoryRow = typeof caseHistory.$inferSelect;

/** Photos of the report (history_id null) and of steps. Checked by content. */
export const casePhotos = pgTable(
  'case_photos',
  {
    id: idColumn(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id),
    historyId: uuid().references(() => caseHistory.id),
    originalName: text().notNull(),
    storedPath: text().notNull(),
    mime: text().notNull(),
    size: integer().notNull(),
    sha256: text().notNull(),
    uploadedBy: uuid().references(() => accounts.id),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [index().on(t.caseId), index().on(t.historyId), index().on(t.uploadedBy)],
);
export type CasePhotoRow = typeof casePhotos.$inferSelect;

/** "Me too" (我也遇到): residents following a case instead of filing a duplicate. */
export const caseFollowers = pgTable(
  'case_followers',
  {
    caseId: uuid()
      .notNull()
      .references(() => cases.id),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    createdAt: tstz().notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.accountId] }), index().on(t.accountId)],
);

/**
 * The running number of case numbers (`<district code>-<yyyymmdd>-<n, at least 4 digits>`), one
 * for every district: `nextval` takes no lock another report waits for and is not rolled back,
 * so a failed report leaves a gap (decision 45).
 */
export const caseNumberSeq = pgSequence('case_number_seq', { startWith: 1, increment: 1, cache: 1 });

/** Yellow (past the deadline) and red (past it by the step's SLA again) cards, per handling unit. */
export const caseSlaCards = pgTable(
  'case_sla_cards',
  {
    id: idColumn(),
    districtId: districtColumn(),
    caseId: uuid()
      .notNull()
      .references(() => cases.id),
    level: text({ enum: ['yellow', 'red'] }).notNull(),
    /** The state whose deadline passed. */
    status: text().notNull(),
    /** Who was late: a squad, a department, a person, or the community (before dispatch). */
    unitKind: text({ enum: ['squad', 'department', 'person', 'org_unit'] }).notNull(),
    unitId: uuid().notNull(),
    dueAt: tstz().notNull(),
    at: tstz().notNull(),
  },
  (t) => [
    uniqueIndex().on(t.caseId, t.status, t.level, t.dueAt),
    index().on(t.unitKind, t.unitId),
    index().on(t.districtId, t.at),
  ],
);

/** A counter of the statistics rollups: starts at 0, moved by deltas. */
const count = (name: string) => integer(name).notNull().default(0);

/**
 * The measure columns of `case_stats_weekly`, shared by its delta table: every statistics
 * counter and the working hours of the closed cases.
 */
const caseStatMeasures = () => ({
  reported: count('reported'),
  /** Reported by residents or partner apps (not patrol finds). */
  complaints: count('complaints'),
  sReported: count('s_reported'),
  sRegistered: count('s_registered'),
  sNotRegistered: count('s_not_registered'),
  sDispatched: count('s_dispatched'),
  sAccepted: count('s_accepted'),
  sHandling: count('s_handling'),
  sHandled: count('s_handled'),
  sClosed: count('s_closed'),
  sRated: count('s_rated'),
  rSatisfied: count('r_satisfied'),
  rBasicallySatisfied: count('r_basically_satisfied'),
  rUnsatisfied: count('r_unsatisfied'),
  fRegister: count('f_register'),
  fNotRegister: count('f_not_register'),
  fDispatch: count('f_dispatch'),
  fSendBack: count('f_send_back'),
  fAccept: count('f_accept'),
  fHandle: count('f_handle'),
  fVerifyPass: count('f_verify_pass'),
  fVerifyFail: count('f_verify_fail'),
  oRegister: count('o_register'),
  oNotRegister: count('o_not_register'),
  oDispatch: count('o_dispatch'),
  oSendBack: count('o_send_back'),
  oAccept: count('o_accept'),
  oHandle: count('o_handle'),
  oVerifyPass: count('o_verify_pass'),
  oVerifyFail: count('o_verify_fail'),
  closed: count('closed'),
  handlingHours: doublePrecision().notNull().default(0),
});

/**
 * 城社共治 statistics, pre-aggregated per Beijing ISO week of the report day (`week`: its Monday),
 * unit and sub-category: the folded part of a rollup (core/rollup-deltas.ts). Every report and
 * step appends a row to `case_stat_deltas` in its transaction, the job `cases.foldStats` folds
 * them in here (rollups.ts), and `rebuildCaseStats` rebuilds both from `cases`. `unit_id` is every ancestor-or-self of the case's
 * org unit (district, town, community, grid), so a scope root or an `orgUnitId` filter reads its
 * own rows only. Two kinds of rows: `area` (`community_id` is the nil uuid) for the totals, and
 * `community` by the case's community (the nil uuid when only a town was found) for the
 * per-community figures.
 * Each case counts under its sub-category and under `*` (every category).
 * `s_*` cases by current status, `r_*` by rating, `f_*`/`o_*` steps that left a waiting state /
 * of them on time, `closed` and `handling_hours` (report → 结案, working hours).
 */
export const caseStatsWeekly = pgTable(
  'case_stats_weekly',
  {
    kind: text({ enum: ['area', 'community'] }).notNull(),
    week: date({ mode: 'string' }).notNull(),
    unitId: uuid().notNull(),
    communityId: uuid().notNull(),
    categoryCode: text().notNull(),
    ...caseStatMeasures(),
  },
  (t) => [uniqueIndex('case_stats_weekly_key').on(t.unitId, t.kind, t.categoryCode, t.week, t.communityId)],
);

/**
 * Repeat-hotspot counts: cases per Beijing report day, unit (the case's own), community (nil
 * uuid when none), sub-category and 0.001° cell (`floor(lat / 0.001)`, `floor(lng / 0.001)`),
 * folded from `case_hotspot_deltas` with `case_stats_weekly` (rollups.ts).
 */
export const caseHotspotsDaily = pgTable(
  'case_hotspots_daily',
  {
    day: date({ mode: 'string' }).notNull(),
    unitId: uuid().notNull(),
    communityId: uuid().notNull(),
    categoryCode: text().notNull(),
    cellLat: integer().notNull(),
    cellLng: integer().notNull(),
    cases: count('cases'),
    /**
     * Every row of a (category, cell) that ever held ≥ 3 cases within 30 days: only these can be
     * hotspots, so the statistics read these rows only.
     */
    hot: boolean().notNull().default(false),
  },
  (t) => [
    index('case_hotspots_daily_hot').on(t.day).where(sql`${t.hot}`),
    index('case_hotspots_daily_cell').on(t.categoryCode, t.cellLat, t.cellLng, t.day),
    uniqueIndex('case_hotspots_daily_key').on(
      t.day,
      t.unitId,
      t.communityId,
      t.categoryCode,
      t.cellLat,
      t.cellLng,
    ),
  ],
);

/** GeoJSON boundary of an org unit (WGS-84), with its bounding box for the candidate search. */
export const orgUnitBoundaries = pgTable(
  'org_unit_boundaries',
  {
    orgUnitId: uuid()
      .primaryKey()
      .references(() => orgUnits.id),
    districtId: districtColumn(),
    /** The unit's depth in the tree (0 district, 1 town, 2 community, 3 grid). */
    depth: integer().notNull(),
    geometry: jsonb().$type<{ type: 'Polygon' | 'MultiPolygon'; coordinates: unknown }>().notNull(),
    minLng: doublePrecision().notNull(),
    minLat: doublePrecision().notNull(),
    maxLng: doublePrecision().notNull(),
    maxLat: doublePrecision().notNull(),
    source: text({ enum: ['generated', 'upload'] }).notNull(),
    updatedBy: uuid().references(() => accounts.id),
    ...timestamps(),
  },
  (t) => [index('org_unit_boundaries_bbox_idx').on(t.districtId, t.depth, t.minLng, t.maxLng)],
);
export type OrgUnitBoundaryRow = typeof orgUnitBoundaries.$inferSelect;

/**
 * What each report and step adds to `case_stats_weekly`, appended in its transaction and folded
 * by `cases.foldStats` (core/rollup-deltas.ts): one row per write, keyed by the case's own org
 * unit (the fold and the statistics expand it to its ancestors, `area` and `community` rows, its
 * category and `*`). Nothing updates or reads these rows on the request path.
 */
export const caseStatDeltas = pgTable('case_stat_deltas', {
  id: bigserial({ mode: 'number' }).primaryKey(),
  week: date({ mode: 'string' }).notNull(),
  orgUnitId: uuid().notNull(),
  communityId: uuid().notNull(),
  categoryCode: text().notNull(),
  ...caseStatMeasures(),
});

/** What each located report adds to `case_hotspots_daily`, folded like `case_stat_deltas`. */
export const caseHotspotDeltas = pgTable('case_hotspot_deltas', {
  id: bigserial({ mode: 'number' }).primaryKey(),
  day: date({ mode: 'string' }).notNull(),
  unitId: uuid().notNull(),
  communityId: uuid().notNull(),
  categoryCode: text().notNull(),
  cellLat: integer().notNull(),
  cellLng: integer().notNull(),
  cases: count('cases'),
});
