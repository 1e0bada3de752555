import { writesHappened } from '../../core/answer-cache';
import { writeAuditBatch } from '../../core/audit';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/db/client';
import { notifyEach, staffHoldingEach } from '../messages';
import { caseOverdue, caseStatusText } from './events';
import { insertCards, insertHistories, markOverdue, slaBreaches } from './queries';
import type { CaseRow } from './schema';
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

/**
 * Gives the cards that are due: batches of at most `batch` breached cases, earliest missed
 * deadline first (found by `cases_sla_next_idx`), until none is left or `signal` aborts. Each
 * batch is one transaction of a fixed number of statements, whatever its size: the cases marked
 * in one UPDATE, the cards, history rows, messages and audit rows each written in one (issue #15).
 */
export async function runSlaSweep(
  deps: { db: Db; clock: Clock; signal?: AbortSignal },
  batch = 500,
): Promise<SlaSweepResult> {
  const result: SlaSweepResult = { yellow: 0, red: 0 };
  for (;;) {
    const pass = await sweepBatch(deps, batch);
    result.yellow += pass.yellow;
    result.red += pass.red;
    // A short batch was the last; a batch of which nothing could be marked (every case moved on
    // meanwhile) ends it too, rather than reading the same rows again.
    if (pass.found < batch || pass.marked === 0 || deps.signal?.aborted) return result;
  }
}

async function sweepBatch(
  deps: { db: Db; clock: Clock },
  batch: number,
): Promise<SlaSweepResult & { found: number; marked: number }> {
  const now = deps.clock.now();
  const breached = await slaBreaches(deps.db, now, batch);
  if (breached.length === 0) return { yellow: 0, red: 0, found: 0, marked: 0 };
  // Who hears about each: the staff holding cases.supervise over the case's unit.
  const supervisorsOf = await staffHoldingEach(
    deps.db,
    'cases.supervise',
    breached.map((c) => c.orgUnitId),
  );
  const plan = breached.map((c) => {
    const level = c.redAt && c.redAt.getTime() < now.getTime() ? 2 : 1;
    const levels: ('yellow' | 'red')[] = [];
    if (c.overdueLevel < 1) levels.push('yellow');
    if (level === 2) levels.push('red');
    return { c, level, levels, late: lateUnit(c), supervisors: supervisorsOf.get(c.orgUnitId) ?? [] };
  });
  const { given, marked } = await deps.db.transaction(async (tx) => {
    const marked = await markOverdue(
      tx,
      plan.map(({ c, level }) => ({ id: c.id, status: c.status, from: c.overdueLevel, to: level })),
    );
    const todo = plan.filter((p) => marked.has(p.c.id));
    const cards = await insertCards(
      tx,
      todo.flatMap(({ c, levels, late }) =>
        levels.map((l) => ({
          districtId: c.districtId,
          caseId: c.id,
          level: l,
          status: c.status,
          ...late,
          dueAt: c.dueAt!,
          at: now,
        })),
      ),
    );
    const cardsOf = new Map<string, ('yellow' | 'red')[]>();
    for (const card of cards) cardsOf.set(card.caseId, [...(cardsOf.get(card.caseId) ?? []), card.level]);
    // In the order asked for, as one card at a time gave them.
    const carded = todo.flatMap((p) => {
      const got = cardsOf.get(p.c.id);
      return got ? [{ ...p, cards: p.levels.filter((l) => got.includes(l)) }] : [];
    });
    const word = (cards: ('yellow' | 'red')[]) => (cards.includes('red') ? '红牌' : '黄牌');
    await insertHistories(
      tx,
      carded.map(({ c, cards }) => ({
        caseId: c.id,
        step: cards.includes('red') ? ('sla_red' as const) : ('sla_yellow' as const),
        fromStatus: c.status,
        toStatus: c.status,
        actorId: null,
        note: `“${STATUS_TITLES[c.status]}”环节超时（${word(cards)}），期限 ${c.dueAt!.toISOString()}`,
        public: false,
        at: now,
      })),
    );
    await notifyEach(
      tx,
      caseOverdue,
      carded.map(({ c, cards, supervisors }) => ({
        recipients: supervisors,
        data: {
          caseId: c.id,
          number: c.number,
          card: { 'zh-CN': word(cards), en: cards.includes('red') ? 'red card' : 'yellow card' },
          status: caseStatusText(c.status),
        },
      })),
      { at: now },
    );
    const auditAt = new Date();
    await writeAuditBatch(
      tx,
      carded.map(({ c, level, cards, late, supervisors }) => ({
        at: auditAt,
        actorId: null,
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
      })),
      SLA_SWEEP_REQUEST,
    );
    return { given: carded.flatMap((p) => p.cards), marked: marked.size };
  });
  // Committed: case answers kept from before it may show an old overdue level.
  if (marked) writesHappened();
  const result = { yellow: 0, red: 0, found: breached.length, marked };
  for (const l of given) result[l]++;
  return result;
}

/** What the sweep's audit rows carry as their request id: they come from no request. */
const SLA_SWEEP_REQUEST = 'cases.slaSweep';
