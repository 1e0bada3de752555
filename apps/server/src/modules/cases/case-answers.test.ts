import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp, type Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { ANSWER_CACHE_TTL_MS } from '../../core/answer-cache';
import { FakeClock } from '../../core/clock';
import { sessionAs } from '../identity/fixtures';
import { accountByPhone } from '../service-guide/applications-fixtures';
import { POSTERS, reportCase, stepCase } from './fixtures';
import { cases } from './schema';
import { runSlaSweep } from './sla';

/**
 * GET /cases/:id keeps its answer per session for two seconds (core/answer-cache.ts, decision 19).
 * These tests pin down when a kept answer may be sent and when it must not: a change written
 * straight into the database stands for another server process on the same PostgreSQL.
 */

let t: TestApp;
// Friday 2026-11-27 10:00 Beijing: a working morning, so 立案 is due the same day.
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-case-answers-'));
let resident: Client;
let secretary: Client;
let residentId: string;

beforeAll(async () => {
  t = await buildTestApp({ dataDir }, { clock });
  resident = await residentLogin(t, '13800000001');
  residentId = (await accountByPhone(t.database.db, '13800000001')).id;
  secretary = await loginAs(t.app, 'hanlin-secretary');
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

const read = async (c: Client, id: string) => {
  const res = await c.get(`/api/v1/cases/${id}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

/** A change the way another process would make it: straight into the database. */
const describeDirectly = (id: string, description: string) =>
  t.database.db.update(cases).set({ description }).where(eq(cases.id, id));

/** Real time moves on by `ms` for everything that asks performance.now(). */
function realTimePasses(ms: number) {
  const real = performance.now.bind(performance);
  vi.spyOn(performance, 'now').mockImplementation(() => real() + ms);
}

describe('a case answer kept for its session', () => {
  it('is sent again to the same session until the TTL has passed in real time', async () => {
    const id = await reportCase(resident, POSTERS);
    const first = await read(secretary, id);
    await describeDirectly(id, '另一进程改了描述');
    // Within the TTL: the kept answer, byte for byte.
    expect(await read(secretary, id)).toEqual(first);
    realTimePasses(ANSWER_CACHE_TTL_MS + 1);
    expect((await read(secretary, id)).description).toBe('另一进程改了描述');
  });

  it('is never sent to another session, not even of the same account', async () => {
    const id = await reportCase(resident, POSTERS);
    // Signed in first: signing in is a write, which would drop every kept answer.
    const again = await loginAs(t.app, 'hanlin-secretary');
    await read(secretary, id);
    await describeDirectly(id, '第二个会话读到的新描述');
    expect((await read(again, id)).description).toBe('第二个会话读到的新描述');
    // The first session still holds its own (a write through the API would have dropped it).
    expect((await read(secretary, id)).description).toBe(POSTERS.description);
  });

  it('is built for its reader: the reporter and staff keep different answers of one case', async () => {
    const id = await reportCase(resident, POSTERS);
    const staffView = await read(secretary, id);
    const reporterView = await read(resident, id);
    expect(staffView.relation).toBe('staff');
    expect(reporterView.relation).toBe('reporter');
    // Read again from the cache: each still gets its own.
    expect((await read(secretary, id)).relation).toBe('staff');
    expect((await read(resident, id)).relation).toBe('reporter');
    expect(staffView.abilities).not.toEqual(reporterView.abilities);
  });

  it('is dropped for every session by a write through the API, at once', async () => {
    const id = await reportCase(resident, POSTERS);
    expect((await read(resident, id)).status).toBe('reported');
    expect((await read(secretary, id)).status).toBe('reported');
    await stepCase(secretary, id, 'register');
    expect((await read(secretary, id)).status).toBe('registered');
    expect((await read(resident, id)).status).toBe('registered');
  });

  it('is dropped by any write request, even one that failed, and by none of the reads', async () => {
    const id = await reportCase(resident, POSTERS);
    await read(secretary, id);
    await describeDirectly(id, '读不会丢掉缓存');
    await secretary.get('/api/v1/cases?limit=5');
    await resident.get(`/api/v1/cases/${id}`);
    expect((await read(secretary, id)).description).toBe(POSTERS.description);
    // A step refused (the secretary is not the handler: 403) is still a write request.
    const refused = await secretary.post(`/api/v1/cases/${id}/accept`, {});
    expect(refused.statusCode).toBe(403);
    expect((await read(secretary, id)).description).toBe('读不会丢掉缓存');
  });

  it('is not sent once the session has signed out: the permission check runs first', async () => {
    const id = await reportCase(resident, POSTERS);
    const leaving = await loginAs(t.app, 'hanlin-secretary');
    await read(leaving, id);
    const cookie = [...leaving.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    expect((await leaving.post('/api/v1/auth/logout')).statusCode).toBe(204);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/cases/${id}`, headers: { cookie } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  // The app clock moves by hours below, past the sessions' idle limit: each test signs in afresh.
  it('counts the app clock moving on as time passing (overdue turns when it should)', async () => {
    clock.set('2026-11-27T02:00:00Z');
    const id = await reportCase(await sessionAs(t.app, residentId), POSTERS);
    // Friday 10:00 + 2 working hours: 立案 is due at 12:00 Beijing (04:00Z).
    clock.set('2026-11-27T03:59:59Z');
    const staff = await loginAs(t.app, 'hanlin-secretary');
    expect((await read(staff, id)).overdue).toBe(false);
    clock.advance(ANSWER_CACHE_TTL_MS + 1);
    expect((await read(staff, id)).overdue).toBe(true);
  });

  it('is dropped by the SLA job once it has written its card', async () => {
    clock.set('2026-11-27T02:00:00Z');
    const id = await reportCase(await sessionAs(t.app, residentId), POSTERS);
    clock.set('2026-11-27T04:05:00Z');
    const staff = await loginAs(t.app, 'hanlin-secretary');
    const steps = async () => (await read(staff, id)).history.map((h: { step: string }) => h.step);
    expect(await steps()).not.toContain('sla_yellow');
    // No request in between and the clock stands still: only the job's own bump can show it.
    await runSlaSweep({ db: t.database.db, clock });
    expect(await steps()).toContain('sla_yellow');
  });
});
