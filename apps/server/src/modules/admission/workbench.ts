import { sql } from 'drizzle-orm';
import { todoCard, type WorkbenchSource } from '../../core/workbench';
import { scopeFilter } from '../../core/permissions';
import { admissionOutsideReports, admissionRequests, admissionTasks } from './schema';
import { REVIEW_STATES } from './workflow';

/**
 * 事项准入's cards on the console's 工作台 (manifest `workbench`, core/workbench.ts), one statement
 * each, linking to the inbox, the review queue and the department's requests filtered as counted.
 */

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
const NOBODY = '00000000-0000-0000-0000-000000000000';
const reviewing = sql.join(
  REVIEW_STATES.map((s) => sql`${s}`),
  sql`, `,
);

/** 准入任务: admitted tasks handed to the caller's communities, to acknowledge and to carry out. */
const inboxCards: WorkbenchSource = {
  key: 'admission.inbox',
  permission: 'admission.inbox',
  async cards({ db, actor }) {
    const [row] = rowsOf<Record<string, unknown>>(
      await db.execute(sql`
        SELECT count(*) FILTER (WHERE status = 'open')::int AS open,
               count(*) FILTER (WHERE status = 'acknowledged')::int AS acknowledged,
               min(due_at) FILTER (WHERE status = 'open') AS open_due,
               min(due_at) FILTER (WHERE status = 'acknowledged') AS acknowledged_due
        FROM ${admissionTasks}
        WHERE ${admissionTasks.status} IN ('open', 'acknowledged')
          AND ${scopeFilter(actor, 'admission.inbox', admissionTasks.orgUnitId)}`),
    );
    return (['open', 'acknowledged'] as const).map((status) =>
      todoCard(
        status === 'open' ? 'admission.tasksOpen' : 'admission.tasksAcknowledged',
        row?.[status],
        status === 'open' ? 'warning' : 'primary',
        { route: 'admission-tasks', query: { status } },
        row?.[`${status}_due`],
      ),
    );
  },
};

/** 待审核: requests in the admission office's review queue (fast track and in review). */
const reviewCards: WorkbenchSource = {
  key: 'admission.review',
  permission: 'admission.review',
  async cards({ db, actor }) {
    const [row] = rowsOf<{ n: number; due: string | null }>(
      await db.execute(sql`
        SELECT count(*)::int AS n, min(due_at) AS due FROM ${admissionRequests}
        WHERE ${admissionRequests.status} IN (${reviewing})
          AND ${scopeFilter(actor, 'admission.review', admissionRequests.orgUnitId)}`),
    );
    return [
      todoCard('admission.toReview', row?.n, 'warning', { route: 'admission-review', query: {} }, row?.due),
    ];
  },
};

/** 审核中: the caller's department's admission requests the office has not decided yet. */
const requestCards: WorkbenchSource = {
  key: 'admission.requests',
  permission: 'admission.request',
  async cards({ db, actor }) {
    const me = actor.accountId ?? NOBODY;
    const [row] = rowsOf<{ n: number; due: string | null; member: boolean }>(
      await db.execute(sql`
        SELECT count(*)::int AS n, min(due_at) AS due,
               EXISTS (SELECT 1 FROM accounts a WHERE a.id = ${me} AND a.department_id IS NOT NULL) AS member
        FROM ${admissionRequests}
        WHERE ${admissionRequests.status} = 'in_review'
          AND ${admissionRequests.departmentId} = (SELECT a.department_id FROM accounts a WHERE a.id = ${me})`),
    );
    // The permission without a department (a district administrator holds them all): no card.
    if (!row?.member) return [];
    return [
      todoCard(
        'admission.requestsInReview',
        row?.n,
        'primary',
        { route: 'admission-mine', query: { status: 'in_review' } },
        row?.due,
      ),
    ];
  },
};

/** 体制外派活: reports of work handed down outside the system, not yet dealt with. */
const oversightCards: WorkbenchSource = {
  key: 'admission.oversight',
  permission: 'admission.oversight',
  async cards({ db, actor }) {
    const [row] = rowsOf<{ n: number }>(
      await db.execute(sql`
        SELECT count(*)::int AS n FROM ${admissionOutsideReports}
        WHERE ${admissionOutsideReports.status} = 'open'
          AND ${scopeFilter(actor, 'admission.oversight', admissionOutsideReports.orgUnitId)}`),
    );
    return [
      todoCard('admission.outsideReports', row?.n, 'danger', { route: 'admission-oversight', query: {} }),
    ];
  },
};

export const admissionWorkbench: readonly WorkbenchSource[] = [
  inboxCards,
  reviewCards,
  requestCards,
  oversightCards,
];
