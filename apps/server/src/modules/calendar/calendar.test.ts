import type { CalendarDay, CalendarYear } from '@linli/contracts';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, buildTestApp, loginAs, type TestApp } from '../../../test/harness';
import { auditLog } from '../../core/schema';
import { listDistricts } from '../identity/lookups';
import { seedCalendar } from './seed';
import { loadCalendar } from './service';

let t: TestApp;
let admin: Client;
let districtId: string;
beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAs(t.app, 'admin');
  const [district] = await listDistricts(t.database.db);
  districtId = district!.districtId;
});
afterAll(() => t.close());

const put = (c: Client, date: string, payload: unknown) =>
  c.request({ method: 'PUT', url: `/api/v1/calendar/days/${date}`, payload });
const year = async (c: Client, y: number) => {
  const res = await c.get(`/api/v1/calendar?year=${y}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as CalendarYear;
};

describe('GET /calendar', () => {
  it('shows anyone a year of holidays and make-up working days, seeded from the State Council notice', async () => {
    const body = await year(new Client(t.app), 2026);
    expect(body.year).toBe(2026);
    expect(body.days).toHaveLength(33 + 6);
    expect(body.days.find((d) => d.date === '2026-02-14')).toEqual({
      date: '2026-02-14',
      kind: 'workday',
      name: '春节',
      provisional: false,
    });
    expect(body.days.find((d) => d.date === '2026-10-01')).toMatchObject({ kind: 'holiday', name: '国庆节' });
    expect(body.days.map((d) => d.date)).toEqual([...body.days.map((d) => d.date)].sort());
  });

  it('marks every 2027 day provisional', async () => {
    const body = await year(new Client(t.app), 2027);
    expect(body.days.length).toBeGreaterThan(20);
    expect(body.days.every((d) => d.provisional)).toBe(true);
  });

  it('answers 400 naming the field for a bad year', async () => {
    const res = await new Client(t.app).get('/api/v1/calendar?year=abc');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('querystring/year');
  });

  it('seeds once: a second run inserts nothing', async () => {
    expect(await seedCalendar(t.database.db)).toBe(0);
  });
});

describe('PUT and DELETE /calendar/days/:date', () => {
  it('refuses an anonymous caller with 401', async () => {
    const anon = new Client(t.app);
    expect((await put(anon, '2026-03-03', { kind: 'holiday', name: '测试' })).statusCode).toBe(401);
    expect((await anon.delete('/api/v1/calendar/days/2026-02-14')).statusCode).toBe(401);
  });

  it('refuses a community worker with 403', async () => {
    const worker = await loginAs(t.app, 'jiahe-worker');
    const res = await put(worker, '2026-03-03', { kind: 'holiday', name: '测试' });
    expect(res.statusCode).toBe(403);
    expect((await worker.delete('/api/v1/calendar/days/2026-02-14')).statusCode).toBe(403);
  });

  it.each(['2026-02-30', '2026-3-3', 'tomorrow', '1999-12-31'])(
    'answers 400 naming params/date for %s',
    async (date) => {
      const res = await put(admin, date, { kind: 'holiday', name: '测试' });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('params/date');
      const del = await admin.delete(`/api/v1/calendar/days/${date}`);
      expect(del.statusCode).toBe(400);
      expect(del.json().errors.map((e: { field: string }) => e.field)).toContain('params/date');
    },
  );

  it('answers 400 naming each bad body field', async () => {
    const res = await put(admin, '2026-03-03', { kind: 'day-off', name: '' });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toContain('body/kind');
    expect(fields).toContain('body/name');
    const blank = await put(admin, '2026-03-03', { kind: 'holiday', name: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(blank.json().errors[0].field).toBe('body/name');
  });

  it('lets the district admin add a day off, audited, and the cached calendar follows at once', async () => {
    const before = await loadCalendar(t.database.db, districtId);
    expect(before.isWorkingDay('2026-03-03')).toBe(true);

    const res = await put(admin, '2026-03-03', { kind: 'holiday', name: ' 区庆 ' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json() as CalendarDay).toEqual({
      date: '2026-03-03',
      kind: 'holiday',
      name: '区庆',
      provisional: false,
    });

    const after = await loadCalendar(t.database.db, districtId);
    expect(after.isWorkingDay('2026-03-03')).toBe(false);
    expect((await year(admin, 2026)).days.find((d) => d.date === '2026-03-03')?.name).toBe('区庆');

    const audits = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'calendar.day.set'), eq(auditLog.entityId, '2026-03-03')));
    expect(audits).toHaveLength(1);
    expect(audits[0]!.changes.kind).toEqual({ before: null, after: 'holiday' });
    expect(audits[0]!.orgUnitId).toBe(districtId);

    const del = await admin.delete('/api/v1/calendar/days/2026-03-03');
    expect(del.statusCode, del.body).toBe(204);
    expect((await loadCalendar(t.database.db, districtId)).isWorkingDay('2026-03-03')).toBe(true);
    const deletes = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'calendar.day.delete'), eq(auditLog.entityId, '2026-03-03')));
    expect(deletes).toHaveLength(1);
  });

  it('confirms a provisional 2027 day by setting it again', async () => {
    const res = await put(admin, '2027-10-01', { kind: 'holiday', name: '国庆节' });
    expect(res.statusCode).toBe(200);
    expect(res.json().provisional).toBe(false);
    expect((await year(admin, 2027)).days.find((d) => d.date === '2027-10-01')?.provisional).toBe(false);
  });

  it('turns a make-up Sunday back into a day off, and deadlines move with it', async () => {
    const friday = new Date('2026-09-18T02:00:00Z');
    expect((await loadCalendar(t.database.db, districtId)).addWorkingDays(friday, 1).toISOString()).toBe(
      '2026-09-20T09:30:00.000Z',
    );
    expect((await admin.delete('/api/v1/calendar/days/2026-09-20')).statusCode).toBe(204);
    expect((await loadCalendar(t.database.db, districtId)).addWorkingDays(friday, 1).toISOString()).toBe(
      '2026-09-21T09:30:00.000Z',
    );
    // The year still has rows, so a restart does not bring the deleted day back.
    expect(await seedCalendar(t.database.db)).toBe(0);
  });

  it('answers 404 when deleting a day that has no entry', async () => {
    const res = await admin.delete('/api/v1/calendar/days/2026-03-04');
    expect(res.statusCode).toBe(404);
  });
});
