import type { Workbench } from '@linli/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { findDepartmentByName, findOrgUnitByName } from '../identity/lookups';
import { accountByPhone, buildApplication, itemByName } from './applications-fixtures';
import { officeHourSessions } from './office-hours-schema';

/**
 * The service guide's cards on the 工作台: a community's applications by queue and overdue, the
 * applications forwarded to a department, and its coming office hours — counted over seeded rows,
 * each only within the caller's scope, each equal to the rows of the list it links to.
 */

let t: TestApp;
const clock = new FakeClock(new Date('2026-11-24T01:00:00Z'));
const c: Record<string, Client> = {};
const HOUR = 3_600_000;

beforeAll(async () => {
  t = await buildTestApp({ sessionIdleMinutes: 60 * 24 * 365, sessionAbsoluteHours: 24 * 365 }, { clock });
  const db = t.database.db;
  for (const u of ['hanlin-secretary', 'jiahe-worker', 'minzheng-staff', 'wanan-admin', 'admin'])
    c[u] = await loginAs(t.app, u);
  const hanlin = (await findOrgUnitByName(db, '翰林社区'))!;
  const jiahe = (await findOrgUnitByName(db, '家和社区'))!;
  const item = await itemByName(db, '最低生活保障');
  const resident = await accountByPhone(db, '13800000001');
  const at = new Date('2026-11-20T02:00:00Z');
  const build = (orgUnitId: string, status: Parameters<typeof buildApplication>[1]['status'], when = at) =>
    buildApplication(db, { orgUnitId, itemId: item.id, residentId: resident.id, status, at: when });
  // 翰林社区: 2 to pre-review, 1 to accept, 2 in hand (one of them past its deadline), 1 forwarded, 1 done.
  await build(hanlin.id, 'submitted');
  await build(hanlin.id, 'submitted');
  await build(hanlin.id, 'pre_review');
  await build(hanlin.id, 'accepted');
  await build(hanlin.id, 'accepted', new Date('2026-11-10T02:00:00Z'));
  await build(hanlin.id, 'forwarded');
  await build(hanlin.id, 'completed');
  // 家和社区: 1 to pre-review, 1 forwarded.
  await build(jiahe.id, 'submitted');
  await build(jiahe.id, 'forwarded');
  // Office hours: 民政局 twice ahead (one in 家和社区), once over, once cancelled; 人社局 once ahead.
  const mz = (await findDepartmentByName(db, hanlin.districtId, '罗江区民政局'))!;
  const rs = (await findDepartmentByName(db, hanlin.districtId, '罗江区人力资源和社会保障局'))!;
  const now = clock.now().getTime();
  const session = (departmentId: string, orgUnitId: string, hoursAhead: number, status = 'scheduled') => ({
    districtId: hanlin.districtId,
    departmentId,
    orgUnitId,
    startsAt: new Date(now + hoursAhead * HOUR),
    endsAt: new Date(now + (hoursAhead + 2) * HOUR),
    place: '便民服务室',
    capacity: 10,
    status: status as 'scheduled' | 'cancelled',
  });
  await db
    .insert(officeHourSessions)
    .values([
      session(mz.id, hanlin.id, 30),
      session(mz.id, jiahe.id, 54),
      session(mz.id, hanlin.id, -48),
      session(mz.id, hanlin.id, 78, 'cancelled'),
      session(rs.id, hanlin.id, 6),
    ]);
});

afterAll(async () => {
  await t.close();
});

async function cards(who: string) {
  const res = await c[who]!.get('/api/v1/workbench');
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as Workbench).cards.filter((x) => x.module === 'service-guide');
}
const values = async (who: string) => Object.fromEntries((await cards(who)).map((x) => [x.id, x.value]));

describe('GET /api/v1/workbench: the service guide cards', () => {
  it("gives a community its applications to pre-review, to accept, in hand and overdue, and nobody else's", async () => {
    expect(await values('hanlin-secretary')).toEqual({
      'service-guide.toPreReview': 2,
      'service-guide.toAccept': 1,
      'service-guide.inProgress': 2,
      // Seven days from the 10th have passed; from the 20th (the other accepted, the forwarded) not yet.
      'service-guide.overdue': 1,
    });
    expect(await values('jiahe-worker')).toEqual({
      'service-guide.toPreReview': 1,
      'service-guide.toAccept': 0,
      'service-guide.inProgress': 0,
      'service-guide.overdue': 0,
    });
  });

  it('gives a department what was forwarded to it and its own coming office hours, with the nearest first', async () => {
    const mz = await cards('minzheng-staff');
    expect(Object.fromEntries(mz.map((x) => [x.id, x.value]))).toEqual({
      'service-guide.forwarded': 2,
      'service-guide.officeHours': 2,
    });
    const hours = mz.find((x) => x.id === 'service-guide.officeHours')!;
    expect(hours.dueAt).toBe(new Date(clock.now().getTime() + 30 * HOUR).toISOString());
    expect(hours.link).toEqual({ route: 'office-hours', query: {} });
  });

  it('gives the district administrator every community and every department', async () => {
    const admin = await values('admin');
    expect(admin).toMatchObject({ 'service-guide.toPreReview': 3, 'service-guide.officeHours': 3 });
    // It holds applications.department but works for no department: nothing is forwarded to it.
    expect(admin).not.toHaveProperty(['service-guide.forwarded']);
    // A town administrator handles applications in its town only (翰林社区 is in 万安镇, 家和社区 not).
    expect(await values('wanan-admin')).toMatchObject({ 'service-guide.toPreReview': 2 });
  });

  it('counts exactly the rows of the 办件工作台 each card links to', async () => {
    for (const who of ['hanlin-secretary', 'jiahe-worker', 'minzheng-staff', 'admin']) {
      for (const card of await cards(who)) {
        if (card.link?.route !== 'applications') continue;
        const q = new URLSearchParams({ limit: '200' });
        if (card.link.query.status) q.set('status', card.link.query.status);
        if (card.link.query.overdue) q.set('overdue', 'true');
        const list = await c[who]!.get(`/api/v1/applications?${q}`);
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
