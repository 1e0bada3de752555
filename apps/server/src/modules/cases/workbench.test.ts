import type { Workbench, WorkbenchCard } from '@linli/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { rolePermissions } from '../../core/roles';
import { MODULES } from '..';
import { handleCase as handle, POSTERS, reportCase, stepCase as step } from './fixtures';

/**
 * The cases module's cards on the 工作台 (GET /api/v1/workbench): for each role the counts of
 * seeded cases in each state, only inside the caller's scope, each equal to the rows of the list
 * its link opens, in one statement per card group the caller's permissions select.
 *
 * 翰林社区 holds seven reports, one left in each state from 已上报 to 已结案; 家和社区 two more.
 */

let t: TestApp;
const clock = new FakeClock(new Date('2026-11-24T01:00:00Z'));
const c: Record<string, Client> = {};
const ids: string[] = [];

beforeAll(async () => {
  t = await buildTestApp({ sessionIdleMinutes: 60 * 24 * 365, sessionAbsoluteHours: 24 * 365 }, { clock });
  const resident = await residentLogin(t, '13800000001');
  for (const u of [
    'hanlin-secretary',
    'hanlin-squad1',
    'hanlin-squad2',
    'wanan-admin',
    'admin',
    'minzheng-staff',
    'jiahe-worker',
    'jh-squad1',
  ])
    c[u] = await loginAs(t.app, u);
  for (let i = 0; i < 7; i++)
    ids.push(await reportCase(resident, { ...POSTERS, description: `楼道小广告 ${i}` }));
  const [, b, cc, d, e, f, g] = ids as [string, string, string, string, string, string, string];
  for (const id of [b, cc, d, e, f, g]) await step(c['hanlin-secretary']!, id, 'register');
  for (const id of [cc, d, e, f, g]) await step(c['hanlin-secretary']!, id, 'dispatch');
  for (const id of [d, e, f, g]) await step(c['hanlin-squad1']!, id, 'accept');
  for (const id of [e, f, g]) await step(c['hanlin-squad1']!, id, 'start');
  for (const id of [f, g]) await handle(c['hanlin-squad1']!, id);
  await step(c['hanlin-squad2']!, g, 'verify-pass');
  await step(c['wanan-admin']!, cc, 'supervise', { note: '群众反映强烈，请加快处置' });
  // 家和社区: one waiting for 立案, one with its squad waiting for 签收.
  const jiahe = {
    categoryCode: '0501',
    description: '小区门口有流动摊贩占道',
    address: '金山镇家和社区东门',
  };
  await reportCase(resident, jiahe);
  const j2 = await reportCase(resident, jiahe);
  await step(c['jiahe-worker']!, j2, 'register');
  await step(c['jiahe-worker']!, j2, 'dispatch');
});

afterAll(async () => {
  await t.close();
});

async function workbench(who: string): Promise<Workbench> {
  const res = await c[who]!.get('/api/v1/workbench');
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Workbench;
}

/** The cases module's counts by card id. */
async function counts(who: string): Promise<Record<string, number | null>> {
  const wb = await workbench(who);
  return Object.fromEntries(
    wb.cards.filter((x) => x.module === 'cases' && x.kind === 'todo').map((x) => [x.id, x.value]),
  );
}

/** The API list a card's console link opens, with the same filters the console page sends. */
function listUrl(card: WorkbenchCard): string {
  const q = new URLSearchParams({ limit: '200' });
  const link = card.link!;
  if (link.query.status) q.set('status', link.query.status);
  if (link.query.overdue) q.set('overdue', 'true');
  switch (link.route) {
    case 'case-tasks':
      q.set('mine', 'true');
      return `/api/v1/cases?${q}`;
    case 'case-verify':
      return `/api/v1/cases/verification-queue?${q}`;
    case 'case-supervision':
      q.set('supervised', 'true');
      return `/api/v1/cases?${q}`;
    default:
      return `/api/v1/cases?${q}`;
  }
}

describe('GET /api/v1/workbench: the cases cards', () => {
  it("gives a squad member their squad's cases to accept, to handle and in hand, and what they may verify", async () => {
    expect(await counts('hanlin-squad1')).toEqual({
      'cases.toAccept': 1,
      'cases.toHandle': 1,
      'cases.handling': 1,
      // F is squad1's own work: another member verifies it.
      'cases.toVerify': 0,
      'cases.overdue': 0,
    });
    expect(await counts('hanlin-squad2')).toMatchObject({ 'cases.toAccept': 1, 'cases.toVerify': 1 });
    // 家和社区's squad sees only its own case.
    expect(await counts('jh-squad1')).toEqual({
      'cases.toAccept': 1,
      'cases.toHandle': 0,
      'cases.handling': 0,
      'cases.toVerify': 0,
      'cases.overdue': 0,
    });
  });

  it('gives the nearest deadline of each queue', async () => {
    const wb = await workbench('hanlin-squad1');
    const toAccept = wb.cards.find((x) => x.id === 'cases.toAccept')!;
    const detail = (await c['hanlin-squad1']!.get(`/api/v1/cases/${ids[2]}`)).json() as { dueAt: string };
    expect(toAccept.dueAt).toBe(new Date(detail.dueAt).toISOString());
    expect(toAccept.link).toEqual({ route: 'case-tasks', query: { status: 'dispatched' } });
  });

  it("gives a secretary their community's reports to register and to dispatch, from the rollups, and what to verify", async () => {
    expect(await counts('hanlin-secretary')).toEqual({
      'cases.toRegister': 1,
      'cases.toDispatch': 1,
      'cases.toVerify': 1,
      'cases.overdue': 0,
    });
    // The same from the folded rollup as from the unfolded deltas.
    await t.app.jobs.runDue();
    await t.app.jobs.runDue();
    expect(await counts('hanlin-secretary')).toMatchObject({ 'cases.toRegister': 1, 'cases.toDispatch': 1 });
    // 家和社区's worker: its one report to register, nothing of 翰林社区.
    expect(await counts('jiahe-worker')).toMatchObject({ 'cases.toRegister': 1, 'cases.toDispatch': 0 });
  });

  it("gives a town its supervised and overdue cases, and the district everything; nobody another unit's", async () => {
    expect(await counts('wanan-admin')).toEqual({
      'cases.toRegister': 1,
      'cases.toDispatch': 1,
      'cases.toVerify': 1,
      'cases.overdue': 0,
      'cases.supervised': 1,
    });
    // The district administrator is in no squad or department: no 我的任务 cards.
    expect(await counts('admin')).toEqual({
      'cases.toRegister': 2,
      'cases.toDispatch': 1,
      'cases.toVerify': 1,
      'cases.overdue': 0,
      'cases.supervised': 1,
    });
    // A department with no case of its own: its (empty) queues, nothing of the communities'.
    expect(await counts('minzheng-staff')).toEqual({
      'cases.toAccept': 0,
      'cases.toHandle': 0,
      'cases.handling': 0,
    });
  });

  it('counts the running cases past their deadline once time passes', async () => {
    clock.advance(20 * 86_400_000);
    try {
      expect((await counts('hanlin-secretary'))['cases.overdue']).toBe(6);
      expect((await counts('hanlin-squad1'))['cases.overdue']).toBe(6);
      expect((await counts('jh-squad1'))['cases.overdue']).toBe(2);
      expect((await counts('admin'))['cases.overdue']).toBe(8);
    } finally {
      clock.advance(-20 * 86_400_000);
    }
  });

  it('counts exactly the rows of the list each card links to', async () => {
    clock.advance(20 * 86_400_000);
    try {
      for (const who of [
        'hanlin-squad1',
        'hanlin-squad2',
        'hanlin-secretary',
        'wanan-admin',
        'admin',
        'jh-squad1',
      ]) {
        for (const card of (await workbench(who)).cards.filter(
          (x) => x.module === 'cases' && x.kind === 'todo',
        )) {
          const list = await c[who]!.get(listUrl(card));
          expect(list.statusCode, list.body).toBe(200);
          expect({ who, card: card.id, rows: list.json().items.length }).toEqual({
            who,
            card: card.id,
            rows: card.value,
          });
        }
      }
    } finally {
      clock.advance(-20 * 86_400_000);
    }
  });

  it("shows a town and the district their units' on-time rate and satisfaction against the weeks before", async () => {
    const wb = await workbench('wanan-admin');
    const onTime = wb.cards.find((x) => x.id === 'cases.onTimeRate')!;
    const stats = (await c['wanan-admin']!.get('/api/v1/cases/stats')).json() as {
      onTime: { rate: number | null };
    };
    expect(onTime).toMatchObject({ kind: 'figure', format: 'percent', previous: null, trendUnit: 'week' });
    // Every case is of this week: the four weeks' rate is the whole period's.
    expect(onTime.value).toBe(stats.onTime.rate);
    expect(onTime.trend).toHaveLength(12);
    expect(onTime.trend!.at(-1)).toBe(stats.onTime.rate);
    // Nobody rated yet.
    expect(wb.cards.find((x) => x.id === 'cases.satisfaction')!.value).toBeNull();
    // A secretary does not supervise: no figures.
    const secretary = await workbench('hanlin-secretary');
    expect(secretary.cards.some((x) => x.kind === 'figure' && x.module === 'cases')).toBe(false);
  });

  it('sends one statement per card group the caller holds the permission for', async () => {
    const roles: Record<string, string> = {
      'hanlin-squad1': 'squad_member',
      'hanlin-secretary': 'community_secretary',
      'wanan-admin': 'town_admin',
      'minzheng-staff': 'department_staff',
      admin: 'district_admin',
    };
    for (const [who, role] of Object.entries(roles)) {
      await workbench(who); // the session is resolved and cached
      const held = new Set(rolePermissions(role));
      const sources = MODULES.flatMap((m) => m.workbench ?? []).filter((s) => held.has(s.permission));
      const sql: string[] = [];
      const stop = t.database.watchQueries((q) => sql.push(q));
      try {
        await workbench(who);
      } finally {
        stop();
      }
      // The session is cached for 5 s of real time: on a loaded machine the second request may
      // read it again (and refresh its last-seen time). Those statements are the session's, not
      // the cards'.
      const cards = sql.filter((q) => !/\b(from|update) "sessions"/i.test(q));
      expect({ who, statements: cards.length }).toEqual({ who, statements: sources.length });
    }
  });

  it('answers 401 to a visitor and 403 to a resident', async () => {
    expect((await t.app.inject('/api/v1/workbench')).statusCode).toBe(401);
    const resident = await residentLogin(t, '13800000002');
    expect((await resident.get('/api/v1/workbench')).statusCode).toBe(403);
  });
});
