import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ApplicationCounts, ApplicationPage, ApplicationStats } from '@linli/contracts';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { unitByName } from '../identity/fixtures';
import { bringRequired, JPEG, material, multipart, PNG } from './applications-fixtures';

/**
 * 办件统计, queue counts and the .xlsx export. Five applications are made through the public API
 * on a fake clock across three months, two communities and two items:
 *
 * | #  | submitted      | community | item | path                                         | visits | rating |
 * | A1 | 2026-09-10     | 家和      | 低保 | 补正 → accept → forward → 民政局 done +3 d → … | 1      | 5      |
 * | A2 | 2026-10-12     | 家和      | 低保 | accept → forward → 民政局 done +1 d → …        | 2      | 3      |
 * | A3 | 2026-10-20     | 家和      | direct | accept → service room done +2 d            | 0      | —      |
 * | A4 | 2026-11-03     | 翰林      | 低保 | submitted                                    | 0      | —      |
 * | A5 | 2026-11-05     | 家和      | 低保 | withdrawn                                    | 0      | —      |
 */

const DAY = 86_400_000;
const clock = new FakeClock(new Date('2026-09-10T02:00:00Z'));
let t: TestApp;
let resident: Client;
let worker: Client;
let hanlin: Client;
let minzheng: Client;
let admin: Client;
let jiahe: string;
let hanlinId: string;
let dibao: { id: string; name: string };
let direct: { id: string; name: string };
const ids: Record<string, string> = {};
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-stats-'));

async function submit(fields: Record<string, string>) {
  const body = multipart([
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
    ...material('身份证', 'id.jpg', JPEG, 'image/jpeg'),
    ...material('户口簿', 'hukou.png', PNG),
    ...(await bringRequired(t.database.db, fields.itemId!)),
  ]);
  const res = await resident.post('/api/v1/applications', body.payload, body.headers);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id as string;
}

async function step(c: Client, id: string, name: string, body: unknown = {}) {
  const res = await c.post(`/api/v1/applications/${id}/${name}`, body);
  expect(res.statusCode, `${name}: ${res.body}`).toBe(200);
  return res.json();
}

async function visit(id: string) {
  const res = await worker.post(`/api/v1/applications/${id}/visits`, {});
  expect(res.statusCode, res.body).toBe(201);
}

beforeAll(async () => {
  t = await buildTestApp(
    { dataDir, sessionIdleMinutes: 60 * 24 * 365, sessionAbsoluteHours: 24 * 365 },
    { clock },
  );
  resident = await residentLogin(t, '13800000001');
  worker = await loginAs(t.app, 'jiahe-worker');
  hanlin = await loginAs(t.app, 'hanlin-secretary');
  minzheng = await loginAs(t.app, 'minzheng-staff');
  admin = await loginAs(t.app, 'admin');
  jiahe = (await unitByName(t.database.db, '家和社区')).id;
  hanlinId = (await unitByName(t.database.db, '翰林社区')).id;
  const found = (
    await (await new Client(t.app).get(`/api/v1/service-items?q=${encodeURIComponent('低保')}`)).json()
  ).items as { id: string; name: string; department: string }[];
  dibao = found.find((i) => i.name === '最低生活保障' && i.department === '罗江区民政局')!;
  direct = (await (await new Client(t.app).get('/api/v1/service-items?mode=direct&limit=1')).json()).items[0];

  // A1: September, 补正 first, done 3 days after acceptance, one visit, rated 5.
  ids.a1 = await submit({ itemId: dibao.id, orgUnitId: jiahe });
  await step(worker, ids.a1, 'request-more', { missingMaterials: ['低收入证明'] });
  const more = multipart(material('低收入证明', 'income.png', PNG));
  const added = await resident.post(
    `/api/v1/applications/${ids.a1}/add-materials`,
    more.payload,
    more.headers,
  );
  expect(added.statusCode, added.body).toBe(200);
  await step(worker, ids.a1, 'pre-review');
  await step(worker, ids.a1, 'accept');
  await visit(ids.a1);
  await step(worker, ids.a1, 'forward');
  clock.advance(3 * DAY);
  await step(minzheng, ids.a1, 'complete');
  await step(worker, ids.a1, 'result-ready', { delivery: 'pick_up' });
  await step(worker, ids.a1, 'finish');
  await step(resident, ids.a1, 'rate', { rating: 5, comment: '很满意' });

  // A2: October, done 1 day after acceptance, two visits (the pledge broken), rated 3.
  clock.set('2026-10-12T03:00:00Z');
  ids.a2 = await submit({ itemId: dibao.id, orgUnitId: jiahe });
  await step(worker, ids.a2, 'pre-review');
  await step(worker, ids.a2, 'accept');
  await visit(ids.a2);
  await visit(ids.a2);
  await step(worker, ids.a2, 'forward');
  clock.advance(DAY);
  await step(minzheng, ids.a2, 'complete');
  await step(worker, ids.a2, 'result-ready', { delivery: 'post' });
  await step(worker, ids.a2, 'finish');
  await step(resident, ids.a2, 'rate', { rating: 3 });

  // A3: October, a direct item done in the service room 2 days after acceptance.
  clock.set('2026-10-20T01:00:00Z');
  ids.a3 = await submit({ itemId: direct.id, orgUnitId: jiahe, appointmentAt: '2026-10-21T01:30:00.000Z' });
  await step(worker, ids.a3, 'pre-review');
  await step(worker, ids.a3, 'accept');
  clock.advance(2 * DAY);
  await step(worker, ids.a3, 'complete');

  // A4: November, 翰林社区, left submitted. A5: November, 家和社区, withdrawn.
  clock.set('2026-11-03T02:00:00Z');
  ids.a4 = await submit({ itemId: dibao.id, orgUnitId: hanlinId });
  clock.set('2026-11-05T02:00:00Z');
  ids.a5 = await submit({ itemId: dibao.id, orgUnitId: jiahe });
  await step(resident, ids.a5, 'withdraw');
  clock.set('2026-11-27T02:00:00Z');
});

afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const stats = async (c: Client, q = '') => {
  const res = await c.get(`/api/v1/applications/stats${q}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as ApplicationStats;
};
const count = (s: { byStatus: { status: string; count: number }[] }, status: string) =>
  s.byStatus.find((r) => r.status === status)?.count;

describe('GET /applications/stats', () => {
  it('computes the numbers of a community worker over 家和社区 only', async () => {
    const s = await stats(worker);
    expect(s.total).toBe(4);
    expect(s.byCommunity).toEqual([{ orgUnitId: jiahe, name: '家和社区', count: 4 }]);
    expect(s.byItem).toEqual([
      { itemId: dibao.id, name: '最低生活保障', count: 3 },
      { itemId: direct.id, name: direct.name, count: 1 },
    ]);
    expect(s.byMonth).toEqual([
      { month: '2026-09', count: 1 },
      { month: '2026-10', count: 2 },
      { month: '2026-11', count: 1 },
    ]);
    expect(count(s, 'rated')).toBe(2);
    expect(count(s, 'done')).toBe(1);
    expect(count(s, 'withdrawn')).toBe(1);
    expect(count(s, 'submitted')).toBe(0);
    // (3 + 1 + 2) / 3 calendar days.
    expect(s.handling).toEqual({ basis: 'calendar_days', count: 3, averageDays: 2 });
    // A1 (1 visit), A2 (2), A3 (0) counted; A5 withdrawn is not.
    expect(s.oneTrip).toEqual({ counted: 3, oneTrip: 2, multipleTrips: 1, rate: 0.6667 });
    expect(s.satisfaction).toEqual({
      count: 2,
      average: 4,
      distribution: [
        { rating: 1, count: 0 },
        { rating: 2, count: 0 },
        { rating: 3, count: 1 },
        { rating: 4, count: 0 },
        { rating: 5, count: 1 },
      ],
    });
  });

  it('shows department staff only what was forwarded to their department', async () => {
    const s = await stats(minzheng);
    expect(s.total).toBe(2);
    expect(s.byItem).toEqual([{ itemId: dibao.id, name: '最低生活保障', count: 2 }]);
    expect(s.handling.averageDays).toBe(2); // (3 + 1) / 2
    expect(s.satisfaction.average).toBe(4);
    const h = await stats(hanlin);
    expect(h.total).toBe(1);
    expect(h.byCommunity).toEqual([{ orgUnitId: hanlinId, name: '翰林社区', count: 1 }]);
    expect(h.handling).toEqual({ basis: 'calendar_days', count: 0, averageDays: null });
    expect(h.satisfaction.average).toBeNull();
  });

  it('shows the district administrator everything, by community and filtered by month', async () => {
    const s = await stats(admin);
    expect(s.total).toBe(5);
    expect(s.byCommunity.map((c) => [c.name, c.count])).toEqual([
      ['家和社区', 4],
      ['翰林社区', 1],
    ]);
    const oct = await stats(admin, '?from=2026-10&to=2026-10');
    expect(oct.total).toBe(2);
    expect(oct.byMonth).toEqual([{ month: '2026-10', count: 2 }]);
    expect(oct.handling.averageDays).toBe(1.5);
    const one = await stats(admin, `?top=1&orgUnitId=${hanlinId}`);
    expect(one.total).toBe(1);
    expect(one.byItem).toHaveLength(1);
  });

  it('answers problems for bad filters, 401 and 403', async () => {
    let res = await admin.get('/api/v1/applications/stats?from=2026-11&to=2026-09');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'validation', errors: [{ field: 'querystring/to' }] });
    res = await admin.get('/api/v1/applications/stats?from=2026-13');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation');
    expect((await new Client(t.app).get('/api/v1/applications/stats')).statusCode).toBe(401);
    expect((await resident.get('/api/v1/applications/stats')).statusCode).toBe(403);
  });
});

describe('GET /applications/counts and the new list filters', () => {
  it('counts the queues of the scope and honours the filters', async () => {
    const res = await worker.get('/api/v1/applications/counts');
    expect(res.statusCode, res.body).toBe(200);
    const c = res.json() as ApplicationCounts;
    expect(c.total).toBe(4);
    expect(c.overdue).toBe(0);
    expect(count(c, 'rated')).toBe(2);
    const trips = (await (
      await worker.get('/api/v1/applications/counts?multipleTrips=true')
    ).json()) as ApplicationCounts;
    expect(trips.total).toBe(1);
    const forwarded = (await (await minzheng.get('/api/v1/applications/counts')).json()) as ApplicationCounts;
    expect(forwarded.total).toBe(2);
  });

  it('filters the list by item, submission days and broken pledge', async () => {
    const list = async (q: string) => {
      const res = await worker.get(`/api/v1/applications${q}`);
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as ApplicationPage).items.map((a) => a.id);
    };
    expect(await list(`?itemId=${direct.id}`)).toEqual([ids.a3]);
    expect((await list('?from=2026-10-01&to=2026-10-31')).sort()).toEqual([ids.a2, ids.a3].sort());
    // A day is a day in Beijing: A3 was submitted at 09:00 on 10-20.
    expect(await list('?from=2026-10-20&to=2026-10-20')).toEqual([ids.a3]);
    expect(await list('?multipleTrips=true')).toEqual([ids.a2]);
    expect(await list(`?orgUnitId=${hanlinId}`)).toEqual([]);
    const bad = await worker.get('/api/v1/applications?from=2026-02-31');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring/from');
    const reversed = await worker.get('/api/v1/applications?from=2026-10-02&to=2026-10-01');
    expect(reversed.statusCode).toBe(400);
  });
});

describe('GET /applications/export', () => {
  async function sheetOf(c: Client, q = '') {
    const res = await c.get(`/api/v1/applications/export${q}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toContain('.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const rows: string[][] = [];
    ws.eachRow((row) => {
      rows.push(
        (row.values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v))),
      );
    });
    return { header: rows[0]!, body: rows.slice(1), res };
  }

  it('exports the scope with readable columns, names masked', async () => {
    const { header, body, res } = await sheetOf(worker);
    expect(header.slice(0, 8)).toEqual([
      '办件编号',
      '事项',
      '事项编码',
      '社区',
      '承办部门',
      '办理方式',
      '状态',
      '申请人',
    ]);
    expect(res.headers['x-export-truncated']).toBe('false');
    expect(body.map((r) => r[0]).sort()).toEqual([ids.a1, ids.a2, ids.a3, ids.a5].sort());
    const a2 = body.find((r) => r[0] === ids.a2)!;
    const col = (name: string) => header.indexOf(name);
    expect(a2[col('事项')]).toBe('最低生活保障');
    expect(a2[col('社区')]).toBe('家和社区');
    expect(a2[col('承办部门')]).toBe('罗江区民政局');
    expect(a2[col('办理方式')]).toBe('代办');
    expect(a2[col('状态')]).toBe('已评价');
    expect(a2[col('到场次数')]).toBe('2');
    expect(a2[col('多次跑动')]).toBe('是');
    expect(a2[col('评价星级')]).toBe('3');
    expect(a2[col('提交时间')]).toBe('2026-10-12 11:00');
    expect(a2[col('申请人')]).toContain('*');
  });

  it('applies the filters and the department scope', async () => {
    expect((await sheetOf(worker, '?status=withdrawn')).body.map((r) => r[0])).toEqual([ids.a5]);
    expect((await sheetOf(minzheng)).body.map((r) => r[0]).sort()).toEqual([ids.a1, ids.a2].sort());
    expect((await sheetOf(hanlin)).body.map((r) => r[0])).toEqual([ids.a4]);
    expect((await worker.get('/api/v1/applications/export?from=2026-02-30')).statusCode).toBe(400);
    expect((await resident.get('/api/v1/applications/export')).statusCode).toBe(403);
  });
});

describe('overdue', () => {
  it('puts an application past its deadline first, counts it and exports it as overdue', async () => {
    clock.set('2026-11-27T02:00:00Z');
    const id = await submit({ itemId: dibao.id, orgUnitId: jiahe });
    await step(worker, id, 'pre-review');
    const accepted = await step(worker, id, 'accept');
    expect(accepted.overdue).toBe(false);
    // Past the promised working days.
    clock.set(new Date(new Date(accepted.dueAt).getTime() + 60_000));
    const page = (await (await worker.get('/api/v1/applications')).json()) as ApplicationPage;
    expect(page.items[0]).toMatchObject({ id, overdue: true });
    expect(page.items.slice(1).every((a) => !a.overdue)).toBe(true);
    const counts = (await (await worker.get('/api/v1/applications/counts')).json()) as ApplicationCounts;
    expect(counts.overdue).toBe(1);
    const only = (await (await worker.get('/api/v1/applications?overdue=true')).json()) as ApplicationPage;
    expect(only.items.map((a) => a.id)).toEqual([id]);
    const res = await worker.get('/api/v1/applications/export?overdue=true');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const header = (wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1);
    const row = (wb.worksheets[0]!.getRow(2).values as unknown[]).slice(1);
    expect(row[0]).toBe(id);
    expect(row[header.indexOf('是否超期')]).toBe('是');
    expect(wb.worksheets[0]!.rowCount).toBe(2);
  });
});
