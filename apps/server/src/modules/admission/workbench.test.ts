import type { Workbench } from '@linli/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { buildRequest, buildTask } from './fixtures';

/**
 * 事项准入's cards on the 工作台: a community's inbox (to acknowledge, in hand), the admission
 * office's review queue, a department's requests in review and the open outside reports — counted
 * over seeded rows, only within the caller's scope, each equal to the list it links to.
 */

let t: TestApp;
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
const c: Record<string, Client> = {};
/** What the demo seed already put in each caller's cards: the tests count what they add to it. */
const before: Record<string, Record<string, number | null>> = {};

beforeAll(async () => {
  t = await buildTestApp({ sessionIdleMinutes: 60 * 24 * 365, sessionAbsoluteHours: 24 * 365 }, { clock });
  const db = t.database.db;
  for (const u of ['hanlin-secretary', 'jiahe-worker', 'minzheng-staff', 'wanan-admin', 'admin'])
    c[u] = await loginAs(t.app, u);
  for (const u of Object.keys(c)) before[u] = await values(u);
  await buildRequest(db, { status: 'in_review' });
  await buildRequest(db, { status: 'in_review' });
  await buildRequest(db, { status: 'fast_track' });
  await buildRequest(db, { status: 'rejected' });
  const approved = await buildRequest(db, { status: 'approved', communities: ['翰林社区', '家和社区'] });
  await buildTask(db, approved, '翰林社区', 'open');
  await buildTask(db, approved, '翰林社区', 'open');
  await buildTask(db, approved, '翰林社区', 'acknowledged');
  await buildTask(db, approved, '翰林社区', 'completed');
  await buildTask(db, approved, '家和社区', 'open');
  const outside = await c['hanlin-secretary']!.post('/api/v1/admission/outside-reports', {
    departmentName: '区创文办',
    kind: 'meeting',
    what: '电话通知社区书记每周参加创文推进会',
    happenedOn: '2026-11-26',
    channel: '电话',
    estimatedHours: 2,
  });
  expect(outside.statusCode, outside.body).toBe(201);
});

afterAll(async () => {
  await t.close();
});

async function cards(who: string) {
  const res = await c[who]!.get('/api/v1/workbench');
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as Workbench).cards.filter((x) => x.module === 'admission');
}
const values = async (who: string) => Object.fromEntries((await cards(who)).map((x) => [x.id, x.value]));
/** The cards' counts less the demo seed's. */
async function added(who: string) {
  const now = await values(who);
  return Object.fromEntries(
    Object.entries(now).map(([k, v]) => [k, Number(v) - Number(before[who]![k] ?? 0)]),
  );
}

describe('GET /api/v1/workbench: the admission cards', () => {
  it("gives a community its inbox's tasks to acknowledge and in hand, and nobody else's", async () => {
    expect(await added('hanlin-secretary')).toEqual({
      'admission.tasksOpen': 2,
      'admission.tasksAcknowledged': 1,
    });
    expect(await added('jiahe-worker')).toEqual({
      'admission.tasksOpen': 1,
      'admission.tasksAcknowledged': 0,
    });
    // 万安镇 holds 翰林社区 but not 家和社区.
    expect(await added('wanan-admin')).toEqual({
      'admission.tasksOpen': 2,
      'admission.tasksAcknowledged': 1,
    });
  });

  it('gives a department its requests in review, and the district the review queue and the outside reports', async () => {
    expect(await added('minzheng-staff')).toEqual({ 'admission.requestsInReview': 2 });
    expect(await added('admin')).toEqual({
      'admission.tasksOpen': 3,
      'admission.tasksAcknowledged': 1,
      'admission.toReview': 3,
      'admission.outsideReports': 1,
    });
  });

  it('counts exactly the rows of the list each card links to', async () => {
    const api: Record<string, (q: Record<string, string>) => string> = {
      'admission-tasks': (q) => `/api/v1/admission/tasks?limit=200&status=${q.status}`,
      'admission-review': () => '/api/v1/admission/requests?limit=200&queue=review',
      'admission-mine': (q) => `/api/v1/admission/requests?limit=200&queue=mine&status=${q.status}`,
      'admission-oversight': () => '/api/v1/admission/outside-reports?limit=200&status=open',
    };
    for (const who of ['hanlin-secretary', 'jiahe-worker', 'minzheng-staff', 'admin']) {
      for (const card of await cards(who)) {
        const list = await c[who]!.get(api[card.link!.route]!(card.link!.query));
        expect(list.statusCode, list.body).toBe(200);
        expect({ who, card: card.id, rows: list.json().items.length }).toEqual({
          who,
          card: card.id,
          rows: card.value,
        });
      }
    }
  });
});
