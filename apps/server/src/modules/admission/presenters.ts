import type {
  AdmissionRequest,
  AdmissionRequestSummary,
  AdmissionTask,
  OrgUnitRef,
  OutsideReport,
} from '@linli/contracts';
import type { OrgUnitInfo } from '../identity/lookups';
import type { RequestDetailView, RequestView } from './service';
import type { OutsideReportView, TaskView } from './tasks-service';

/** Rows never go out raw: these build the contract DTOs. */

const iso = (d: Date | null) => d?.toISOString() ?? null;
const unitRef = (u: OrgUnitInfo): OrgUnitRef => ({ id: u.id, code: u.code, name: u.name, kind: u.kind });

export function presentRequestSummary(v: RequestView): AdmissionRequestSummary {
  const r = v.req;
  return {
    id: r.id,
    status: r.status,
    route: r.route,
    title: r.title,
    department: v.department,
    targetMode: r.targetMode,
    targetCount: v.targetCount,
    matchedItem:
      r.matchedItemCode && r.matchedItemName && r.matchedItemList
        ? { code: r.matchedItemCode, name: r.matchedItemName, list: r.matchedItemList }
        : null,
    dueAt: iso(r.dueAt),
    overdue: v.overdue,
    termStart: r.termStart,
    termEnd: r.termEnd,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

export function presentRequest(v: RequestDetailView): AdmissionRequest {
  const r = v.req;
  const name = (id: string | null) => (id ? (v.names.get(id) ?? null) : null);
  const summary = presentRequestSummary(v);
  return {
    ...summary,
    description: r.description,
    legalBasis: r.legalBasis,
    claimedItem:
      r.claimedItemCode && r.claimedItemName && r.claimedItemList
        ? { code: r.claimedItemCode, name: r.claimedItemName, list: r.claimedItemList }
        : null,
    targets: v.targets.map(unitRef),
    periodStart: r.periodStart,
    periodEnd: r.periodEnd,
    recurrence: r.recurrence,
    estimatedHoursPerMonth: r.estimatedHoursPerMonth,
    fundingYuanPerMonth: r.fundingYuanPerMonth,
    fundingNote: r.fundingNote,
    staffSupport: r.staffSupport,
    trainingSupport: r.trainingSupport,
    forms: r.forms,
    meetingsPerMonth: r.meetingsPerMonth,
    inspectsCommunities: r.inspectsCommunities,
    ratesCommunities: r.ratesCommunities,
    matches: r.matches,
    listVersion: r.listVersion,
    refusal: r.refusalReason ? { item: summary.matchedItem, reason: r.refusalReason } : null,
    routeReason: r.routeReason,
    appeal:
      r.appealJustification && r.appealedAt
        ? { justification: r.appealJustification, at: r.appealedAt.toISOString() }
        : null,
    decision:
      r.decision && r.decidedAt
        ? {
            outcome: r.decision,
            reasons: r.decisionReasons,
            conditions: r.conditions,
            decidedBy: name(r.decidedBy),
            decidedAt: r.decidedAt.toISOString(),
          }
        : null,
    withdrawal:
      r.withdrawalReason && r.withdrawnAt
        ? { reason: r.withdrawalReason, at: r.withdrawnAt.toISOString(), by: name(r.withdrawnBy) }
        : null,
    filedBy: name(r.filedBy),
    comments: v.comments.map((c) => ({
      id: c.id,
      author: c.authorName,
      orgUnit: unitRef(c.unit),
      body: c.body,
      at: c.at.toISOString(),
    })),
    events: v.events.map((e) => ({
      step: e.step,
      from: e.fromStatus,
      to: e.toStatus,
      actor: e.actorName,
      note: e.note,
      at: e.at.toISOString(),
    })),
    taskCount: v.tasks.length,
    tasks: v.tasks.map((t) => ({
      id: t.id,
      orgUnit: unitRef(t.unit),
      status: t.status,
      progressPercent: t.progressPercent,
      completedAt: iso(t.completedAt),
    })),
    abilities: v.abilities,
  };
}

export function presentTask(v: TaskView): AdmissionTask {
  const t = v.task;
  return {
    id: t.id,
    requestId: t.requestId,
    status: t.status,
    title: t.title,
    description: t.description,
    orgUnit: unitRef(v.unit),
    department: v.department,
    item:
      t.itemCode && t.itemName && t.itemList
        ? { code: t.itemCode, name: t.itemName, list: t.itemList }
        : null,
    dueAt: iso(t.dueAt),
    overdue: v.overdue,
    fundingNote: t.fundingNote,
    requiredForms: t.requiredForms,
    meetingsPerMonth: t.meetingsPerMonth,
    estimatedHoursPerMonth: t.estimatedHoursPerMonth,
    activeFrom: t.activeFrom,
    activeUntil: t.activeUntil,
    progressPercent: t.progressPercent,
    evidence: t.evidence,
    completedAt: iso(t.completedAt),
    events: v.events.map((e) => ({
      step: e.step,
      from: e.fromStatus,
      to: e.toStatus,
      actor: e.actorName,
      note: e.note,
      at: e.at.toISOString(),
    })),
    abilities: v.abilities,
    createdAt: t.createdAt.toISOString(),
  };
}

export function presentOutsideReport(v: OutsideReportView): OutsideReport {
  const r = v.row;
  const name = (id: string | null) => (id ? (v.names.get(id) ?? null) : null);
  return {
    id: r.id,
    status: r.status,
    orgUnit: unitRef(v.unit),
    department: v.department,
    departmentName: r.departmentName,
    kind: r.kind,
    what: r.what,
    happenedOn: r.happenedOn,
    channel: r.channel,
    estimatedHours: r.estimatedHours,
    reportedBy: name(r.reportedBy),
    handledBy: name(r.handledBy),
    handledAt: iso(r.handledAt),
    handlingNote: r.handlingNote,
    createdAt: r.createdAt.toISOString(),
  };
}
