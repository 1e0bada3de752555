import { sql } from 'drizzle-orm';
import { todoCard, type WorkbenchCardInput, type WorkbenchSource } from '../../core/workbench';
import { scopeFilter } from '../../core/permissions';
import { applications } from './applications-schema';
import { RUNNING_STATES } from './applications-workflow';
import { officeHourSessions } from './office-hours-schema';

/**
 * The service guide's cards on the console's 工作台 (manifest `workbench`, core/workbench.ts), one
 * statement each. Counts link to 办件工作台 filtered by the same `status` / `overdue` its list applies.
 */

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
const NOBODY = '00000000-0000-0000-0000-000000000000';
const running = sql.join(
  RUNNING_STATES.map((s) => sql`${s}`),
  sql`, `,
);

/** 待预审, 待受理, 办理中 and 超时 in the caller's communities (applications.handle). */
const communityCards: WorkbenchSource = {
  key: 'service-guide.applications',
  permission: 'applications.handle',
  async cards({ db, actor, now }) {
    const [row] = rowsOf<Record<string, unknown>>(
      await db.execute(sql`
        SELECT count(*) FILTER (WHERE status = 'submitted')::int AS submitted,
               count(*) FILTER (WHERE status = 'pre_review')::int AS pre_review,
               count(*) FILTER (WHERE status = 'accepted')::int AS accepted,
               min(due_at) FILTER (WHERE status = 'accepted') AS accepted_due,
               count(*) FILTER (WHERE status IN (${running}) AND due_at < ${now.toISOString()}::timestamptz)::int AS overdue
        FROM ${applications}
        WHERE ${applications.status} IN ('submitted', 'pre_review', 'accepted', 'forwarded')
          AND ${scopeFilter(actor, 'applications.handle', applications.orgUnitId)}`),
    );
    const card = (
      id: string,
      key: string,
      tone: WorkbenchCardInput['tone'],
      query: Record<string, string>,
    ): WorkbenchCardInput =>
      todoCard(
        `service-guide.${id}`,
        row?.[key],
        tone,
        { route: 'applications', query },
        row?.[`${key}_due`],
      );
    return [
      card('toPreReview', 'submitted', 'primary', { status: 'submitted' }),
      card('toAccept', 'pre_review', 'warning', { status: 'pre_review' }),
      card('inProgress', 'accepted', 'success', { status: 'accepted' }),
      card('overdue', 'overdue', 'danger', { overdue: '1' }),
    ];
  },
};

/** 转办件: applications forwarded to the caller's department, waiting for its answer. */
const departmentCards: WorkbenchSource = {
  key: 'service-guide.forwarded',
  permission: 'applications.department',
  async cards({ db, actor }) {
    const me = actor.accountId ?? NOBODY;
    const [row] = rowsOf<{ n: number; due: string | null; member: boolean }>(
      await db.execute(sql`
        SELECT count(*)::int AS n, min(due_at) AS due,
               EXISTS (SELECT 1 FROM accounts a WHERE a.id = ${me} AND a.department_id IS NOT NULL) AS member
        FROM ${applications}
        WHERE ${applications.status} = 'forwarded' AND ${applications.forwardedAt} IS NOT NULL
          AND ${applications.departmentId} = (SELECT a.department_id FROM accounts a WHERE a.id = ${me})`),
    );
    // The permission without a department (a district administrator holds them all): no card.
    if (!row?.member) return [];
    return [
      todoCard(
        'service-guide.forwarded',
        row?.n,
        'warning',
        { route: 'applications', query: { status: 'forwarded' } },
        row?.due,
      ),
    ];
  },
};

/**
 * 坐班安排: scheduled office-hour sessions not yet over, of the caller's department (department
 * staff) or in their scope (administrators), with the next start.
 */
const officeHourCards: WorkbenchSource = {
  key: 'service-guide.officeHours',
  permission: 'office_hours.manage',
  async cards({ db, actor, now }) {
    const me = actor.accountId ?? NOBODY;
    const s = officeHourSessions;
    const [row] = rowsOf<{ n: number; next: string | null }>(
      await db.execute(sql`
        SELECT count(*)::int AS n, min(${s.startsAt}) AS next FROM ${s}
        WHERE ${s.status} = 'scheduled' AND ${s.endsAt} >= ${now.toISOString()}::timestamptz
          AND ${scopeFilter(actor, 'office_hours.manage', s.orgUnitId)}
          AND ${s.departmentId} = coalesce((SELECT a.department_id FROM accounts a WHERE a.id = ${me}), ${s.departmentId})`),
    );
    return [
      todoCard(
        'service-guide.officeHours',
        row?.n,
        'primary',
        { route: 'office-hours', query: {} },
        row?.next,
      ),
    ];
  },
};

export const serviceGuideWorkbench: readonly WorkbenchSource[] = [
  communityCards,
  departmentCards,
  officeHourCards,
];
