import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { DEMO_OPEN311_KEY } from '../open311/service';
import { handleCase as handle, HANLIN, POSTERS, reportCase, stepCase as step } from './fixtures';

const report = (c: Client, description: string) => reportCase(c, { ...POSTERS, description });

/**
 * Issue #5: "the dispatch board and every other list: at most 5 queries whatever the page size".
 * Every list the cases module (and its Open311 face) answers is asked twice through HTTP, with a
 * small and a large page, by a caller whose session is already resolved (sessions are cached, so
 * what is counted is the list's own work): each costs at most 5 statements.
 */

let t: TestApp;
let resident: Client;
let neighbour: Client;
let secretary: Client;
let squad1: Client;
let squad2: Client;
let admin: Client;
const clock = new FakeClock(new Date('2026-11-24T01:00:00Z'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-case-lists-'));
let patrolId = '';

beforeAll(async () => {
  t = await buildTestApp(
    { dataDir, sessionIdleMinutes: 60 * 24 * 365, sessionAbsoluteHours: 24 * 365 },
    { clock },
  );
  resident = await residentLogin(t, '13800000001');
  neighbour = await residentLogin(t, '13800000077');
  secretary = await loginAs(t.app, 'hanlin-secretary');
  squad1 = await loginAs(t.app, 'hanlin-squad1');
  squad2 = await loginAs(t.app, 'hanlin-squad2');
  admin = await loginAs(t.app, 'admin');
  // Eight reports: every list below has more rows than the small page holds.
  const ids: string[] = [];
  for (let i = 0; i < 8; i++) ids.push(await report(resident, `楼道小广告 ${i}`));
  for (const id of ids.slice(0, 6)) {
    await step(secretary, id, 'register');
    // "Me too" once it is on the board.
    await step(neighbour, id, 'follow');
    await step(secretary, id, 'dispatch');
    await step(squad1, id, 'accept');
    await step(squad1, id, 'start');
    await handle(squad1, id);
  }
  await step(squad2, ids[0]!, 'verify-pass');
  await step(squad2, ids[1]!, 'verify-pass');
  // Patrols with cases found on them, and an Open311 request with an update.
  for (let i = 0; i < 3; i++) {
    const started = await squad1.post('/api/v1/patrols', {});
    expect(started.statusCode, started.body).toBe(201);
    patrolId = started.json().id;
    await report(squad1, `巡查发现小广告 ${i}`);
    expect((await squad1.post(`/api/v1/patrols/${patrolId}/stop`, {})).statusCode).toBe(200);
  }
  for (let i = 0; i < 3; i++) {
    const res = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        api_key: DEMO_OPEN311_KEY,
        service_code: '0201',
        lat: String(HANLIN.lat),
        long: String(HANLIN.lng),
        description: `合作应用上报 ${i}`,
      }).toString(),
    });
    expect(res.statusCode, res.body).toBe(200);
  }
  clock.advance(3 * 24 * 3600_000);
  expect((await admin.post('/api/v1/cases/sla-sweep', {})).statusCode).toBe(200);
});

afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Statements one GET costs, asked once first so the session is resolved and cached. */
async function cost(c: Client | null, url: string) {
  const get = (u: string) => (c ? c.get(u) : t.app.inject({ method: 'GET', url: u }));
  const warm = await get(url);
  expect(warm.statusCode, `${url}: ${warm.body}`).toBe(200);
  const before = t.database.queryCount();
  const res = await get(url);
  const spent = t.database.queryCount() - before;
  expect(res.statusCode).toBe(200);
  return { spent, body: res.body };
}

const page = (url: string, limit: number) => `${url}${url.includes('?') ? '&' : '?'}limit=${limit}`;

describe('every case list costs at most 5 statements, whatever the page size', () => {
  const lists: [string, () => Client | null, string, number][] = [
    ['dispatch board (admin)', () => admin, '/api/v1/cases', 2],
    ['dispatch board (community)', () => secretary, '/api/v1/cases', 2],
    ['board, one status', () => secretary, '/api/v1/cases?status=handled', 2],
    ['board, overdue only', () => admin, '/api/v1/cases?overdue=true', 1],
    ['my tasks (squad member)', () => squad1, '/api/v1/cases?mine=true', 2],
    ['verification queue', () => squad2, '/api/v1/cases/verification-queue', 2],
    ['我的诉求 (reporter)', () => resident, '/api/v1/cases/mine', 2],
    ['我的诉求 (follower)', () => neighbour, '/api/v1/cases/mine', 2],
    ['public board', () => null, '/api/v1/cases/public', 2],
    ['patrols', () => squad1, '/api/v1/patrols', 1],
  ];
  it.each(lists)('%s', async (_name, who, url, small) => {
    const client = who();
    const a = await cost(client, page(url, small));
    const b = await cost(client, page(url, 50));
    // The large page really is larger (one query per row would show at once); what a page
    // costs may vary by one with the kinds of handler on it (names are looked up per kind), never
    // with its length.
    const rows = (body: string) => (JSON.parse(body) as { items: unknown[] }).items.length;
    expect(rows(b.body)).toBeGreaterThanOrEqual(rows(a.body) + 2);
    expect(a.spent).toBeLessThanOrEqual(5);
    expect(b.spent).toBeLessThanOrEqual(5);
    expect(b.spent).toBeLessThanOrEqual(a.spent + 1);
  });

  const whole: [string, () => Client | null, string][] = [
    ['squads', () => secretary, '/api/v1/squads'],
    ['categories', () => secretary, '/api/v1/case-categories'],
    ['routing rules', () => admin, '/api/v1/case-routing-rules'],
    ['SLA cards', () => admin, '/api/v1/cases/sla-cards'],
    [
      'nearby (me too)',
      () => resident,
      `/api/v1/cases/nearby?category=0201&lat=${HANLIN.lat}&lng=${HANLIN.lng}`,
    ],
    ['Open311 requests', () => null, '/open311/v2/requests.json'],
    ['Open311 service list', () => null, '/open311/v2/services.json'],
    ['Open311 updates', () => null, '/open311/v2/servicerequestupdates.json'],
  ];
  it.each(whole)('%s (unpaged)', async (_name, who, url) => {
    const { spent, body } = await cost(who(), url);
    expect(body.length).toBeGreaterThan(2);
    expect(spent).toBeLessThanOrEqual(5);
  });
});
