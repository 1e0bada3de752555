import type { AdmissionForm } from '@linli/contracts';
import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { districtColumn, idColumn, timestamps, tstz } from '../../core/db/columns';
import { accounts, departments, orgUnits } from '../identity/schema';

/**
 * 事项准入. The three lists live in versions: the district office edits one draft at a time and
 * publishes it with an effective date; the version in force is the newest published one whose
 * effective date has come. Items are copied into each version, so a published version never
 * changes and two versions can be compared item by item.
 */
export const admissionListVersions = pgTable(
  'admission_list_versions',
  {
    id: idColumn(),
    districtId: districtColumn(),
    version: integer().notNull(),
    status: text({ enum: ['draft', 'published'] }).notNull(),
    effectiveDate: date({ mode: 'string' }),
    changeNote: text(),
    createdBy: uuid().references(() => accounts.id),
    createdAt: tstz().notNull().defaultNow(),
    publishedBy: uuid().references(() => accounts.id),
    publishedAt: tstz(),
  },
  (t) => [
    uniqueIndex().on(t.districtId, t.version),
    // One draft at a time per district.
    uniqueIndex('admission_list_versions_one_draft_idx').on(t.districtId).where(sql`${t.status} = 'draft'`),
    index().on(t.districtId, t.status, t.effectiveDate),
    index().on(t.createdBy),
    index().on(t.publishedBy),
  ],
);
export type ListVersionRow = typeof admissionListVersions.$inferSelect;

/** One item of one version. Codes are unique in a published version (checked on publishing). */
export const admissionListItems = pgTable(
  'admission_list_items',
  {
    id: idColumn(),
    districtId: districtColumn(),
    versionId: uuid()
      .notNull()
      .references(() => admissionListVersions.id, { onDelete: 'cascade' }),
    sort: integer().notNull(),
    code: text().notNull(),
    name: text().notNull(),
    list: text({ enum: ['self', 'assist', 'negative'] }).notNull(),
    category: text().notNull(),
    legalBasis: text().array().notNull().default(sql`'{}'::text[]`),
    responsibleDepartment: text(),
    feeFollowsTask: boolean().notNull().default(false),
    fundingTerms: text(),
    minFundingYuanPerHour: integer(),
    assistanceForm: text(),
    keywords: text().array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [index().on(t.versionId, t.sort), index().on(t.versionId, t.code)],
);
export type ListItemRow = typeof admissionListItems.$inferSelect;

/** 证明事项: what a community may issue (and how) and may not (and who issues it instead). */
export const admissionCertificates = pgTable(
  'admission_certificates',
  {
    id: idColumn(),
    districtId: districtColumn(),
    code: text().notNull(),
    name: text().notNull(),
    aliases: text().array().notNull().default(sql`'{}'::text[]`),
    kind: text({ enum: ['may_issue', 'may_not_issue'] }).notNull(),
    howToIssue: text(),
    issuedBy: text(),
    basis: text(),
    sort: integer().notNull(),
    ...timestamps(),
  },
  (t) => [uniqueIndex().on(t.districtId, t.code), index().on(t.districtId, t.kind, t.sort)],
);
export type CertificateRow = typeof admissionCertificates.$inferSelect;

/**
 * A department's admission request (准入申请). States and steps: workflow.ts. The route it took at
 * submission, the matches then and the list version they were computed on are kept as filed.
 */
export const admissionRequests = pgTable(
  'admission_requests',
  {
    id: idColumn(),
    districtId: districtColumn(),
    /** The district root unit: the data scope of the admission office. */
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    departmentId: uuid()
      .notNull()
      .references(() => departments.id),
    filedBy: uuid().references(() => accounts.id),
    status: text({
      enum: ['refused', 'fast_track', 'in_review', 'approved', 'rejected', 'withdrawn'],
    }).notNull(),
    route: text({ enum: ['refused_negative', 'refused_inspection', 'fast_track', 'full_review'] }).notNull(),
    routeReason: text().notNull(),
    title: text().notNull(),
    description: text().notNull(),
    legalBasis: text().notNull(),
    claimedItemCode: text(),
    claimedItemName: text(),
    claimedItemList: text({ enum: ['self', 'assist', 'negative'] }),
    targetMode: text({ enum: ['all', 'town', 'chosen'] }).notNull(),
    /** The towns or communities named at filing (the resolved communities are in the targets table). */
    targetUnitIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
    periodStart: date({ mode: 'string' }).notNull(),
    periodEnd: date({ mode: 'string' }).notNull(),
    recurrence: text({ enum: ['one_off', 'recurring'] }).notNull(),
    estimatedHoursPerMonth: real().notNull(),
    fundingYuanPerMonth: integer().notNull(),
    fundingNote: text(),
    staffSupport: text(),
    trainingSupport: text(),
    forms: jsonb().$type<AdmissionForm[]>().notNull(),
    meetingsPerMonth: integer().notNull(),
    inspectsCommunities: boolean().notNull(),
    ratesCommunities: boolean().notNull(),
    /** Best matches at submission: `[{ code, name, list, score }]`, best first. */
    matches: jsonb()
      .$type<{ code: string; name: string; list: 'self' | 'assist' | 'negative'; score: number }[]>()
      .notNull(),
    listVersion: integer().notNull(),
    /** The item it falls under (claimed and supported by the text, else the best match), if any. */
    matchedItemCode: text(),
    matchedItemName: text(),
    matchedItemList: text({ enum: ['self', 'assist', 'negative'] }),
    refusalReason: text(),
    appealJustification: text(),
    appealedAt: tstz(),
    /** The decision deadline (working days on the district calendar). */
    dueAt: tstz(),
    decision: text({ enum: ['approve', 'approve_with_conditions', 'reject'] }),
    decisionReasons: text(),
    conditions: text(),
    decidedBy: uuid().references(() => accounts.id),
    decidedAt: tstz(),
    termStart: date({ mode: 'string' }),
    termEnd: date({ mode: 'string' }),
    withdrawalReason: text(),
    withdrawnBy: uuid().references(() => accounts.id),
    withdrawnAt: tstz(),
    ...timestamps(),
  },
  (t) => [
    index('admission_requests_department_idx').on(t.departmentId, t.status, t.id.desc()),
    index('admission_requests_status_idx').on(t.districtId, t.status, t.id.desc()),
    // The review queue: open requests by deadline.
    index('admission_requests_queue_idx')
      .on(t.districtId, t.dueAt)
      .where(sql`${t.status} IN ('fast_track', 'in_review')`),
    index().on(t.orgUnitId),
    index().on(t.filedBy),
    index().on(t.decidedBy),
    index().on(t.withdrawnBy),
  ],
);
export type RequestRow = typeof admissionRequests.$inferSelect;

/** The communities a request targets, resolved at filing (all / by town / chosen). */
export const admissionRequestTargets = pgTable(
  'admission_request_targets',
  {
    requestId: uuid()
      .notNull()
      .references(() => admissionRequests.id),
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
  },
  (t) => [uniqueIndex().on(t.requestId, t.orgUnitId), index().on(t.orgUnitId)],
);

/** Community secretaries' comments on a request under review. */
export const admissionRequestComments = pgTable(
  'admission_request_comments',
  {
    id: idColumn(),
    requestId: uuid()
      .notNull()
      .references(() => admissionRequests.id),
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    authorId: uuid().references(() => accounts.id),
    body: text().notNull(),
    at: tstz().notNull(),
  },
  (t) => [index().on(t.requestId, t.at), index().on(t.orgUnitId), index().on(t.authorId)],
);
export type CommentRow = typeof admissionRequestComments.$inferSelect;

/** History of a request: one row per step, the filing included. */
export const admissionRequestEvents = pgTable(
  'admission_request_events',
  {
    id: idColumn(),
    requestId: uuid()
      .notNull()
      .references(() => admissionRequests.id),
    step: text().notNull(),
    fromStatus: text(),
    toStatus: text().notNull(),
    actorId: uuid().references(() => accounts.id),
    note: text(),
    at: tstz().notNull(),
  },
  (t) => [index().on(t.requestId, t.at), index().on(t.actorId)],
);
export type RequestEventRow = typeof admissionRequestEvents.$inferSelect;

/**
 * A task in a community's inbox: one per target community of an approved request, written in the
 * decision's transaction. The burden numbers are copied from the request so the index is one
 * aggregate over this table (and the outside reports).
 */
export const admissionTasks = pgTable(
  'admission_tasks',
  {
    id: idColumn(),
    districtId: districtColumn(),
    requestId: uuid()
      .notNull()
      .references(() => admissionRequests.id),
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    departmentId: uuid()
      .notNull()
      .references(() => departments.id),
    status: text({ enum: ['open', 'acknowledged', 'completed', 'withdrawn'] }).notNull(),
    title: text().notNull(),
    description: text().notNull(),
    itemCode: text(),
    itemName: text(),
    itemList: text({ enum: ['self', 'assist', 'negative'] }),
    dueAt: tstz(),
    fundingNote: text().notNull(),
    requiredForms: jsonb().$type<AdmissionForm[]>().notNull(),
    formsCount: integer().notNull(),
    meetingsPerMonth: integer().notNull(),
    inspectionsPerMonth: integer().notNull().default(0),
    estimatedHoursPerMonth: real().notNull(),
    /** The months the task weighs on the community: from, until (inclusive; cut short by 退出). */
    activeFrom: date({ mode: 'string' }).notNull(),
    activeUntil: date({ mode: 'string' }).notNull(),
    progressPercent: integer().notNull().default(0),
    evidence: text(),
    acknowledgedAt: tstz(),
    completedAt: tstz(),
    ...timestamps(),
  },
  (t) => [
    index('admission_tasks_inbox_idx').on(t.orgUnitId, t.status, t.id.desc()),
    index().on(t.requestId),
    index().on(t.departmentId),
    index('admission_tasks_active_idx').on(t.districtId, t.activeFrom, t.activeUntil),
  ],
);
export type TaskRow = typeof admissionTasks.$inferSelect;

export const admissionTaskEvents = pgTable(
  'admission_task_events',
  {
    id: idColumn(),
    taskId: uuid()
      .notNull()
      .references(() => admissionTasks.id),
    step: text().notNull(),
    fromStatus: text(),
    toStatus: text().notNull(),
    actorId: uuid().references(() => accounts.id),
    note: text(),
    at: tstz().notNull(),
  },
  (t) => [index().on(t.taskId, t.at), index().on(t.actorId)],
);
export type TaskEventRow = typeof admissionTaskEvents.$inferSelect;

/** Work a department handed a community outside the system (体制外派活): the oversight queue. */
export const admissionOutsideReports = pgTable(
  'admission_outside_reports',
  {
    id: idColumn(),
    districtId: districtColumn(),
    orgUnitId: uuid()
      .notNull()
      .references(() => orgUnits.id),
    departmentId: uuid().references(() => departments.id),
    departmentName: text().notNull(),
    kind: text({ enum: ['task', 'form', 'meeting', 'inspection', 'other'] }).notNull(),
    what: text().notNull(),
    happenedOn: date({ mode: 'string' }).notNull(),
    channel: text(),
    estimatedHours: real().notNull().default(0),
    status: text({ enum: ['open', 'handled'] })
      .notNull()
      .default('open'),
    reportedBy: uuid().references(() => accounts.id),
    handledBy: uuid().references(() => accounts.id),
    handledAt: tstz(),
    handlingNote: text(),
    ...timestamps(),
  },
  (t) => [
    index('admission_outside_reports_queue_idx').on(t.districtId, t.status, t.id.desc()),
    index().on(t.orgUnitId, t.happenedOn),
    index().on(t.departmentId),
    index().on(t.reportedBy),
    index().on(t.handledBy),
  ],
);
export type OutsideReportRow = typeof admissionOutsideReports.$inferSelect;
