import type {
  AdmissionRequestStatus,
  AdmissionRequestStep,
  AdmissionTaskStatus,
  AdmissionTaskStep,
} from '@linli/contracts';
import { AppError } from '../../core/errors';

/**
 * The admission request (准入申请) state machine: a literal table, state -> step -> next state.
 * Anything not in it answers 409 `invalid-transition` naming the current state (so a second
 * decision on a decided request is a 409). Who may take a step: permissions.ts.
 *
 * ```
 * (filing) ──negative item / inspection──▶ refused ──appeal (negative only)──▶ in_review
 * (filing) ──assisting item + funding──▶ fast_track ─┬─approve | approve_with_conditions─▶ approved ──withdraw──▶ withdrawn
 * (filing) ──anything else──▶ in_review ─────────────┘
 * fast_track | in_review ──reject──▶ rejected
 * ```
 */
export const REQUEST_TRANSITIONS = {
  refused: { appeal: 'in_review' },
  fast_track: { approve: 'approved', approve_with_conditions: 'approved', reject: 'rejected' },
  in_review: { approve: 'approved', approve_with_conditions: 'approved', reject: 'rejected' },
  approved: { withdraw: 'withdrawn' },
  rejected: {},
  withdrawn: {},
} as const satisfies Record<
  AdmissionRequestStatus,
  Partial<Record<AdmissionRequestStep, AdmissionRequestStatus>>
>;

/** States in which the decision deadline runs. */
export const REVIEW_STATES: readonly AdmissionRequestStatus[] = ['fast_track', 'in_review'];

/** Working days the admission office has to decide (北京西城: 15 个工作日内完成审批). */
export const REVIEW_WORKING_DAYS = 15;
/** A fast-tracked request only needs the office's confirmation. */
export const FAST_TRACK_WORKING_DAYS = 5;

export function nextRequestStatus(
  from: AdmissionRequestStatus,
  step: AdmissionRequestStep,
): AdmissionRequestStatus | null {
  const row = REQUEST_TRANSITIONS[from] as Partial<Record<AdmissionRequestStep, AdmissionRequestStatus>>;
  return row[step] ?? null;
}

export function requireRequestTransition(
  from: AdmissionRequestStatus,
  step: AdmissionRequestStep,
): AdmissionRequestStatus {
  const to = nextRequestStatus(from, step);
  if (!to) throw AppError.invalidTransition(from, step);
  return to;
}

export function isRequestOverdue(
  r: { status: AdmissionRequestStatus; dueAt: Date | null },
  now: Date,
): boolean {
  return !!r.dueAt && REVIEW_STATES.includes(r.status) && r.dueAt.getTime() < now.getTime();
}

/**
 * The community task state machine. `progress` is a report that keeps the task where it is.
 *
 * ```
 * open ──acknowledge──▶ acknowledged ──progress──▶ acknowledged ──complete──▶ completed
 * open | acknowledged ──withdraw (the admission is withdrawn)──▶ withdrawn
 * ```
 */
export const TASK_TRANSITIONS = {
  open: { acknowledge: 'acknowledged', withdraw: 'withdrawn' },
  acknowledged: { progress: 'acknowledged', complete: 'completed', withdraw: 'withdrawn' },
  completed: {},
  withdrawn: {},
} as const satisfies Record<AdmissionTaskStatus, Partial<Record<AdmissionTaskStep, AdmissionTaskStatus>>>;

export function nextTaskStatus(
  from: AdmissionTaskStatus,
  step: AdmissionTaskStep,
): AdmissionTaskStatus | null {
  const row = TASK_TRANSITIONS[from] as Partial<Record<AdmissionTaskStep, AdmissionTaskStatus>>;
  return row[step] ?? null;
}

export function requireTaskTransition(
  from: AdmissionTaskStatus,
  step: AdmissionTaskStep,
): AdmissionTaskStatus {
  const to = nextTaskStatus(from, step);
  if (!to) throw AppError.invalidTransition(from, step);
  return to;
}

export const REQUEST_STATUS_TITLES: Record<AdmissionRequestStatus, string> = {
  refused: '不予受理（负面事项或考核检查）',
  fast_track: '快速通道待确认',
  in_review: '准入审核中',
  approved: '准予准入',
  rejected: '不予准入',
  withdrawn: '已退出',
};

export const TASK_STATUS_TITLES: Record<AdmissionTaskStatus, string> = {
  open: '待签收',
  acknowledged: '办理中',
  completed: '已完成',
  withdrawn: '已退出',
};
