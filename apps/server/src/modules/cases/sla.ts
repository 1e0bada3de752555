import { and, eq } from 'drizzle-orm';
import { writesHappened } from '../../core/answer-cache';
import { writeAudit } from '../../core/audit';
import type { Clock } from '../../core/clock';
import { systemContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { notify, staffHolding } from '../messages';
import { caseOverdue, caseStatusText } from './events';
import { insertCard, insertHistory, slaBreaches } from './queries';
import { type CaseRow, cases } from './schema';
import { STATUS_TITLES } from './workflow';

/**
 * The SLA job: finds running steps past their deadline (yellow card) or past it by the step's
 * SLA again (red card), marks them on the case, records the card against the unit that was late
 * (the squad, department or person handling it; the case's org unit before dispatch), writes an
 * internal history row and tells the supervisors (town and district staff holding cases.supervise
 * over the case). Idempotent: a card is given once per step deadline, so several processes or a
 * re-run do not double-count. The clock is injected (app.clock; FakeClock in tests).
 */

export interface SlaSweepResult {
  yellow: number;
  red: number;
}

function lateUnit(c: CaseRow): { unitKind: 'squad' | 'department' | 'person' | 'org_unit'; unitId: string } {
  const dispatched = !['reported', 'registered'].includes(c.status);
  if (dispatched && c.handlerKind === 'squad' && c.squadId) return { unitKind: 'squad', unitId: c.squadId };
  if (dispatched && c.handlerKind === 'department' && c.departmentId)
    return { unitKind: 'department', unitId: c.departmentId };
  if (dispatched && c.handlerKind === 'person' && c.handlerId)
    return { unitKind: 'person', unitId: c.handlerId };
  return { unitKind: 'org_unit', unitId: c.communityId ?? c.orgUnitId };
}

/** One pass over the breached cases (at most `batch`). */
export async function runSlaSweep(deps: { db: Db; clock: Clock }, batch = 500): Promise<SlaSweepResult> {
  const now = deps.clock.now();
  const result: SlaSweepResult = { yellow: 0, red: 0 };
  for (const c of await slaBreaches(deps.db, now, batch)) {
    const red = !!c.redAt && c.redAt.getTime() < now.getTime();
    const level = red ? 2 : 1;
    // Who hears about it: the staff holding cases.supervise over the case's unit.
    const supervisors = await staffHolding(deps.db, 'cases.supervise', c.orgUnitId);
    const late = lateUnit(c);
    const given = await deps.db.transaction(async (tx) => {
      const [marked] = await tx
        .update(cases)
        .set({ overdueLevel: level })
        .where(and(eq(cases.id, c.id), eq(cases.status, c.status), eq(cases.overdueLevel, c.overdueLevel)))
        .returning({ id: cases.id });
      if (!marked) return [];
      const levels: ('yellow' | 'red')[] = [];
      if (c.overdueLevel < 1) levels.push('yellow');
      if (level === 2) levels.push('red');
      const cards: ('yellow' | 'red')[] = [];
      for (const l of levels) {
        const ok = await insertCard(tx, {
          districtId: c.districtId,
          caseId: c.id,
          level: l,
          status: c.status,
          ...late,
          dueAt: c.dueAt!,
          at: now,
        });
        if (ok) cards.push(l);
      }
      if (cards.length === 0) return [];
      const word = cards.includes('red') ? '红牌' : '黄牌';
      await insertHistory(tx, {
        caseId: c.id,
        step: cards.includes('red') ? 'sla_red' : 'sla_yellow',
        fromStatus: c.status,
        toStatus: c.status,
        actorId: null,
        note: `“${STATUS_TITLES[c.status]}”环节超时（${word}），期限 ${c.dueAt!.toISOString()}`,
        public: false,
        at: now,
      });
      await notify(
        tx,
        supervisors,
        caseOverdue,
        {
          caseId: c.id,
          number: c.number,
          card: { 'zh-CN': word, en: cards.includes('red') ? 'red card' : 'yellow card' },
          status: caseStatusText(c.status),
        },
        { at: now },
      );
      await writeAudit(tx, systemContext(c.districtId), {
        action: 'case.overdue',
        entityType: 'case',
        entityId: c.id,
        orgUnitId: c.orgUnitId,
        districtId: c.districtId,
        before: { overdueLevel: c.overdueLevel },
        after: { overdueLevel: level },
        note: {
          cards,
          status: c.status,
          unitKind: late.unitKind,
          unitId: late.unitId,
          notified: supervisors.length,
        },
      });
      return cards;
    });
    // Committed: case answers kept from before it may show an old overdue level.
    writesHappened();
    for (const l of given) result[l]++;
  }
  return result;
}
