import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writesHappened } from '../src/core/answer-cache';
import { sessionsChanged } from '../src/core/auth/session-cache';
import { FakeClock } from '../src/core/clock';
import { handleCase, POSTERS, reportCase, stepCase } from '../src/modules/cases/fixtures';
import { buildTestApp, type Client, loginAs, residentLogin, type TestApp } from './harness';

/**
 * Issue #15: the hot reads are few statements, so they cannot silently regrow. `GET /me` and a
 * case detail are counted through HTTP twice: with the caller's session already resolved (the
 * route's own work) and cold, with every cached session dropped first (what a first read costs:
 * the session, the account and its grants are one statement). Kept answers are always dropped.
 */

let t: TestApp;
let resident: Client;
let secretary: Client;
let squad: Client;
let admin: Client;
let caseId = '';
const clock = new FakeClock(new Date('2026-11-24T01:00:00Z'));

beforeAll(async () => {
  t = await buildTestApp({}, { clock });
  resident = await residentLogin(t, '13800000001');
  secretary = await loginAs(t.app, 'hanlin-secretary');
  squad = await loginAs(t.app, 'hanlin-squad1');
  admin = await loginAs(t.app, 'admin');
  caseId = await reportCase(resident, POSTERS);
  await stepCase(secretary, caseId, 'register');
  await stepCase(secretary, caseId, 'dispatch');
  await stepCase(squad, caseId, 'accept');
  await stepCase(squad, caseId, 'start');
  await handleCase(squad, caseId);
});

afterAll(async () => {
  await t.close();
});

/** Statements one GET costs when it reads the session first (`cold`), and right after that (`warm`). */
async function cost(c: Client, url: string) {
  const first = await c.get(url);
  expect(first.statusCode, `${url}: ${first.body}`).toBe(200);
  const counted = async () => {
    // Cached answers go every time: what is counted is the work behind the answer.
    writesHappened();
    const before = t.database.queryCount();
    const res = await c.get(url);
    const spent = t.database.queryCount() - before;
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toBe(first.body);
    return spent;
  };
  sessionsChanged('all');
  const cold = await counted();
  // The session was just read and cached (for a few seconds of real time).
  const warm = await counted();
  return { cold, warm };
}

describe('the hot reads stay few statements', () => {
  const callers: [string, () => Client][] = [
    ['a resident', () => resident],
    ['a community secretary', () => secretary],
    ['a squad member', () => squad],
    ['the district administrator', () => admin],
  ];

  it.each(callers)('GET /me of %s is one statement, two with the session read', async (_n, who) => {
    expect(await cost(who(), '/api/v1/me')).toEqual({ cold: 2, warm: 1 });
  });

  it.each(callers)('a case detail for %s is one statement, two with the session read', async (_n, who) => {
    expect(await cost(who(), `/api/v1/cases/${caseId}`)).toEqual({ cold: 2, warm: 1 });
  });
});
