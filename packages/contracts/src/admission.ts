import { type Static, type TSchema, Type } from 'typebox';
import { DateText, FreeText, Id, IsoTime, MonthText, Nullable, PageQuery, VERSION_MAX } from './common';
import { DepartmentRef, OrgUnitRef } from './identity';

/**
 * 事项准入 (module `admission`): the three lists (依法自治 / 依法协助政府 / 负面事项) in versions,
 * the certificate lists (证明事项), departments' admission requests, the community task inbox,
 * reports of work pushed down outside the system (体制外派活) and the burden index.
 */

/**
 * Nullable for request bodies: null first, so the server's type coercion keeps a null a null
 * (with the value type first, AJV would coerce null to "" or 0 before matching).
 */
const NullableIn = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

/** `YYYY-MM-DD` (a Beijing civil date). */
export const Day = DateText;
/** `YYYY-MM`. */
export const Month = MonthText;

// ---------- the lists ----------

/** `self` 依法自治事项, `assist` 依法协助政府事项, `negative` 负面事项. */
export const ADMISSION_LISTS = ['self', 'assist', 'negative'] as const;
export type AdmissionList = (typeof ADMISSION_LISTS)[number];
export const AdmissionList = Type.Union([
  Type.Literal('self'),
  Type.Literal('assist'),
  Type.Literal('negative'),
]);

export const AdmissionListItem = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9_-]+$' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  list: AdmissionList,
  category: Type.String({ maxLength: 50 }),
  legalBasis: Type.Array(Type.String({ maxLength: 300 }), { maxItems: 20 }),
  /** 责任部门 (assisting items). */
  responsibleDepartment: NullableIn(Type.String({ maxLength: 100 })),
  /** 费随事转: the department must fund the community for the task. */
  feeFollowsTask: Type.Boolean(),
  /** The funding terms in words. */
  fundingTerms: NullableIn(FreeText({ maxLength: 500 })),
  /** Least funding per estimated working hour a request must offer to be fast-tracked (yuan); null: any funding > 0. */
  minFundingYuanPerHour: NullableIn(Type.Integer({ minimum: 0, maximum: 10_000 })),
  /** 协助形式: how the community assists (受理转办, 入户核查, 宣传动员 …). */
  assistanceForm: NullableIn(Type.String({ maxLength: 100 })),
  keywords: Type.Array(Type.String({ minLength: 1, maxLength: 30 }), { maxItems: 30 }),
});
export type AdmissionListItem = Static<typeof AdmissionListItem>;

export const AdmissionListVersionStatus = Type.Union([Type.Literal('draft'), Type.Literal('published')]);

export const AdmissionListVersionSummary = Type.Object({
  version: Type.Integer(),
  status: AdmissionListVersionStatus,
  /** The published version in force today (the newest with effectiveDate ≤ today). */
  current: Type.Boolean(),
  effectiveDate: Nullable(Day),
  changeNote: Nullable(Type.String()),
  counts: Type.Object({ self: Type.Integer(), assist: Type.Integer(), negative: Type.Integer() }),
  createdBy: Nullable(Type.String()),
  createdAt: IsoTime,
  publishedBy: Nullable(Type.String()),
  publishedAt: Nullable(IsoTime),
});
export type AdmissionListVersionSummary = Static<typeof AdmissionListVersionSummary>;

export const AdmissionListVersion = Type.Intersect([
  AdmissionListVersionSummary,
  Type.Object({
    items: Type.Array(AdmissionListItem),
    /** Drafts only: codes used by more than one item (publishing is refused until fixed). */
    duplicateCodes: Type.Array(Type.String()),
  }),
]);
export type AdmissionListVersion = Static<typeof AdmissionListVersion>;

export const AdmissionListVersionPage = Type.Object({ items: Type.Array(AdmissionListVersionSummary) });

export const AdmissionDraftSave = Type.Object({
  effectiveDate: Type.Optional(NullableIn(Day)),
  changeNote: Type.Optional(NullableIn(FreeText({ maxLength: 1000 }))),
  items: Type.Array(AdmissionListItem, { maxItems: 500 }),
});
export type AdmissionDraftSave = Static<typeof AdmissionDraftSave>;

export const AdmissionPublish = Type.Object({
  effectiveDate: Day,
  changeNote: FreeText({ minLength: 1, maxLength: 1000 }),
});
export type AdmissionPublish = Static<typeof AdmissionPublish>;

export const AdmissionVersionParams = Type.Object({
  version: Type.Integer({ minimum: 1, maximum: VERSION_MAX }),
});
export const AdmissionCompareQuery = Type.Object({
  from: Type.Integer({ minimum: 1, maximum: VERSION_MAX }),
  to: Type.Integer({ minimum: 1, maximum: VERSION_MAX }),
});
export type AdmissionCompareQuery = Static<typeof AdmissionCompareQuery>;

export const AdmissionItemChange = Type.Object({
  code: Type.String(),
  /** The fields that differ. */
  fields: Type.Array(Type.String()),
  before: AdmissionListItem,
  after: AdmissionListItem,
});

export const AdmissionVersionDiff = Type.Object({
  from: Type.Integer(),
  to: Type.Integer(),
  added: Type.Array(AdmissionListItem),
  removed: Type.Array(AdmissionListItem),
  changed: Type.Array(AdmissionItemChange),
});
export type AdmissionVersionDiff = Static<typeof AdmissionVersionDiff>;

/** `GET /admission/lists`: the lists in force, public. */
export const AdmissionCurrentLists = Type.Object({
  version: Type.Integer(),
  effectiveDate: Nullable(Day),
  publishedAt: Nullable(IsoTime),
  changeNote: Nullable(Type.String()),
  counts: Type.Object({ self: Type.Integer(), assist: Type.Integer(), negative: Type.Integer() }),
  items: Type.Array(AdmissionListItem),
});
export type AdmissionCurrentLists = Static<typeof AdmissionCurrentLists>;

// ---------- matching ----------

export const AdmissionMatchBody = Type.Object({ text: FreeText({ minLength: 1, maxLength: 4000 }) });
export const AdmissionMatch = Type.Object({
  code: Type.String(),
  name: Type.String(),
  list: AdmissionList,
  /** Cosine similarity 0–1. */
  score: Type.Number(),
});
export type AdmissionMatch = Static<typeof AdmissionMatch>;
export const AdmissionMatchResult = Type.Object({
  matches: Type.Array(AdmissionMatch),
  /** What the best match means: `none` when nothing reaches the threshold. */
  verdict: Type.Union([AdmissionList, Type.Literal('none')]),
  threshold: Type.Number(),
});
export type AdmissionMatchResult = Static<typeof AdmissionMatchResult>;

// ---------- requests ----------

/** Where a request stands. The transition table is in the server's admission/workflow.ts. */
export const ADMISSION_REQUEST_STATUSES = [
  'refused',
  'fast_track',
  'in_review',
  'approved',
  'rejected',
  'withdrawn',
] as const;
export type AdmissionRequestStatus = (typeof ADMISSION_REQUEST_STATUSES)[number];
export const AdmissionRequestStatus = Type.Union([
  Type.Literal('refused'),
  Type.Literal('fast_track'),
  Type.Literal('in_review'),
  Type.Literal('approved'),
  Type.Literal('rejected'),
  Type.Literal('withdrawn'),
]);

export const ADMISSION_REQUEST_STEPS = [
  'appeal',
  'approve',
  'approve_with_conditions',
  'reject',
  'withdraw',
] as const;
export type AdmissionRequestStep = (typeof ADMISSION_REQUEST_STEPS)[number];

/** Abilities besides the steps. */
export type AdmissionRequestAbility = AdmissionRequestStep | 'comment';

/** How the request was routed at submission. */
export const AdmissionRoute = Type.Union([
  Type.Literal('refused_negative'),
  Type.Literal('refused_inspection'),
  Type.Literal('fast_track'),
  Type.Literal('full_review'),
]);
export type AdmissionRoute = Static<typeof AdmissionRoute>;

export const AdmissionTargetMode = Type.Union([
  Type.Literal('all'),
  Type.Literal('town'),
  Type.Literal('chosen'),
]);
export type AdmissionTargetMode = Static<typeof AdmissionTargetMode>;

export const AdmissionFormKind = Type.Union([
  Type.Literal('form'),
  Type.Literal('ledger'),
  Type.Literal('report'),
]);
export const AdmissionFrequency = Type.Union([
  Type.Literal('once'),
  Type.Literal('daily'),
  Type.Literal('weekly'),
  Type.Literal('monthly'),
  Type.Literal('quarterly'),
  Type.Literal('yearly'),
]);
export type AdmissionFrequency = Static<typeof AdmissionFrequency>;

/** One form, ledger or report the task requires of each community. */
export const AdmissionForm = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  kind: AdmissionFormKind,
  frequency: AdmissionFrequency,
  fieldCount: Type.Integer({ minimum: 0, maximum: 1000 }),
});
export type AdmissionForm = Static<typeof AdmissionForm>;

export const AdmissionRequestCreate = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 100 }),
  description: FreeText({ maxLength: 4000 }),
  /** Required (422 naming it when missing or blank): the law or document the task rests on. */
  legalBasis: Type.Optional(FreeText({ maxLength: 1000 })),
  /** The list item the department says the task falls under (optional). */
  claimedItemCode: Type.Optional(NullableIn(Type.String({ maxLength: 20 }))),
  targets: Type.Object({
    mode: AdmissionTargetMode,
    /** Towns (`town`) or communities (`chosen`); ignored for `all`. */
    orgUnitIds: Type.Optional(Type.Array(Id, { maxItems: 200 })),
  }),
  periodStart: Day,
  periodEnd: Day,
  recurrence: Type.Union([Type.Literal('one_off'), Type.Literal('recurring')]),
  estimatedHoursPerMonth: Type.Number({ minimum: 0, maximum: 744 }),
  /** 费随事转: yuan per community per month the department pays for the task. */
  fundingYuanPerMonth: Type.Integer({ minimum: 0, maximum: 10_000_000 }),
  fundingNote: Type.Optional(NullableIn(FreeText({ maxLength: 500 }))),
  staffSupport: Type.Optional(NullableIn(FreeText({ maxLength: 500 }))),
  trainingSupport: Type.Optional(NullableIn(FreeText({ maxLength: 500 }))),
  forms: Type.Array(AdmissionForm, { maxItems: 50 }),
  meetingsPerMonth: Type.Integer({ minimum: 0, maximum: 100 }),
  /** The department would inspect (检查) communities: refused (负面事项, 不得单独考核). */
  inspectsCommunities: Type.Boolean(),
  /** The department would rate or rank (考核评比) communities: refused. */
  ratesCommunities: Type.Boolean(),
});
export type AdmissionRequestCreate = Static<typeof AdmissionRequestCreate>;

export const AdmissionItemRef = Type.Object({
  code: Type.String(),
  name: Type.String(),
  list: AdmissionList,
});

export const AdmissionRequestEvent = Type.Object({
  step: Type.String(),
  from: Nullable(Type.String()),
  to: Type.String(),
  actor: Nullable(Type.String()),
  note: Nullable(Type.String()),
  at: IsoTime,
});

export const AdmissionComment = Type.Object({
  id: Id,
  author: Nullable(Type.String()),
  orgUnit: OrgUnitRef,
  body: Type.String(),
  at: IsoTime,
});
export type AdmissionComment = Static<typeof AdmissionComment>;

export const AdmissionDecision = Type.Object({
  outcome: Type.Union([
    Type.Literal('approve'),
    Type.Literal('approve_with_conditions'),
    Type.Literal('reject'),
  ]),
  reasons: Nullable(Type.String()),
  conditions: Nullable(Type.String()),
  decidedBy: Nullable(Type.String()),
  decidedAt: IsoTime,
});

export const AdmissionRequestSummary = Type.Object({
  id: Id,
  status: AdmissionRequestStatus,
  route: AdmissionRoute,
  title: Type.String(),
  department: DepartmentRef,
  targetMode: AdmissionTargetMode,
  /** How many communities the request targets. */
  targetCount: Type.Integer(),
  /** The item the request falls under (matched or claimed), if any. */
  matchedItem: Nullable(AdmissionItemRef),
  dueAt: Nullable(IsoTime),
  overdue: Type.Boolean(),
  termStart: Nullable(Day),
  termEnd: Nullable(Day),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type AdmissionRequestSummary = Static<typeof AdmissionRequestSummary>;

export const AdmissionRequest = Type.Intersect([
  AdmissionRequestSummary,
  Type.Object({
    description: Type.String(),
    legalBasis: Type.String(),
    claimedItem: Nullable(AdmissionItemRef),
    targets: Type.Array(OrgUnitRef),
    periodStart: Day,
    periodEnd: Day,
    recurrence: Type.Union([Type.Literal('one_off'), Type.Literal('recurring')]),
    estimatedHoursPerMonth: Type.Number(),
    fundingYuanPerMonth: Type.Integer(),
    fundingNote: Nullable(Type.String()),
    staffSupport: Nullable(Type.String()),
    trainingSupport: Nullable(Type.String()),
    forms: Type.Array(AdmissionForm),
    meetingsPerMonth: Type.Integer(),
    inspectsCommunities: Type.Boolean(),
    ratesCommunities: Type.Boolean(),
    /** The best matches at submission, best first. */
    matches: Type.Array(AdmissionMatch),
    listVersion: Type.Integer(),
    /** Refused at submission: the item cited and why. */
    refusal: Nullable(Type.Object({ item: Nullable(AdmissionItemRef), reason: Type.String() })),
    /** Why the request was (not) fast-tracked, in words. */
    routeReason: Type.String(),
    appeal: Nullable(Type.Object({ justification: Type.String(), at: IsoTime })),
    decision: Nullable(AdmissionDecision),
    withdrawal: Nullable(Type.Object({ reason: Type.String(), at: IsoTime, by: Nullable(Type.String()) })),
    filedBy: Nullable(Type.String()),
    comments: Type.Array(AdmissionComment),
    events: Type.Array(AdmissionRequestEvent),
    taskCount: Type.Integer(),
    /** The tasks an approval put into communities' inboxes, and where each stands. */
    tasks: Type.Array(
      Type.Object({
        id: Id,
        orgUnit: OrgUnitRef,
        status: Type.Union([
          Type.Literal('open'),
          Type.Literal('acknowledged'),
          Type.Literal('completed'),
          Type.Literal('withdrawn'),
        ]),
        progressPercent: Type.Integer(),
        completedAt: Nullable(IsoTime),
      }),
    ),
    abilities: Type.Array(Type.String()),
  }),
]);
export type AdmissionRequest = Static<typeof AdmissionRequest>;

export const AdmissionRequestQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    status: Type.Optional(AdmissionRequestStatus),
    /** `review`: the admission office's queue (fast_track + in_review, deadline first). */
    queue: Type.Optional(Type.Union([Type.Literal('review'), Type.Literal('mine'), Type.Literal('comment')])),
    departmentId: Type.Optional(Id),
  }),
]);
export type AdmissionRequestQuery = Static<typeof AdmissionRequestQuery>;

export const AdmissionRequestPage = Type.Object({
  items: Type.Array(AdmissionRequestSummary),
  nextCursor: Nullable(Type.String()),
});

export const AdmissionAppealBody = Type.Object({
  justification: FreeText({ minLength: 2, maxLength: 2000 }),
});
export const AdmissionCommentBody = Type.Object({
  body: FreeText({ minLength: 1, maxLength: 2000 }),
  /** The community commenting, when the account serves several. */
  orgUnitId: Type.Optional(Id),
});
export const AdmissionDecideBody = Type.Object({
  decision: Type.Union([
    Type.Literal('approve'),
    Type.Literal('approve_with_conditions'),
    Type.Literal('reject'),
  ]),
  /** Required for `reject`. */
  reasons: Type.Optional(FreeText({ maxLength: 2000 })),
  /** Required for `approve_with_conditions`. */
  conditions: Type.Optional(FreeText({ maxLength: 2000 })),
  /** The admission's term; defaults to the request's period. */
  termEnd: Type.Optional(Day),
});
export type AdmissionDecideBody = Static<typeof AdmissionDecideBody>;
export const AdmissionWithdrawBody = Type.Object({ reason: FreeText({ minLength: 2, maxLength: 2000 }) });

// ---------- community tasks ----------

export const ADMISSION_TASK_STATUSES = ['open', 'acknowledged', 'completed', 'withdrawn'] as const;
export type AdmissionTaskStatus = (typeof ADMISSION_TASK_STATUSES)[number];
export const AdmissionTaskStatus = Type.Union([
  Type.Literal('open'),
  Type.Literal('acknowledged'),
  Type.Literal('completed'),
  Type.Literal('withdrawn'),
]);
export const ADMISSION_TASK_STEPS = ['acknowledge', 'progress', 'complete', 'withdraw'] as const;
export type AdmissionTaskStep = (typeof ADMISSION_TASK_STEPS)[number];

export const AdmissionTask = Type.Object({
  id: Id,
  requestId: Id,
  status: AdmissionTaskStatus,
  title: Type.String(),
  description: Type.String(),
  orgUnit: OrgUnitRef,
  department: DepartmentRef,
  item: Nullable(AdmissionItemRef),
  dueAt: Nullable(IsoTime),
  overdue: Type.Boolean(),
  fundingNote: Type.String(),
  requiredForms: Type.Array(AdmissionForm),
  meetingsPerMonth: Type.Integer(),
  estimatedHoursPerMonth: Type.Number(),
  activeFrom: Day,
  activeUntil: Day,
  progressPercent: Type.Integer(),
  evidence: Nullable(Type.String()),
  completedAt: Nullable(IsoTime),
  events: Type.Array(AdmissionRequestEvent),
  abilities: Type.Array(Type.String()),
  createdAt: IsoTime,
});
export type AdmissionTask = Static<typeof AdmissionTask>;
export const AdmissionTaskPage = Type.Object({
  items: Type.Array(AdmissionTask),
  nextCursor: Nullable(Type.String()),
});
export const AdmissionTaskQuery = Type.Intersect([
  PageQuery,
  Type.Object({ status: Type.Optional(AdmissionTaskStatus), orgUnitId: Type.Optional(Id) }),
]);
export type AdmissionTaskQuery = Static<typeof AdmissionTaskQuery>;
export const AdmissionProgressBody = Type.Object({
  note: FreeText({ minLength: 1, maxLength: 2000 }),
  percent: Type.Integer({ minimum: 0, maximum: 100 }),
});
export const AdmissionCompleteBody = Type.Object({
  /** What was done and where the proof is (台账编号, 照片存档位置 …). */
  evidence: FreeText({ minLength: 2, maxLength: 4000 }),
});
export const AdmissionNoteBody = Type.Object({ note: Type.Optional(FreeText({ maxLength: 2000 })) });

// ---------- outside-the-system reports ----------

export const OutsideReportKind = Type.Union([
  Type.Literal('task'),
  Type.Literal('form'),
  Type.Literal('meeting'),
  Type.Literal('inspection'),
  Type.Literal('other'),
]);
export type OutsideReportKind = Static<typeof OutsideReportKind>;

export const OutsideReportCreate = Type.Object({
  /** The department that handed the work down (one of the district's departments) … */
  departmentId: Type.Optional(NullableIn(Id)),
  /** … or its name when it is not on the list. */
  departmentName: Type.Optional(NullableIn(Type.String({ maxLength: 100 }))),
  kind: OutsideReportKind,
  what: FreeText({ minLength: 2, maxLength: 2000 }),
  /** The day the work was handed down. */
  happenedOn: Day,
  /** How it came (微信群, 电话, 会议, 文件 …). */
  channel: Type.Optional(NullableIn(Type.String({ maxLength: 100 }))),
  estimatedHours: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
  /** The community reporting, when the account serves several. */
  orgUnitId: Type.Optional(Id),
});
export type OutsideReportCreate = Static<typeof OutsideReportCreate>;

export const OutsideReport = Type.Object({
  id: Id,
  status: Type.Union([Type.Literal('open'), Type.Literal('handled')]),
  orgUnit: OrgUnitRef,
  department: Nullable(DepartmentRef),
  departmentName: Type.String(),
  kind: OutsideReportKind,
  what: Type.String(),
  happenedOn: Day,
  channel: Nullable(Type.String()),
  estimatedHours: Type.Number(),
  reportedBy: Nullable(Type.String()),
  handledBy: Nullable(Type.String()),
  handledAt: Nullable(IsoTime),
  handlingNote: Nullable(Type.String()),
  createdAt: IsoTime,
});
export type OutsideReport = Static<typeof OutsideReport>;
export const OutsideReportQuery = Type.Intersect([
  PageQuery,
  Type.Object({
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('handled')])),
    orgUnitId: Type.Optional(Id),
    departmentId: Type.Optional(Id),
  }),
]);
export type OutsideReportQuery = Static<typeof OutsideReportQuery>;
export const OutsideReportPage = Type.Object({
  items: Type.Array(OutsideReport),
  nextCursor: Nullable(Type.String()),
});
export const OutsideReportHandleBody = Type.Object({ note: FreeText({ minLength: 1, maxLength: 2000 }) });

// ---------- burden index ----------

export const BurdenQuery = Type.Object({
  /** A community, a town or the district (default: everything in scope). */
  orgUnitId: Type.Optional(Id),
  from: Type.Optional(Month),
  to: Type.Optional(Month),
});
export type BurdenQuery = Static<typeof BurdenQuery>;

const BurdenNumbers = {
  tasks: Type.Integer(),
  forms: Type.Integer(),
  meetings: Type.Integer(),
  inspections: Type.Integer(),
  hours: Type.Number(),
  outsideReports: Type.Integer(),
};
export const BurdenRow = Type.Object({ orgUnit: OrgUnitRef, month: Month, ...BurdenNumbers });
export type BurdenRow = Static<typeof BurdenRow>;
export const BurdenIndex = Type.Object({
  from: Month,
  to: Month,
  /** Per community per month (only rows with something in them). */
  rows: Type.Array(BurdenRow),
  byMonth: Type.Array(Type.Object({ month: Month, communities: Type.Integer(), ...BurdenNumbers })),
  byDepartment: Type.Array(Type.Object({ department: Type.String(), ...BurdenNumbers })),
  totals: Type.Object(BurdenNumbers),
  /**
   * Admission requests filed in the range that target communities of the scope, by department and
   * where they stand: what was refused or rejected never reached a community.
   */
  requests: Type.Array(
    Type.Object({
      department: Type.String(),
      filed: Type.Integer(),
      refused: Type.Integer(),
      inReview: Type.Integer(),
      approved: Type.Integer(),
      rejected: Type.Integer(),
      withdrawn: Type.Integer(),
    }),
  ),
});
export type BurdenIndex = Static<typeof BurdenIndex>;
export const BurdenExportQuery = Type.Object({ month: Month, orgUnitId: Type.Optional(Id) });

// ---------- certificates ----------

export const CertificateKind = Type.Union([Type.Literal('may_issue'), Type.Literal('may_not_issue')]);
export const Certificate = Type.Object({
  code: Type.String(),
  name: Type.String(),
  aliases: Type.Array(Type.String()),
  kind: CertificateKind,
  /** may_issue: how the community issues it (materials, checks). */
  howToIssue: Nullable(Type.String()),
  /** may_not_issue: who issues it instead. */
  issuedBy: Nullable(Type.String()),
  basis: Nullable(Type.String()),
});
export type Certificate = Static<typeof Certificate>;
export const CertificateQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) });
export const CertificateAnswer = Type.Object({
  query: Type.String(),
  /** `may_issue`: yes, and how; `may_not_issue`: no, and who does; `unknown`: nothing on either list matched. */
  answer: Type.Union([Type.Literal('may_issue'), Type.Literal('may_not_issue'), Type.Literal('unknown')]),
  best: Nullable(Certificate),
  /** Other close matches, best first. */
  matches: Type.Array(Type.Intersect([Certificate, Type.Object({ score: Type.Number() })])),
  /** Without `q`: both lists in full. */
  mayIssue: Type.Array(Certificate),
  mayNotIssue: Type.Array(Certificate),
  note: Type.String(),
});
export type CertificateAnswer = Static<typeof CertificateAnswer>;
