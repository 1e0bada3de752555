import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { sessionAs } from '../identity/fixtures';
import { messages } from '../messages/schema';
import { accountByPhone } from '../service-guide/applications-fixtures';
import { accountByUsername, HANLIN, multipart } from './fixtures';
import { caseHistory, caseSlaCards, cases } from './schema';
import { runSlaSweep } from './sla';

/**
 * The SLA job with a fake clock: a report's 立案 deadline is 2 working hours (09:00–12:00,
 * 14:00–17:30 Beijing) on the district calendar; the red card comes 2 working hours later.
 * Urgent categories count clock hours, weekends and holidays included.
 */

let t: TestApp;
const clock = new FakeClock(new Date('2026-11-27T08:00:00Z'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-cases-sla-'));
let supervisors: string[];
let residentId: string;

beforeAll(async () => {
  t = await buildTestApp({ dataDir }, { clock });
  residentId = (await accountByPhone(t.database.db, '13800000001')).id;
  supervisors = [
    (await accountByUsername(t.database.db, 'wanan-admin')).id,
    (await accountByUsername(t.database.db, 'admin')).id,
  ];
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Reports a case at `at` (with a session opened then: days pass between tests). */
async function reportAt(at: string, categoryCode = '0201'): Promise<string> {
  clock.set(at);
  const resident = await sessionAs(t.app, residentId);
  const body = multipart([
    { name: 'categoryCode', value: categoryCode },
    { name: 'description', value: '路口电线杆上贴满小广告' },
    { name: 'lat', value: String(HANLIN.lat) },
    { name: 'lng', value: String(HANLIN.lng) },
  ]);
  const res = await resident.post('/api/v1/cases', body.payload, body.headers);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

const sweepAt = (at: string) => {
  clock.set(at);
  return runSlaSweep({ db: t.database.db, clock });
};

const cardsOf = async (id: string) =>
  (await t.database.db.select().from(caseSlaCards).where(eq(caseSlaCards.caseId, id)))
    .map((c) => c.level)
    .sort();

const caseRow = async (id: string) => (await t.database.db.select().from(cases).where(eq(cases.id, id)))[0]!;

const supervisorMessages = async (id: string) =>
  t.database.db
    .select()
    .from(messages)
    .where(and(eq(messages.link, `/console/cases/${id}`)));

describe('the SLA job', () => {
  it('waits over a weekend: Friday 16:00 + 2 working hours is Monday 09:30', async () => {
    // Friday 2026-11-27 16:00 Beijing.
    const id = await reportAt('2026-11-27T08:00:00Z');
    expect((await caseRow(id)).dueAt?.toISOString()).toBe('2026-11-30T01:30:00.000Z');
    // Saturday, Sunday night, Monday 09:29: nothing.
    for (const at of ['2026-11-28T04:00:00Z', '2026-11-29T15:00:00Z', '2026-11-30T01:29:00Z']) {
      await sweepAt(at);
      expect(await cardsOf(id), at).toEqual([]);
    }
    // Monday 09:31: a yellow card for 翰林社区 (not dispatched yet), the supervisors told.
    await sweepAt('2026-11-30T01:31:00Z');
    expect(await cardsOf(id)).toEqual(['yellow']);
    const row = await caseRow(id);
    expect(row.overdueLevel).toBe(1);
    const [card] = await t.database.db.select().from(caseSlaCards).where(eq(caseSlaCards.caseId, id));
    expect(card).toMatchObject({ unitKind: 'org_unit', unitId: row.communityId, status: 'reported' });
    const told = await supervisorMessages(id);
    expect(told.map((m) => m.accountId).sort()).toEqual([...supervisors].sort());
    expect(told[0]!.title).toContain('黄牌');
    // A re-run gives nothing more.
    expect(await sweepAt('2026-11-30T01:45:00Z')).toEqual({ yellow: 0, red: 0 });
    // Monday 11:31 (2 more working hours): red.
    await sweepAt('2026-11-30T03:31:00Z');
    expect(await cardsOf(id)).toEqual(['red', 'yellow']);
    expect((await caseRow(id)).overdueLevel).toBe(2);
    const history = await t.database.db.select().from(caseHistory).where(eq(caseHistory.caseId, id));
    expect(history.filter((h) => h.step.startsWith('sla_')).map((h) => [h.step, h.public])).toEqual([
      ['sla_yellow', false],
      ['sla_red', false],
    ]);
  });

  it('waits over 国庆: Wednesday 30 September 16:00 + 2 working hours is Thursday 8 October 09:30', async () => {
    const id = await reportAt('2026-09-30T08:00:00Z');
    expect((await caseRow(id)).dueAt?.toISOString()).toBe('2026-10-08T01:30:00.000Z');
    for (const at of ['2026-10-01T02:00:00Z', '2026-10-05T06:00:00Z', '2026-10-08T01:29:00Z']) {
      await sweepAt(at);
      expect(await cardsOf(id), at).toEqual([]);
    }
    await sweepAt('2026-10-08T01:31:00Z');
    expect(await cardsOf(id)).toEqual(['yellow']);
  });

  it('counts clock hours for an urgent category, on a holiday too', async () => {
    // 街头散发广告 (2 h) is urgent: 立案 within 0.5 clock hours, Saturday 3 October 10:00.
    const id = await reportAt('2026-10-03T02:00:00Z', '0204');
    expect((await caseRow(id)).dueAt?.toISOString()).toBe('2026-10-03T02:30:00.000Z');
    await sweepAt('2026-10-03T02:29:00Z');
    expect(await cardsOf(id)).toEqual([]);
    await sweepAt('2026-10-03T02:31:00Z');
    expect(await cardsOf(id)).toEqual(['yellow']);
    // Both cards at once when the job ran late.
    const late = await reportAt('2026-10-03T02:05:00Z', '0204');
    await sweepAt('2026-10-03T04:00:00Z');
    expect(await cardsOf(late)).toEqual(['red', 'yellow']);
  });

  it('charges the squad once the case is dispatched, and lists the cards per unit', async () => {
    const id = await reportAt('2026-11-27T02:00:00Z');
    const secretary = await loginAs(t.app, 'hanlin-secretary');
    expect((await secretary.post(`/api/v1/cases/${id}/register`, {})).statusCode).toBe(200);
    expect((await secretary.post(`/api/v1/cases/${id}/dispatch`, {})).statusCode).toBe(200);
    // 签收 within 2 working hours of 10:00 Friday: 12:00 Friday.
    expect((await caseRow(id)).dueAt?.toISOString()).toBe('2026-11-27T04:00:00.000Z');
    await sweepAt('2026-11-27T04:01:00Z');
    const [card] = await t.database.db.select().from(caseSlaCards).where(eq(caseSlaCards.caseId, id));
    expect(card).toMatchObject({
      unitKind: 'squad',
      unitId: (await caseRow(id)).squadId,
      status: 'dispatched',
    });
    const report = await (await loginAs(t.app, 'hanlin-secretary')).get('/api/v1/cases/sla-cards');
    expect(report.statusCode, report.body).toBe(200);
    const squad = report
      .json()
      .items.find((i: { unit: { name: string } }) => i.unit.name === '翰林社区城管中队');
    expect(squad).toMatchObject({ yellow: 1, red: 0 });
    expect((await new Client(t.app).get('/api/v1/cases/sla-cards')).statusCode).toBe(401);
    const overdue = await (await loginAs(t.app, 'hanlin-secretary')).get(
      '/api/v1/cases?overdue=true&limit=200',
    );
    expect(overdue.statusCode, overdue.body).toBe(200);
    expect(overdue.json().items.map((c: { id: string }) => c.id)).toContain(id);
    expect(overdue.json().items.every((c: { overdue: boolean }) => c.overdue)).toBe(true);
  });

  it("lists the cards of the caller's scope only: 翰林社区's secretary sees none of 家和社区's", async () => {
    const hanlinCase = await reportAt('2026-11-30T02:00:00Z');
    clock.set('2026-11-30T02:00:00Z');
    const resident = await sessionAs(t.app, residentId);
    const body = multipart([
      { name: 'categoryCode', value: '0201' },
      { name: 'description', value: '家和社区楼道小广告' },
      { name: 'address', value: '金山镇家和社区2栋' },
    ]);
    const jiahe = await resident.post('/api/v1/cases', body.payload, body.headers);
    expect(jiahe.statusCode, jiahe.body).toBe(201);
    const admin = await loginAs(t.app, 'admin');
    for (const id of [hanlinCase, jiahe.json().id]) {
      expect((await admin.post(`/api/v1/cases/${id}/register`, {})).statusCode).toBe(200);
      expect((await admin.post(`/api/v1/cases/${id}/dispatch`, {})).statusCode).toBe(200);
    }
    await sweepAt('2026-12-01T09:00:00Z');
    const names = async (c: Client) =>
      ((await c.get('/api/v1/cases/sla-cards')).json().items as { unit: { name: string } }[]).map(
        (i) => i.unit.name,
      );
    clock.set('2026-12-01T09:00:00Z');
    expect(await names(await loginAs(t.app, 'admin'))).toEqual(
      expect.arrayContaining(['翰林社区城管中队', '家和社区城管中队']),
    );
    const hanlin = await names(await loginAs(t.app, 'hanlin-secretary'));
    expect(hanlin).toContain('翰林社区城管中队');
    expect(hanlin).not.toContain('家和社区城管中队');
    expect(hanlin).not.toContain('家和社区');
    const jiaheNames = await names(await loginAs(t.app, 'jiahe-worker'));
    expect(jiaheNames).toContain('家和社区城管中队');
    expect(jiaheNames).not.toContain('翰林社区城管中队');
  });
});

describe('the SLA job on the job runner', () => {
  it('runs once per minute slot on the runner, as the servers run it', async () => {
    // Wednesday 2 December 10:00 Beijing: 立案 due at 12:00.
    const id = await reportAt('2026-12-02T02:00:00Z');
    clock.set('2026-12-02T04:00:30Z');
    const sweeps = async () => (await t.app.jobs.runDue()).filter((r) => r.name === 'cases.slaSweep');
    expect(await sweeps()).toMatchObject([{ state: 'done' }]);
    expect(await cardsOf(id)).toEqual(['yellow']);
    // The same minute again: its slot has run.
    clock.set('2026-12-02T04:00:59Z');
    expect(await sweeps()).toEqual([]);
    clock.set('2026-12-02T04:01:00Z');
    expect(await sweeps()).toMatchObject([{ state: 'done' }]);
  });
});
