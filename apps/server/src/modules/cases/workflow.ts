import type { CaseStatus, CaseStep, SlaStep } from '@linli/contracts';
import { AppError } from '../../core/errors';
import type { WorkingCalendar } from '../calendar';

/**
 * The case (案件) state machine: a literal table, state -> step -> next state. Anything not in it
 * answers 409 `invalid-transition` naming the current state. Who may take a step: permissions.ts
 * (403/404). What a step needs (a reason, photos, someone other than the handler…): the guards
 * in the service. The deadline of each waiting state: `SLA_OF_STATE` below.
 *
 * ```
 * reported ──register──▶ registered ──dispatch──▶ dispatched ──accept──▶ accepted ──start──▶ handling
 *    └─not_register─▶ not_registered        ▲        │                                      │   ▲
 *                                            └─send_back                                 handle │
 *                                                                                         ▼   │
 *   rated ◀──rate── closed ◀──verify_pass── handled ──verify_fail───────────────────────────────┘
 *     └──reopen (不满意 within 7 days, once)──▶ handling
 * request_extension / approve_extension / deny_extension: accepted, handling (state unchanged)
 * supervise (督办): every open state (state unchanged)
 * ```
 */
export const CASE_TRANSITIONS = {
  reported: { register: 'registered', not_register: 'not_registered', supervise: 'reported' },
  registered: { dispatch: 'dispatched', supervise: 'registered' },
  not_registered: {},
  dispatched: { accept: 'accepted', send_back: 'registered', supervise: 'dispatched' },
  accepted: {
    start: 'handling',
    request_extension: 'accepted',
    approve_extension: 'accepted',
    deny_extension: 'accepted',
    supervise: 'accepted',
  },
  handling: {
    handle: 'handled',
    request_extension: 'handling',
    approve_extension: 'handling',
    deny_extension: 'handling',
    supervise: 'handling',
  },
  handled: { verify_pass: 'closed', verify_fail: 'handling', supervise: 'handled' },
  closed: { rate: 'rated' },
  rated: { reopen: 'handling' },
} as const satisfies Record<CaseStatus, Partial<Record<CaseStep, CaseStatus>>>;

/** The next state, or null when the table has no such step from `from`. */
export function nextStatus(from: CaseStatus, step: CaseStep): CaseStatus | null {
  const row = CASE_TRANSITIONS[from] as Partial<Record<CaseStep, CaseStatus>>;
  return row[step] ?? null;
}

/** The next state, or 409 `invalid-transition` naming the current one. */
export function requireTransition(from: CaseStatus, step: CaseStep): CaseStatus {
  const to = nextStatus(from, step);
  if (!to) throw AppError.invalidTransition(from, step);
  return to;
}

/** The deadline a waiting state runs against: which step's SLA. Terminal and rated states have none. */
export const SLA_OF_STATE: Partial<Record<CaseStatus, SlaStep>> = {
  reported: 'register',
  registered: 'dispatch',
  dispatched: 'accept',
  accepted: 'handle',
  handling: 'handle',
  handled: 'verify',
};

/** States with a running deadline: the SLA job looks at these only. */
export const RUNNING_STATES = Object.keys(SLA_OF_STATE) as CaseStatus[];

/**
 * States in which a case is not on the community board: a report not yet vetted (立案), or
 * refused. Such a case exists only for its reporter and the staff who handle it.
 */
export const OFF_BOARD_STATES: readonly CaseStatus[] = ['reported', 'not_registered'];

/** True when anyone of the district may see that the case exists (the board, "me too"). */
export const onBoard = (status: CaseStatus) => !OFF_BOARD_STATES.includes(status);

/** States in which a case is "open" for "me too" and the board. */
export const OPEN_STATES: readonly CaseStatus[] = [
  'reported',
  'registered',
  'dispatched',
  'accepted',
  'handling',
  'handled',
];

/**
 * Steps the reporter and followers hear about (每一个公开环节). Internal steps (send-back,
 * verification failure, extensions, supervision) are not broadcast.
 */
export const PUBLIC_STEPS: ReadonlySet<CaseStep | 'report'> = new Set([
  'report',
  'register',
  'not_register',
  'dispatch',
  'accept',
  'start',
  'handle',
  'verify_pass',
  'rate',
  'reopen',
]);

/** Steps that leave the state (and its deadline) as it is. */
export const SELF_STEPS: ReadonlySet<CaseStep> = new Set([
  'request_extension',
  'approve_extension',
  'deny_extension',
  'supervise',
]);

/** Days after closing in which 不满意 reopens the case (once). */
export const REOPEN_WINDOW_DAYS = 7;

/** Resident-facing titles of each state, for messages and the timeline. */
export const STATUS_TITLES: Record<CaseStatus, string> = {
  reported: '已上报',
  registered: '已立案',
  not_registered: '不予立案',
  dispatched: '已派遣',
  accepted: '已签收',
  handling: '处置中',
  handled: '已处置，待核查',
  closed: '已结案',
  rated: '已评价',
};

export interface SlaSpec {
  hours: number;
  clock: boolean;
}

/**
 * The deadline of a step that starts at `start`: working hours on the district calendar, or clock
 * hours (urgent categories). Also the red-card time: the same SLA counted again from the deadline.
 */
export function stepDeadline(
  calendar: WorkingCalendar,
  start: Date,
  sla: SlaSpec,
): { dueAt: Date; redAt: Date } {
  const add = (from: Date) =>
    sla.clock ? calendar.addClockHours(from, sla.hours) : calendar.addWorkingHours(from, sla.hours);
  const dueAt = add(start);
  return { dueAt, redAt: add(dueAt) };
}

/** Overdue: a running state past its deadline. */
export function isOverdue(c: { status: CaseStatus; dueAt: Date | null }, now: Date): boolean {
  return !!c.dueAt && RUNNING_STATES.includes(c.status) && c.dueAt.getTime() < now.getTime();
}
