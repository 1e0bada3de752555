import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CASE_STATUSES, CASE_STEPS, type CaseStatus, type CaseStep } from '@linli/contracts';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { systemContext } from '../../core/context';
import { AppError } from '../../core/errors';
import { receiveFile } from '../../core/files';
import { auditLog } from '../../core/schema';
import { createWorkingCalendar, DEFAULT_SCHEDULE } from '../calendar';
import { unitByName } from '../identity/fixtures';
import { messages } from '../messages/schema';
import { accountByPhone } from '../service-guide/applications-fixtures';
import { accountByUsername, buildCase, PNG, squadOf } from './fixtures';
import { caseFollowers, caseHistory, type cases } from './schema';
import { applyStep, type CaseDeps, type StepInput } from './service';
import { CASE_TRANSITIONS, isOverdue, nextStatus, PUBLIC_STEPS, stepDeadline } from './workflow';

/** The legal steps, written out by hand from the brief (not copied from the table it checks). */
const LEGAL: Record<CaseStatus, Partial<Record<CaseStep, CaseStatus>>> = {
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
};

const pairs = CASE_STATUSES.flatMap((s) => CASE_STEPS.map((step) => [s, step] as const));

describe('the case transition table', () => {
  it('has a row for every state', () => {
    expect(Object.keys(CASE_TRANSITIONS).sort()).toEqual([...CASE_STATUSES].sort());
  });
  it.each(pairs)('from %s, %s leads where the brief says (or nowhere)', (state, step) => {
    expect(nextStatus(state, step)).toBe(LEGAL[state][step] ?? null);
  });
  it('never leaves not_registered, and closes only through verification', () => {
    const into = (s: CaseStatus) =>
      pairs
        .filter(([from, step]) => nextStatus(from, step) === s && from !== s)
        .map(([f, st]) => `${f}:${st}`);
    expect(into('closed')).toEqual(['handled:verify_pass']);
    expect(CASE_STEPS.filter((s) => nextStatus('not_registered', s))).toEqual([]);
  });
  it('counts as overdue only a running step past its deadline', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const past = new Date('2026-11-30T00:00:00Z');
    expect(isOverdue({ status: 'handling', dueAt: past }, now)).toBe(true);
    expect(isOverdue({ status: 'reported', dueAt: past }, now)).toBe(true);
    expect(isOverdue({ status: 'closed', dueAt: past }, now)).toBe(false);
    expect(isOverdue({ status: 'handling', dueAt: now }, now)).toBe(false);
    expect(isOverdue({ status: 'handling', dueAt: null }, now)).toBe(false);
  });
  it('counts working hours across a weekend and clock hours for urgent categories', () => {
    const cal = createWorkingCalendar(new Map(), DEFAULT_SCHEDULE);
    // Friday 2026-11-27 16:30 Beijing + 2 working hours = Monday 10:00; the red card 2 more: 12:00.
    const start = new Date('2026-11-27T08:30:00Z');
    const w = stepDeadline(cal, start, { hours: 2, clock: false });
    expect(w.dueAt.toISOString()).toBe('2026-11-30T02:00:00.000Z');
    expect(w.redAt.toISOString()).toBe('2026-11-30T04:00:00.000Z');
    const c = stepDeadline(cal, start, { hours: 2, clock: true });
    expect(c.dueAt.toISOString()).toBe('2026-11-27T10:30:00.000Z');
    expect(c.redAt.toISOString()).toBe('2026-11-27T12:30:00.000Z');
  });
});

let t: TestApp;
let deps: CaseDeps;
let ids: {
  unit: string;
  district: string;
  resident: string;
  follower: string;
  squad: string;
  member: string;
};
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-cases-wf-'));

beforeAll(async () => {
  t = await buildTestApp({ dataDir }, { clock });
  const db = t.database.db;
  const unit = await unitByName(db, '翰林社区');
  const resident = await accountByPhone(db, '13800000001');
  const member = await accountByUsername(db, 'hanlin-squad1');
  const squad = await squadOf(db, '翰林社区城管中队');
  const follower = await accountByUsername(db, 'hanlin-squad2');
  ids = {
    unit: unit.id,
    district: unit.districtId,
    resident: resident.id,
    follower: follower.id,
    squad: squad.id,
    member: member.id,
  };
  deps = { db, clock, dataDir };
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const inputFor = async (step: CaseStep): Promise<StepInput> => {
  switch (step) {
    case 'not_register':
    case 'send_back':
    case 'verify_fail':
      return { step, reason: '理由说明' };
    case 'dispatch':
      return { step, kind: 'squad', targetId: ids.squad };
    case 'handle':
      return {
        step,
        files: [await receiveFile(dataDir, PNG, { filename: 'after.png' })],
      };
    case 'rate':
      return { step, rating: 'satisfied' };
    case 'request_extension':
      return { step, hours: 4, reason: '需要协调产权单位' };
    case 'supervise':
      return { step, note: '请加快处置' };
    default:
      return { step };
  }
};

/** What a legal step needs to find on the case (a pending extension, a 不满意 rating). */
const overridesFor = (step: CaseStep): Partial<typeof cases.$inferInsert> => {
  if (step === 'approve_extension' || step === 'deny_extension')
    return { extensionStatus: 'pending', extensionHours: 4, extensionReason: '需要协调' };
  if (step === 'reopen') return { rating: 'unsatisfied' };
  return {};
};

describe('applyStep over every (state, step) pair', () => {
  it.each(pairs)(
    'from %s, %s moves to the next state or answers 409 naming the state',
    async (state, step) => {
      const c = await buildCase(t.database.db, {
        status: state,
        orgUnitId: ids.unit,
        communityId: ids.unit,
        districtId: ids.district,
        reporterId: ids.resident,
        squadId: ids.squad,
        handlerId: ids.member,
        handledBy: ids.member,
        at: clock.now(),
        overrides: overridesFor(step),
      });
      await t.database.db.insert(caseFollowers).values({ caseId: c.id, accountId: ids.follower });
      const ctx = systemContext(ids.district);
      const to = LEGAL[state][step];
      if (!to) {
        const err = await applyStep(deps, ctx, c.id, await inputFor(step)).catch((e) => e);
        expect(err).toBeInstanceOf(AppError);
        expect(err.status).toBe(409);
        expect(err.code).toBe('invalid-transition');
        expect(err.extra.state).toBe(state);
        expect(err.message).toContain(state);
        const history = await t.database.db.select().from(caseHistory).where(eq(caseHistory.caseId, c.id));
        expect(history).toHaveLength(0);
        return;
      }
      const view = await applyStep(deps, ctx, c.id, await inputFor(step));
      expect(view.c.status).toBe(to);
      const history = await t.database.db.select().from(caseHistory).where(eq(caseHistory.caseId, c.id));
      expect(history.map((h) => [h.step, h.fromStatus, h.toStatus])).toEqual([[step, state, to]]);
      const audit = await t.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.entityType, 'case'), eq(auditLog.entityId, c.id)));
      expect(audit.map((a) => a.action)).toEqual([`case.${step}`]);
      // Public steps reach the reporter and every follower; internal ones nobody.
      for (const who of [ids.resident, ids.follower]) {
        const inbox = await t.database.db
          .select()
          .from(messages)
          .where(and(eq(messages.accountId, who), eq(messages.link, `/cases/${c.id}`)));
        expect(inbox, `${who} inbox`).toHaveLength(PUBLIC_STEPS.has(step) ? 1 : 0);
      }
      if (step === 'handle') expect(view.history[0]!.photos).toHaveLength(1);
      if (['register', 'dispatch', 'accept', 'verify_fail', 'reopen'].includes(step)) {
        expect(view.c.dueAt!.getTime()).toBeGreaterThan(clock.now().getTime());
      }
      if (step === 'verify_pass') expect(view.c.dueAt).toBeNull();
    },
  );

  it('lets only one of two racing steps win; the loser gets 409 naming the new state', async () => {
    const c = await buildCase(t.database.db, {
      status: 'reported',
      orgUnitId: ids.unit,
      communityId: ids.unit,
      districtId: ids.district,
      reporterId: ids.resident,
      squadId: ids.squad,
      at: clock.now(),
    });
    const ctx = systemContext(ids.district);
    const results = await Promise.allSettled([
      applyStep(deps, ctx, c.id, { step: 'register' }),
      applyStep(deps, ctx, c.id, { step: 'not_register', reason: '重复上报' }),
    ]);
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(failed).toHaveLength(1);
    expect(failed[0]!.reason.code).toBe('invalid-transition');
    expect(['registered', 'not_registered']).toContain(failed[0]!.reason.extra.state);
  });
});
