import type { ApplicationStatus, ApplicationStep } from '@linli/contracts';
import { AppError } from '../../core/errors';

/**
 * The application (办件) state machine: a literal table, state -> step -> next state. Anything
 * not in it answers 409 `invalid-transition` naming the current state. Who may take a step is
 * in applications-permissions.ts; what each step needs (a reason, a delivery…) in the service.
 *
 * ```
 * submitted ──pre_review──▶ pre_review ──accept──▶ accepted ──forward──▶ forwarded
 *     │  ▲                                            │  │                  │  │
 *     │  └─add_materials── needs_more                 │  └─complete─▶ done ◀─complete
 *     └──request_more──────▶                          └─refuse─▶ refused ◀─refuse
 * done ──result_ready──▶ result_ready ──finish──▶ completed ──rate──▶ rated
 * submitted | needs_more | pre_review ──withdraw──▶ withdrawn
 * ```
 */
export const APPLICATION_TRANSITIONS = {
  submitted: { pre_review: 'pre_review', request_more: 'needs_more', withdraw: 'withdrawn' },
  needs_more: { add_materials: 'submitted', withdraw: 'withdrawn' },
  pre_review: { accept: 'accepted', withdraw: 'withdrawn' },
  accepted: { forward: 'forwarded', complete: 'done', refuse: 'refused' },
  forwarded: { complete: 'done', refuse: 'refused' },
  done: { result_ready: 'result_ready' },
  result_ready: { finish: 'completed' },
  completed: { rate: 'rated' },
  rated: {},
  refused: {},
  withdrawn: {},
} as const satisfies Record<ApplicationStatus, Partial<Record<ApplicationStep, ApplicationStatus>>>;

/** States in which the promised deadline runs: past `dueAt` here is overdue. */
export const RUNNING_STATES: readonly ApplicationStatus[] = ['accepted', 'forwarded'];

/** The states a step leads to, or null when the table has no such step from `from`. */
export function nextStatus(from: ApplicationStatus, step: ApplicationStep): ApplicationStatus | null {
  const row = APPLICATION_TRANSITIONS[from] as Partial<Record<ApplicationStep, ApplicationStatus>>;
  return row[step] ?? null;
}

/** The next state, or 409 `invalid-transition` naming the current one. */
export function requireTransition(from: ApplicationStatus, step: ApplicationStep): ApplicationStatus {
  const to = nextStatus(from, step);
  if (!to) throw AppError.invalidTransition(from, step);
  return to;
}

/** Overdue: the deadline has passed while the application is still being handled. */
export function isOverdue(a: { status: ApplicationStatus; dueAt: Date | null }, now: Date): boolean {
  return !!a.dueAt && RUNNING_STATES.includes(a.status) && a.dueAt.getTime() < now.getTime();
}

/** Resident-facing titles of each state, for messages. */
export const STATUS_TITLES: Record<ApplicationStatus, string> = {
  submitted: '已提交',
  needs_more: '需补正材料',
  pre_review: '已预审',
  accepted: '已受理',
  forwarded: '已转交部门办理',
  done: '已办结',
  refused: '不予办理',
  result_ready: '结果可领取',
  completed: '已完成',
  rated: '已评价',
  withdrawn: '已撤回',
};
