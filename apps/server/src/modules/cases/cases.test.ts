import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Case, CasePage, CasePublicPage, CaseReceipt, MessagePage } from '@linli/contracts';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { actorWith, buildResident, sessionAs, unitByName } from '../identity/fixtures';
import { CHENGDU, HANLIN, JPEG, multipart, type Part, PDF, PNG } from './fixtures';
import { type AreaGeometry, pointInGeometry } from './geometry';
import { placeReport } from './places';
import { orgUnits } from '../identity/schema';
import { orgUnitBoundaries } from './schema';
import { listStaffCases } from './service';

let t: TestApp;
let resident: Client;
let neighbour: Client;
let secretary: Client;
let squad1: Client;
let squad2: Client;
let squad3: Client;
let jiaheWorker: Client;
let townAdmin: Client;
let admin: Client;
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-cases-'));

beforeAll(async () => {
  t = await buildTestApp({ dataDir }, { clock });
  const db = t.database.db;
  resident = await residentLogin(t, '13800000001');
  const hanlin = await unitByName(db, '翰林社区');
  neighbour = await sessionAs(t.app, (await buildResident(db, hanlin.districtId, hanlin, '13900000099')).id);
  secretary = await loginAs(t.app, 'hanlin-secretary');
  squad1 = await loginAs(t.app, 'hanlin-squad1');
  squad2 = await loginAs(t.app, 'hanlin-squad2');
  squad3 = await loginAs(t.app, 'hanlin-squad3');
  jiaheWorker = await loginAs(t.app, 'jiahe-worker');
  townAdmin = await loginAs(t.app, 'wanan-admin');
  admin = await loginAs(t.app, 'admin');
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const photo = (filename: string, data: Buffer = PNG, type = 'image/png'): Part => ({
  name: 'photos',
  filename,
  type,
  data,
});

function report(
  c: Client,
  fields: Record<string, string | number | boolean>,
  photos: Part[] = [],
  headers: Record<string, string> = {},
) {
  const body = multipart([
    ...Object.entries(fields).map(([name, value]) => ({ name, value: String(value) })),
    ...photos,
  ]);
  return c.post('/api/v1/cases', body.payload, { ...body.headers, ...headers });
}

const posters = (extra: Record<string, string | number | boolean> = {}) => ({
  categoryCode: '0201',
  description: '单元楼道里贴满了小广告，清理后又被贴上',
  lat: HANLIN.lat,
  lng: HANLIN.lng,
  address: '万安镇翰林社区3栋',
  ...extra,
});

async function newCase(c: Client = resident, extra: Record<string, string | number | boolean> = {}) {
  const res = await report(c, posters(extra), [photo('a.png'), photo('b.jpg', JPEG, 'image/jpeg')]);
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as CaseReceipt;
}

const step = (c: Client, id: string, name: string, body: unknown = {}) =>
  c.post(`/api/v1/cases/${id}/${name}`, body);
const handle = (c: Client, id: string, photos: Part[] = [photo('after.png')]) => {
  const body = multipart([{ name: 'note', value: '已清理干净' }, ...photos]);
  return c.post(`/api/v1/cases/${id}/handle`, body.payload, body.headers);
};
const put = (c: Client, url: string, payload: unknown) => c.request({ method: 'PUT', url, payload });
const get = async (c: Client, id: string) => (await c.get(`/api/v1/cases/${id}`)).json() as Case;

describe('POST /cases', () => {
  it('answers the receipt at once: a per-day number, 翰林社区 by its boundary and its squad by the rules', async () => {
    const r = await newCase();
    expect(r.number).toMatch(/^510604-20261127-\d{4,}$/);
    expect(r.status).toBe('reported');
    expect(r.handler).toMatchObject({ kind: 'squad', name: '翰林社区城管中队' });
    // The demo grids tile 翰林社区: the point lands in one of its grids.
    expect(r.orgUnit.kind).toBe('grid');
    expect(r.orgUnit.name).toMatch(/网格$/);
    const c = await get(resident, r.id);
    expect(c.community?.name).toBe('翰林社区');
    expect(c.photos).toHaveLength(2);
    expect(c.relation).toBe('reporter');
    const own = await resident.get(c.photos[0]!.url);
    expect(own.statusCode).toBe(200);
    expect(['image/png', 'image/jpeg']).toContain(own.headers['content-type']);
    const next = await newCase();
    expect(Number(next.number.slice(-4))).toBe(Number(r.number.slice(-4)) + 1);
  });

  it('sends a department category to the responsible department', async () => {
    const res = await report(resident, posters({ categoryCode: '0301', description: '工地夜间施工扰民' }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().handler).toMatchObject({ kind: 'department', name: '罗江区住房和城乡建设局' });
  });

  it('answers 422 saying so for a location outside the district', async () => {
    const res = await report(resident, posters({ ...CHENGDU }));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('outside-district');
    expect(res.json().detail).toContain('outside the district');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('body/lat');
  });

  it('falls back to the address when there is no location', async () => {
    const res = await report(resident, {
      categoryCode: '0501',
      description: '小区门口有流动摊贩占道',
      address: '金山镇家和社区东门',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().orgUnit.name).toBe('家和社区');
    expect(res.json().handler).toMatchObject({ kind: 'squad', name: '家和社区城管中队' });
    const nowhere = await report(resident, {
      categoryCode: '0501',
      description: '某处有问题',
      address: '不知道在哪',
    });
    expect(nowhere.statusCode).toBe(422);
  });

  it('answers 400 naming the file for a fake photo, a PDF and the 10th photo; 400 for bad fields', async () => {
    let res = await report(resident, posters(), [
      photo('fake.jpg', Buffer.from('not an image'), 'image/jpeg'),
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'file-type', errors: [{ field: 'files/fake.jpg' }] });
    res = await report(resident, posters(), [photo('doc.pdf', PDF, 'application/pdf')]);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'file-type', errors: [{ field: 'files/doc.pdf' }] });
    res = await report(
      resident,
      posters(),
      Array.from({ length: 10 }, (_, i) => photo(`p${i + 1}.png`)),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'too-many-files', errors: [{ field: 'files/p10.png' }] });
    res = await report(resident, posters({ categoryCode: 'x1', description: '' }));
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['body/categoryCode', 'body/description']);
    res = await report(resident, posters({ categoryCode: '9999' }));
    expect(res.statusCode).toBe(422);
  });

  it('replays the first case for the same Idempotency-Key', async () => {
    const headers = { 'idempotency-key': 'case-report-0001' };
    const first = await report(resident, posters(), [photo('a.png')], headers);
    const again = await report(resident, posters(), [photo('a.png')], headers);
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
  });

  it('refuses anonymous callers and staff who do not handle cases', async () => {
    expect((await report(new Client(t.app), posters())).statusCode).toBe(401);
    expect((await report(secretary, posters())).statusCode).toBe(403);
  });

  it('lets a squad member file a case found on patrol', async () => {
    const r = await newCase(squad1);
    expect((await get(squad1, r.id)).source).toBe('patrol');
  });
});

describe('the closed loop', () => {
  it('goes report → 立案 → 派遣 → 签收 → 处置 → 核查 → 结案 → 不满意 → 重办 → 结案 → 评价', async () => {
    const r = await newCase();
    // Not yet vetted (立案): the neighbour's "me too" does not show it (see 'what others see of a report').
    expect((await get(secretary, r.id)).abilities).toEqual(['register', 'not_register']);
    let res = await step(secretary, r.id, 'register');
    expect(res.json().status).toBe('registered');
    // On the board now: the neighbour sees it before reporting, and follows it.
    const near = await neighbour.get(
      `/api/v1/cases/nearby?category=0201&lat=${HANLIN.lat + 0.0003}&lng=${HANLIN.lng}`,
    );
    expect(near.statusCode, near.body).toBe(200);
    const hit = near.json().items.find((i: { id: string }) => i.id === r.id);
    expect(hit.distanceM).toBeLessThanOrEqual(100);
    expect(JSON.stringify(near.json())).not.toContain('居民0001');
    const far = await neighbour.get(
      `/api/v1/cases/nearby?category=0201&lat=${HANLIN.lat + 0.002}&lng=${HANLIN.lng}`,
    );
    expect(far.json().items.map((i: { id: string }) => i.id)).not.toContain(r.id);
    const other = await neighbour.get(
      `/api/v1/cases/nearby?category=0202&lat=${HANLIN.lat}&lng=${HANLIN.lng}`,
    );
    expect(other.json().items.map((i: { id: string }) => i.id)).not.toContain(r.id);
    const followed = await neighbour.post(`/api/v1/cases/${r.id}/follow`);
    expect(followed.statusCode, followed.body).toBe(200);
    expect(followed.json()).toMatchObject({
      relation: 'follower',
      followers: 1,
      reporter: null,
      reporterPhone: null,
    });

    res = await step(secretary, r.id, 'dispatch');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'dispatched',
      handler: { kind: 'squad', name: '翰林社区城管中队' },
    });
    expect((await get(squad1, r.id)).abilities).toEqual(['send_back', 'accept']);
    expect((await step(squad1, r.id, 'accept')).json().status).toBe('accepted');
    expect((await step(squad1, r.id, 'start')).json().status).toBe('handling');
    res = await handle(squad1, r.id, []);
    expect(res.statusCode).toBe(400);
    res = await handle(squad1, r.id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('handled');
    // The handler may not verify their own work.
    res = await step(squad1, r.id, 'verify-pass');
    expect(res.statusCode).toBe(403);
    expect((await get(squad1, r.id)).abilities).not.toContain('verify_pass');
    res = await step(squad2, r.id, 'verify-pass', { note: '现场核查已清理' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('closed');

    res = await step(resident, r.id, 'rate', { rating: 'unsatisfied', comment: '第二天又贴上了' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'handling', reopened: true, rating: null });
    expect((await handle(squad1, r.id)).json().status).toBe('handled');
    expect((await step(squad3, r.id, 'verify-pass')).json().status).toBe('closed');
    res = await step(resident, r.id, 'rate', { rating: 'unsatisfied' });
    // Reopened once already: a second 不满意 is recorded, not reopened again.
    expect(res.json()).toMatchObject({ status: 'rated', rating: 'unsatisfied', reopened: true });
    res = await step(resident, r.id, 'reopen');
    expect(res.statusCode).toBe(422);

    const mine = await get(resident, r.id);
    expect(mine.history.map((h) => h.step)).toEqual([
      'report',
      'register',
      'dispatch',
      'accept',
      'start',
      'handle',
      'verify_pass',
      'rate',
      'reopen',
      'handle',
      'verify_pass',
      'rate',
    ]);
    expect(mine.history.find((h) => h.step === 'handle')!.photos).toHaveLength(1);
    expect(
      (await resident.get(mine.history.find((h) => h.step === 'handle')!.photos[0]!.url)).statusCode,
    ).toBe(200);
    // The follower sees the handlers' photos, not the reporter's.
    const handlerPhoto = mine.history.find((h) => h.step === 'handle')!.photos[0]!.url;
    const seenByNeighbour = await get(neighbour, r.id);
    expect(seenByNeighbour.photos).toEqual([]);
    expect((await neighbour.get(handlerPhoto)).statusCode).toBe(200);
    expect((await neighbour.get(mine.photos[0]!.url)).statusCode).toBe(404);
    expect((await resident.get(mine.photos[0]!.url)).statusCode).toBe(200);
    // Every active member of the squad heard of the dispatch.
    for (const member of [squad1, squad2, squad3]) {
      const items = ((await (await member.get('/api/v1/messages?limit=200')).json()) as MessagePage).items;
      expect(items.filter((m) => m.link === `/console/cases/${r.id}`)).toHaveLength(1);
    }

    const inbox = async (c: Client) =>
      ((await (await c.get('/api/v1/messages?limit=200')).json()) as MessagePage).items.filter(
        (m) => m.link === `/cases/${r.id}`,
      );
    // The reporter: the receipt and every public step; the follower: every public step after
    // following (which they could once it was registered).
    expect(await inbox(resident)).toHaveLength(11);
    expect(await inbox(neighbour)).toHaveLength(9);
    expect((await inbox(neighbour)).map((m) => m.title)).toContain(`诉求重办：${r.number}`);

    // Another community's worker may know it exists (it is on the board) but not read it; the
    // board shows it without the reporter.
    expect((await jiaheWorker.get(`/api/v1/cases/${r.id}`)).statusCode).toBe(403);
    const boardRes = await new Client(t.app).get('/api/v1/cases/public?limit=200');
    expect(boardRes.statusCode, boardRes.body).toBe(200);
    const board = boardRes.json() as CasePublicPage;
    const onBoard = board.items.find((i) => i.id === r.id)!;
    expect(onBoard).toBeDefined();
    expect(Object.keys(onBoard).sort()).toEqual(
      [
        'category',
        'community',
        'coarseLocation',
        'createdAt',
        'description',
        'followers',
        'id',
        'number',
        'status',
      ].sort(),
    );
    expect(Math.abs(onBoard.coarseLocation!.lat - HANLIN.lat)).toBeLessThan(0.00051);
    expect(String(onBoard.coarseLocation!.lng).split('.')[1]!.length).toBeLessThanOrEqual(3);
    expect(JSON.stringify(board)).not.toMatch(/居民0001|13800000001|3栋/);
  });

  it('answers 409 naming the state for a step the state does not allow', async () => {
    const r = await newCase();
    const res = await step(squad1, r.id, 'accept');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'invalid-transition', state: 'reported' });
    expect(res.json().detail).toContain('reported');
  });

  it('answers 403 to steps outside the role and 404 outside the scope', async () => {
    const r = await newCase();
    expect((await step(resident, r.id, 'register')).statusCode).toBe(403);
    expect((await step(squad1, r.id, 'register')).statusCode).toBe(403);
    expect((await step(jiaheWorker, r.id, 'register')).statusCode).toBe(404);
    expect((await step(secretary, r.id, 'supervise', { note: '请尽快' })).statusCode).toBe(403);
    expect((await new Client(t.app).get(`/api/v1/cases/${r.id}`)).statusCode).toBe(401);
  });

  it('sends a case back for re-dispatch, with the reason', async () => {
    const r = await newCase();
    await step(secretary, r.id, 'register');
    await step(secretary, r.id, 'dispatch');
    const res = await step(squad2, r.id, 'send-back', { reason: '不属于本中队职责' });
    expect(res.json()).toMatchObject({
      status: 'registered',
      sendBackReason: '不属于本中队职责',
      handler: null,
    });
    const d = await step(secretary, r.id, 'dispatch', {
      kind: 'person',
      targetId: (await get(squad1, r.id)).id,
    });
    expect(d.statusCode).toBe(422);
  });

  it('lets a handler ask for an extension that the town approves, and the town supervise', async () => {
    const r = await newCase();
    await step(secretary, r.id, 'register');
    await step(secretary, r.id, 'dispatch');
    await step(squad1, r.id, 'accept');
    const due = (await get(squad1, r.id)).dueAt!;
    let res = await step(squad1, r.id, 'request-extension', { hours: 8, reason: '需要协调产权单位' });
    expect(res.json().extension).toEqual({ hours: 8, reason: '需要协调产权单位', status: 'pending' });
    expect((await step(squad1, r.id, 'approve-extension')).statusCode).toBe(403);
    res = await step(townAdmin, r.id, 'approve-extension');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().extension.status).toBe('approved');
    expect(Date.parse(res.json().dueAt)).toBeGreaterThan(Date.parse(due));
    expect((await step(townAdmin, r.id, 'deny-extension')).statusCode).toBe(422);
    res = await step(townAdmin, r.id, 'supervise', { note: '群众反映强烈，请加快处置' });
    expect(res.json()).toMatchObject({
      supervised: true,
      supervisionNote: '群众反映强烈，请加快处置',
      status: 'accepted',
    });
    // Internal steps stay off the resident's timeline.
    expect((await get(resident, r.id)).history.map((h) => h.step)).toEqual([
      'report',
      'register',
      'dispatch',
      'accept',
    ]);
  });
});

describe('what others see of a report', () => {
  const MISSING = '01930000-0000-7000-8000-00000000dead';
  /** An answer without its request id: a hidden case must answer exactly like a missing one. */
  const bare = (res: { statusCode: number; json(): unknown }) => {
    const { instance: _, ...rest } = res.json() as Record<string, unknown>;
    return { status: res.statusCode, ...rest };
  };

  it('does not let another resident follow a report not yet on the board: the same 404 as a missing case', async () => {
    const r = await newCase();
    const followed = await neighbour.post(`/api/v1/cases/${r.id}/follow`);
    expect(bare(followed)).toEqual(bare(await neighbour.post(`/api/v1/cases/${MISSING}/follow`)));
    expect(followed.statusCode).toBe(404);
    // Nothing about it reached the neighbour: not in 我的诉求, not readable.
    expect((await neighbour.get('/api/v1/cases/mine?limit=100')).body).not.toContain(r.id);
    expect((await neighbour.get(`/api/v1/cases/${r.id}`)).statusCode).toBe(404);
    // Once registered it is on the board: now "me too" works.
    expect((await step(secretary, r.id, 'register')).statusCode).toBe(200);
    expect((await neighbour.post(`/api/v1/cases/${r.id}/follow`)).statusCode).toBe(200);
    // Their own report needs no following: it answers as it is.
    expect((await resident.post(`/api/v1/cases/${r.id}/follow`)).json().relation).toBe('reporter');
  });

  it('shows another resident no report near them that is not yet on the board', async () => {
    const r = await newCase();
    const near = (c: Client) =>
      c.get(`/api/v1/cases/nearby?category=0201&lat=${HANLIN.lat}&lng=${HANLIN.lng}`).then((x) => x.body);
    expect(await near(neighbour)).not.toContain(r.id);
    expect(await near(neighbour)).not.toContain(r.number);
    // The reporter and the community's staff see it.
    expect(await near(resident)).toContain(r.id);
    expect(await near(secretary)).toContain(r.id);
    expect((await step(secretary, r.id, 'register')).statusCode).toBe(200);
    expect(await near(neighbour)).toContain(r.id);
  });

  it('tells a stranger rating or reopening a report not on the board the same as for a missing case; 403 once on the board', async () => {
    const r = await newCase();
    // Trying "me too" first (it used to let them in and turn the answers below into 403s).
    await neighbour.post(`/api/v1/cases/${r.id}/follow`);
    for (const [name, body] of [
      ['rate', { rating: 'satisfied' }],
      ['reopen', {}],
    ] as const) {
      const res = await step(neighbour, r.id, name, body);
      expect(bare(res), name).toEqual(bare(await step(neighbour, MISSING, name, body)));
      expect(res.statusCode, name).toBe(404);
    }
    // On the board the case exists for everyone in the district; rating it is still the reporter's.
    expect((await step(secretary, r.id, 'register')).statusCode).toBe(200);
    expect((await step(jiaheWorker, r.id, 'register')).statusCode).toBe(403);
    const stranger = await sessionAs(
      t.app,
      (await buildResident(t.database.db, (await unitByName(t.database.db, '翰林社区')).districtId, null)).id,
    );
    expect((await step(stranger, r.id, 'rate', { rating: 'satisfied' })).statusCode).toBe(403);
    expect((await step(stranger, r.id, 'reopen')).statusCode).toBe(403);
  });
});

describe('lists', () => {
  it('masks the reporter for staff without pii.read, hides a hidden name, shows it to pii.read', async () => {
    const hidden = await newCase(resident, { hideName: true });
    const squadView = await get(squad1, hidden.id);
    expect(squadView.reporter).toBe('匿名');
    expect(squadView.reporterPhone).toBeNull();
    const secretaryView = await get(secretary, hidden.id);
    expect(secretaryView.reporter).toBe('居民0001');
    expect(secretaryView.reporterPhone).toBe('13800000001');
    const open = await newCase();
    const masked = await get(squad1, open.id);
    expect(masked.reporter).toBe('居*****');
    expect(masked.reporterPhone).toBe('138****0001');
  });

  it('orders the dispatch board overdue first, then new, and pages with a cursor', async () => {
    const all = (await (await secretary.get('/api/v1/cases?limit=200')).json()) as CasePage;
    expect(all.items.length).toBeGreaterThan(5);
    expect(all.items.every((c) => c.orgUnit.name === '翰林社区' || c.orgUnit.name.endsWith('网格'))).toBe(
      true,
    );
    const ranks = all.items.map((c) =>
      c.overdue ? 2 : ['reported', 'registered'].includes(c.status) ? 1 : 0,
    );
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await secretary.get(`/api/v1/cases?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      const p = res.json() as CasePage;
      seen.push(...p.items.map((c) => c.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((c) => c.id));
    const filtered = (await (
      await secretary.get('/api/v1/cases?status=reported&categoryCode=02')
    ).json()) as CasePage;
    expect(filtered.items.length).toBeGreaterThan(0);
    expect(filtered.items.every((c) => c.status === 'reported' && c.category.code.startsWith('02'))).toBe(
      true,
    );
    const jiahe = (await (await jiaheWorker.get('/api/v1/cases?limit=200')).json()) as CasePage;
    expect(jiahe.items.every((c) => !all.items.some((a) => a.id === c.id))).toBe(true);
    expect((await resident.get('/api/v1/cases')).statusCode).toBe(403);
    expect((await secretary.get('/api/v1/cases?cursor=nonsense')).statusCode).toBe(400);
  });

  it('shows a squad member the cases of their squad with mine=true', async () => {
    const p = (await (await squad1.get('/api/v1/cases?mine=true&limit=200')).json()) as CasePage;
    expect(p.items.length).toBeGreaterThan(0);
    expect(p.items.every((c) => c.handler?.name === '翰林社区城管中队' || c.handler?.kind === 'person')).toBe(
      true,
    );
  });

  it('costs at most 5 queries whatever the page size', async () => {
    const cost = async (limit: number) => {
      const before = t.database.queryCount();
      const res = await secretary.get(`/api/v1/cases?limit=${limit}`);
      expect(res.statusCode).toBe(200);
      expect(res.json().items.length).toBe(limit);
      return t.database.queryCount() - before;
    };
    expect(await cost(10)).toBe(await cost(2));
    const hanlin = await unitByName(t.database.db, '翰林社区');
    const district = await unitByName(t.database.db, '罗江区');
    const actor = actorWith([
      { role: 'community_secretary', unit: hanlin },
      { role: 'squad_member', unit: hanlin },
      { role: 'department_staff', unit: district },
    ]);
    for (const limit of [1, 50]) {
      const before = t.database.queryCount();
      const page = await listStaffCases(
        { db: t.database.db, clock, dataDir },
        { actor, requestId: null, ip: null, userAgent: null },
        { limit },
      );
      expect(page.items.length).toBeGreaterThan(0);
      expect(t.database.queryCount() - before).toBeLessThanOrEqual(5);
    }
  });

  it('lists 我的诉求: reported and followed', async () => {
    const res = await neighbour.get('/api/v1/cases/mine');
    expect(res.statusCode, res.body).toBe(200);
    const mine = res.json() as CasePage;
    expect(mine.items.length).toBeGreaterThan(0);
    expect(mine.items.every((c) => c.reporter === null)).toBe(true);
  });
});

describe('categories, rules and boundaries', () => {
  it('lists the categories publicly and lets the district edit a rule', async () => {
    const cats = (await (await new Client(t.app).get('/api/v1/case-categories')).json()).items as {
      code: string;
      urgent: boolean;
      sla: Record<string, { hours: number; clock: boolean }>;
    }[];
    expect(cats.find((c) => c.code === '0201')).toMatchObject({
      urgent: false,
      sla: { handle: { hours: 24, clock: false } },
    });
    expect(cats.find((c) => c.code === '0403')).toMatchObject({
      urgent: true,
      sla: { handle: { hours: 0.5, clock: true } },
    });
    const rules = (await (await secretary.get('/api/v1/case-routing-rules')).json()).items as {
      categoryCode: string;
      handlerKind: string;
    }[];
    expect(
      rules
        .filter((r) => r.handlerKind === 'squad')
        .map((r) => r.categoryCode)
        .sort(),
    ).toEqual(['01', '02', '05', '2101', '2102', '2103'].sort());
    expect(
      (await put(secretary, '/api/v1/case-routing-rules/2104', { handlerKind: 'squad' })).statusCode,
    ).toBe(403);
    const res = await put(admin, '/api/v1/case-routing-rules/2104', { handlerKind: 'squad' });
    expect(res.statusCode, res.body).toBe(200);
    const routed = await report(resident, posters({ categoryCode: '2104', description: '楼下餐馆油烟扰民' }));
    expect(routed.json().handler).toMatchObject({ kind: 'squad', name: '翰林社区城管中队' });
  });

  it('lets the district edit a category SLA, and new cases count on it', async () => {
    const patch = (c: Client, body: unknown) =>
      c.request({ method: 'PATCH', url: '/api/v1/case-categories/0202', payload: body });
    expect((await patch(secretary, { sla: { register: { hours: 1, clock: true } } })).statusCode).toBe(403);
    expect((await patch(admin, { sla: { nonsense: { hours: 1, clock: true } } })).statusCode).toBe(400);
    const res = await patch(admin, { sla: { register: { hours: 1, clock: true } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().sla.register).toEqual({ hours: 1, clock: true });
    expect(res.json().sla.handle).toEqual({ hours: 72, clock: false });
    const r = await report(resident, posters({ categoryCode: '0202', description: '违规悬挂广告牌匾' }));
    expect(Date.parse(r.json().dueAt) - clock.now().getTime()).toBe(3_600_000);
  });

  it('lists the squads with their members and duties', async () => {
    const res = await secretary.get('/api/v1/squads');
    expect(res.statusCode, res.body).toBe(200);
    const hanlin = res.json().items.find((s: { name: string }) => s.name === '翰林社区城管中队');
    expect(hanlin.community.name).toBe('翰林社区');
    expect(hanlin.members.map((m: { displayName: string; duty: string }) => [m.displayName, m.duty])).toEqual(
      [
        ['张执法', 'enforcement_officer'],
        ['赵社干', 'community_cadre'],
        ['钱双岗', 'both'],
      ],
    );
    expect((await resident.get('/api/v1/squads')).statusCode).toBe(403);
  });

  it('shows community outlines to anyone and grid outlines only to staff in scope', async () => {
    const anon = new Client(t.app);
    const hanlin = await unitByName(t.database.db, '翰林社区');
    const community = await anon.get(`/api/v1/org-units/${hanlin.id}/boundary`);
    expect(community.statusCode, community.body).toBe(200);
    expect(['Polygon', 'MultiPolygon']).toContain(community.json().geometry.type);
    const [grid] = await t.database.db
      .select()
      .from(orgUnits)
      .where(and(eq(orgUnits.parentId, hanlin.id), eq(orgUnits.kind, 'grid')))
      .limit(1);
    expect(grid, 'the demo has grids under 翰林社区').toBeDefined();
    const gridUrl = `/api/v1/org-units/${grid!.id}/boundary`;
    expect((await anon.get(gridUrl)).statusCode).toBe(401);
    expect((await secretary.get(gridUrl)).statusCode).toBe(200);
    const jiahe = await loginAs(t.app, 'jiahe-worker');
    expect((await jiahe.get(gridUrl)).statusCode).toBe(404);
  });

  it('validates and stores an uploaded boundary', async () => {
    const unit = await unitByName(t.database.db, '景乐社区');
    const url = `/api/v1/org-units/${unit.id}/boundary`;
    const before = (await admin.get(url)).json();
    expect(before.source).toBe('generated');
    const open = {
      type: 'Polygon',
      coordinates: [
        [
          [104.5, 31.3],
          [104.51, 31.3],
          [104.51, 31.31],
        ],
      ],
    };
    let res = await put(admin, url, open);
    expect(res.statusCode).toBe(400);
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [104.5, 31.3],
          [104.51, 31.31],
          [104.51, 31.3],
          [104.5, 31.31],
          [104.5, 31.3],
        ],
      ],
    };
    res = await put(admin, url, bowtie);
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain('crosses itself');
    expect((await put(secretary, url, before.geometry)).statusCode).toBe(403);
    res = await put(admin, url, {
      type: 'Feature',
      properties: { name: '景乐社区' },
      geometry: before.geometry,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().source).toBe('upload');
  });

  it('places sampled points of the district in exactly the community whose boundary holds them', async () => {
    const db = t.database.db;
    const all = await db.select().from(orgUnitBoundaries);
    const district = all.find((b) => b.depth === 0)!;
    const communities = all.filter((b) => b.depth === 2);
    expect(communities).toHaveLength(93);
    let placed = 0;
    for (let i = 0; i < 15; i++)
      for (let j = 0; j < 15; j++) {
        const lng = district.minLng + ((district.maxLng - district.minLng) * (i + 0.5)) / 15;
        const lat = district.minLat + ((district.maxLat - district.minLat) * (j + 0.5)) / 15;
        const p: [number, number] = [lng, lat];
        if (pointInGeometry(p, district.geometry as AreaGeometry) !== 'inside') {
          await expect(placeReport(db, district.districtId, { lat, lng })).rejects.toMatchObject({
            status: 422,
          });
          continue;
        }
        const holders = communities.filter(
          (c) => pointInGeometry(p, c.geometry as AreaGeometry) === 'inside',
        );
        expect(holders, `${lat},${lng}`).toHaveLength(1);
        const place = await placeReport(db, district.districtId, { lat, lng });
        expect(place.communityId).toBe(holders[0]!.orgUnitId);
        placed++;
      }
    expect(placed).toBeGreaterThan(100);
    const hanlin = await unitByName(db, '翰林社区');
    expect((await placeReport(db, district.districtId, HANLIN)).communityId).toBe(hanlin.id);
  });
});
