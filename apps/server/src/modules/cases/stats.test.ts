import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CaseStats } from '@linli/contracts';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { HANLIN, handleCase as handle, POSTERS, reportCase as report, stepCase as step } from './fixtures';

/**
 * 城社共治统计 and the .xlsx export. Cases are made through the API on a fake clock (Beijing times;
 * 2026-11-23 is a Monday, working hours 09:00–12:00 and 14:00–17:30):
 *
 * | #  | reported          | where | category | by       | path                                                      |
 * | C1 | Mon 23 09:00      | 翰林  | 0201     | resident | register 10:00, dispatch, accept 10:30, start, handle 11:00, verify 11:30, rated 满意 |
 * | C2 | Mon 23 09:00      | 翰林  | 0201     | resident | SLA sweep 14:30 (register was due 11:00: yellow), register 14:30, … handle 15:00, verify 15:00, rated 基本满意 |
 * | C3 | Mon 23 15:00      | 翰林  | 0501     | squad1 (patrol) | reported                                            |
 * | C4 | Mon 30 09:00      | 翰林  | 0201     | resident | reported (week 49)                                        |
 * | C5 | Mon 30 09:00      | 家和  | 0501     | resident (address) | reported                                        |
 *
 * Report → 结案: C1 2.5 working hours, C2 09:00 → 15:00 = 3 + 1 = 4; average 3.25.
 * Steps that left a waiting state: 5 each for C1 and C2; C2's 立案 was late: 9 of 10 on time.
 */

const clock = new FakeClock(new Date('2026-11-23T01:00:00Z'));
const at = (day: string, time: string) => clock.set(new Date(`${day}T${time}:00+08:00`));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-case-stats-'));
let t: TestApp;
let resident: Client;
let secretary: Client;
let squad1: Client;
let squad2: Client;
let jiaheWorker: Client;
let admin: Client;
const ids = {} as Record<'c1' | 'c2' | 'c3' | 'c4' | 'c5', string>;

const posters = POSTERS;

async function stats(c: Client, query = ''): Promise<CaseStats> {
  const res = await c.get(`/api/v1/cases/stats${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as CaseStats;
}

beforeAll(async () => {
  t = await buildTestApp(
    { dataDir, sessionIdleMinutes: 60 * 24 * 365, sessionAbsoluteHours: 24 * 365 },
    { clock },
  );
  resident = await residentLogin(t, '13800000001');
  secretary = await loginAs(t.app, 'hanlin-secretary');
  squad1 = await loginAs(t.app, 'hanlin-squad1');
  squad2 = await loginAs(t.app, 'hanlin-squad2');
  jiaheWorker = await loginAs(t.app, 'jiahe-worker');
  admin = await loginAs(t.app, 'admin');

  const d = '2026-11-23';
  at(d, '09:00');
  ids.c1 = await report(resident, posters);
  ids.c2 = await report(resident, posters);
  at(d, '10:00');
  await step(secretary, ids.c1, 'register');
  await step(secretary, ids.c1, 'dispatch');
  at(d, '10:30');
  await step(squad1, ids.c1, 'accept');
  await step(squad1, ids.c1, 'start');
  at(d, '11:00');
  await handle(squad1, ids.c1);
  at(d, '11:30');
  await step(squad2, ids.c1, 'verify-pass');
  await step(resident, ids.c1, 'rate', { rating: 'satisfied' });

  at(d, '14:30');
  const sweep = await admin.post('/api/v1/cases/sla-sweep', {});
  expect(sweep.statusCode, sweep.body).toBe(200);
  expect(sweep.json().yellow).toBeGreaterThanOrEqual(1);
  await step(secretary, ids.c2, 'register');
  await step(secretary, ids.c2, 'dispatch');
  await step(squad1, ids.c2, 'accept');
  await step(squad1, ids.c2, 'start');
  at(d, '15:00');
  await handle(squad1, ids.c2);
  await step(squad2, ids.c2, 'verify-pass');
  await step(resident, ids.c2, 'rate', { rating: 'basically_satisfied' });
  ids.c3 = await report(squad1, { ...posters, categoryCode: '0501', description: '巡查发现占道经营' });

  at('2026-11-30', '09:00');
  ids.c4 = await report(resident, posters);
  ids.c5 = await report(resident, {
    categoryCode: '0501',
    description: '小区门口有流动摊贩占道',
    address: '金山镇家和社区东门',
  });
});

afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /cases/stats', () => {
  it('counts the secretary’s community by category, community, ISO week and status', async () => {
    const s = await stats(secretary);
    expect(s.total).toBe(4);
    expect(s.byCategory).toEqual([
      { code: '0201', name: '非法小广告', count: 3 },
      { code: '0501', name: '无照经营游商', count: 1 },
    ]);
    expect(s.byCommunity).toEqual([{ orgUnitId: expect.any(String), name: '翰林社区', count: 4 }]);
    expect(s.byWeek).toEqual([
      { week: '2026-W48', count: 3 },
      { week: '2026-W49', count: 1 },
    ]);
    expect(s.byStatus.find((r) => r.status === 'rated')?.count).toBe(2);
    expect(s.byStatus.find((r) => r.status === 'reported')?.count).toBe(2);
  });

  it('gives the on-time rate of finished steps: the late 立案 of C2 is the one miss', async () => {
    const s = await stats(secretary);
    expect(s.onTime.finished).toBe(10);
    expect(s.onTime.onTime).toBe(9);
    expect(s.onTime.rate).toBe(0.9);
    expect(s.onTime.byStep.find((r) => r.step === 'register')).toEqual({
      step: 'register',
      finished: 2,
      onTime: 1,
    });
    expect(s.onTime.byStep.map((r) => r.step).sort()).toEqual(
      ['accept', 'dispatch', 'handle', 'register', 'verify_pass'].sort(),
    );
  });

  it('averages report → 结案 in working hours (the lunch break does not count)', async () => {
    const s = await stats(secretary);
    expect(s.handling).toEqual({ basis: 'working_hours', count: 2, averageHours: 3.25 });
  });

  it('shows the satisfaction distribution and the satisfied rate', async () => {
    const s = await stats(secretary);
    expect(s.satisfaction.count).toBe(2);
    expect(s.satisfaction.distribution).toEqual([
      { rating: 'satisfied', count: 1 },
      { rating: 'basically_satisfied', count: 1 },
      { rating: 'unsatisfied', count: 0 },
    ]);
    expect(s.satisfaction.satisfiedRate).toBe(1);
  });

  it('finds the repeat hotspot: three 小广告 in one ~100 m cell within 30 days', async () => {
    const s = await stats(secretary);
    expect(s.hotspots).toHaveLength(1);
    const h = s.hotspots[0]!;
    expect(h).toMatchObject({
      categoryCode: '0201',
      categoryName: '非法小广告',
      count: 3,
      community: '翰林社区',
    });
    expect(Math.abs(h.lat - HANLIN.lat)).toBeLessThan(0.001);
    expect(Math.abs(h.lng - HANLIN.lng)).toBeLessThan(0.001);
    // 40 days on, the three are older than the window.
    const later = new Date('2027-01-09T01:00:00Z');
    const keep = clock.now();
    clock.set(later);
    try {
      expect((await stats(secretary)).hotspots).toEqual([]);
    } finally {
      clock.set(keep);
    }
  });

  it('traces complaints (not patrol finds) per community and week', async () => {
    const s = await stats(secretary);
    expect(s.complaintTrend).toEqual([
      { orgUnitId: expect.any(String), name: '翰林社区', week: '2026-W48', count: 2 },
      { orgUnitId: expect.any(String), name: '翰林社区', week: '2026-W49', count: 1 },
    ]);
  });

  it('keeps to the caller’s scope: 家和 sees its one case, the district admin all five', async () => {
    const jiahe = await stats(jiaheWorker);
    expect(jiahe.total).toBe(1);
    expect(jiahe.byCommunity.map((r) => r.name)).toEqual(['家和社区']);
    expect(jiahe.onTime.finished).toBe(0);
    expect(jiahe.handling.averageHours).toBeNull();
    const all = await stats(admin);
    expect(all.total).toBe(5);
    expect(all.byCommunity.map((r) => [r.name, r.count])).toEqual([
      ['翰林社区', 4],
      ['家和社区', 1],
    ]);
    expect(all.complaintTrend.reduce((n, r) => n + r.count, 0)).toBe(4);
  });

  it('filters by report days and category prefix', async () => {
    const week48 = await stats(admin, '?from=2026-11-23&to=2026-11-29');
    expect(week48.total).toBe(3);
    expect(week48.byWeek).toEqual([{ week: '2026-W48', count: 3 }]);
    const posters05 = await stats(admin, '?categoryCode=05');
    expect(posters05.total).toBe(2);
    const bad = await admin.get('/api/v1/cases/stats?from=2026-12-01&to=2026-11-01');
    expect(bad.statusCode).toBe(400);
  });

  it('costs a fixed number of queries whatever the number of cases', async () => {
    const cost = async (c: Client, query: string) => {
      await stats(c, query); // the calendar cache warms up
      const before = t.database.queryCount();
      await stats(c, query);
      return t.database.queryCount() - before;
    };
    const one = await cost(admin, '?from=2026-11-30&to=2026-11-30&categoryCode=05');
    const all = await cost(admin, '');
    expect(all).toBe(one);
    expect(all).toBeLessThanOrEqual(14);
  });

  it('answers 401 to the anonymous and 403 to a resident', async () => {
    expect((await new Client(t.app).get('/api/v1/cases/stats')).statusCode).toBe(401);
    expect((await resident.get('/api/v1/cases/stats')).statusCode).toBe(403);
  });
});

async function sheetOf(c: Client, query = '') {
  const res = await c.get(`/api/v1/cases/export${query}`);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toContain('spreadsheetml');
  expect(res.headers['content-disposition']).toMatch(/attachment; filename="cases-\d{4}-\d{2}-\d{2}\.xlsx"/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const sheet = wb.worksheets[0]!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
  const rows: Record<string, unknown>[] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const values = (sheet.getRow(r).values as unknown[]).slice(1);
    if (values.length) rows.push(Object.fromEntries(header.map((h, i) => [h, values[i]])));
  }
  return rows;
}

describe('GET /cases/export', () => {
  it('streams the board as .xlsx in the caller’s scope, reporters masked', async () => {
    const rows = await sheetOf(secretary);
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => r['所在网格/社区']))).not.toContain('家和社区');
    const c1 = rows.find((r) => r.状态 === '已评价' && r.处置单位)!;
    expect(c1.类别).toBe('非法小广告');
    expect(c1.处置单位).toBe('中队：翰林社区城管中队');
    for (const r of rows.filter((x) => x.来源 === '居民上报')) {
      expect(String(r.上报人 ?? '')).toMatch(/\*|匿名/);
    }
    expect(rows.filter((r) => r.来源 === '巡查发现')).toHaveLength(1);
  });

  it('takes the list’s filters', async () => {
    const rated = await sheetOf(secretary, '?status=rated');
    expect(rated).toHaveLength(2);
    const jiahe = await sheetOf(jiaheWorker);
    expect(jiahe.map((r) => r.类别)).toEqual(['无照经营游商']);
  });

  it('answers 403 to a resident', async () => {
    expect((await resident.get('/api/v1/cases/export')).statusCode).toBe(403);
  });
});

describe('GET /cases/verification-queue', () => {
  it('lists handled cases for another squad member, not for the one who handled them', async () => {
    at('2026-11-30', '10:00');
    await step(secretary, ids.c4, 'register');
    await step(secretary, ids.c4, 'dispatch');
    await step(squad1, ids.c4, 'accept');
    await step(squad1, ids.c4, 'start');
    await handle(squad1, ids.c4);
    const own = await squad1.get('/api/v1/cases/verification-queue');
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json().items.map((c: { id: string }) => c.id)).not.toContain(ids.c4);
    const other = await squad2.get('/api/v1/cases/verification-queue');
    expect(other.json().items.map((c: { id: string }) => c.id)).toEqual([ids.c4]);
    expect((await resident.get('/api/v1/cases/verification-queue')).statusCode).toBe(403);
  });
});
