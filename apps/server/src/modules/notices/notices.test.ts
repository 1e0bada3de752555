import type { Notice } from '@linli/contracts';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, buildTestApp, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { auditLog } from '../../core/schema';
import { orgUnits } from '../identity/schema';
import { decodeCursor, encodeCursor } from './service';

let t: TestApp;
/** Signed in once: the OTP resend cool-down would refuse a second code for the same phone. */
let resident: Client;
const ids = new Map<string, string>();
const unit = (name: string) => ids.get(name)!;
beforeAll(async () => {
  t = await buildTestApp();
  resident = await residentLogin(t, '13800000001');
  for (const name of ['罗江区', '金山镇', '万安镇', '家和社区', '翰林社区']) {
    const [u] = await t.database.db.select().from(orgUnits).where(eq(orgUnits.name, name)).limit(1);
    ids.set(name, u!.id);
  }
  const [grid] = await t.database.db
    .select()
    .from(orgUnits)
    .where(and(eq(orgUnits.parentId, unit('家和社区')), eq(orgUnits.kind, 'grid')))
    .limit(1);
  ids.set('grid', grid!.id);
});
afterAll(() => t.close());

const feed = async (c: Client, query: string) => {
  const res = await c.get(`/api/v1/notices?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: Notice[]; nextCursor: string | null };
};

const sample = (over: Record<string, unknown> = {}) => ({
  orgUnitId: unit('家和社区'),
  title: '停水通知',
  body: '因管网维修，本周三 9:00—17:00 家和社区一期停水，请提前储水。',
  ...over,
});

describe('GET /notices', () => {
  it('shows anyone the notices of a community and of its town and district, pinned first, newest first', async () => {
    const page = await feed(new Client(t.app), `orgUnitId=${unit('家和社区')}`);
    expect(page.items.length).toBeGreaterThanOrEqual(4);
    const units = new Set(page.items.map((n) => n.orgUnit.name));
    expect(units).toContain('家和社区');
    expect(units).toContain('罗江区');
    expect(units).not.toContain('翰林社区');
    expect(page.items.every((n) => n.status === 'published')).toBe(true);
    const keys = page.items.map((n) => [n.pinned ? 1 : 0, Date.parse(n.publishedAt)] as const);
    for (let i = 1; i < keys.length; i++) {
      const [p0, t0] = keys[i - 1]!;
      const [p1, t1] = keys[i]!;
      expect(p0 > p1 || (p0 === p1 && t0 >= t1)).toBe(true);
    }
  });

  it('pages with a cursor without repeating or skipping a notice', async () => {
    const anon = new Client(t.app);
    const all = await feed(anon, `orgUnitId=${unit('家和社区')}&limit=200`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Notice[]; nextCursor: string | null } = await feed(
        anon,
        `orgUnitId=${unit('家和社区')}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((n) => n.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((n) => n.id));
  });

  it('answers 400 naming the field for a malformed unit id or cursor, 404 for an unknown unit', async () => {
    const anon = new Client(t.app);
    const bad = await anon.get('/api/v1/notices?orgUnitId=nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toContain('orgUnitId');
    const cursor = await anon.get('/api/v1/notices?cursor=garbage');
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json()).toMatchObject({ code: 'validation', errors: [{ field: 'querystring/cursor' }] });
    const unknown = await anon.get('/api/v1/notices?orgUnitId=0190a000-0000-7000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
  });

  it('reads back the cursors it writes', () => {
    const c = {
      pinned: true,
      publishedAt: '2026-11-27T06:05:00.000Z',
      id: '0190a000-0000-7000-8000-000000000000',
    };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
  });
});

describe('POST /notices', () => {
  it('refuses nobody (401), a resident and a staff member without notices.manage (403)', async () => {
    expect((await new Client(t.app).post('/api/v1/notices', sample())).statusCode).toBe(401);
    const r = await resident.post('/api/v1/notices', sample());
    expect(r.statusCode).toBe(403);
    // An office role with read-only permissions at the district: in scope, not allowed.
    const admin = await loginAs(t.app, 'admin');
    const created = await admin.post('/api/v1/accounts', {
      username: 'office-reader',
      displayName: '区办查阅员',
      orgUnitId: unit('罗江区'),
      password: 'Reader-Pass-2026',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().account.id;
    expect(
      (
        await admin.post(`/api/v1/accounts/${id}/grants`, {
          roleCode: 'district_office',
          orgUnitId: unit('罗江区'),
        })
      ).statusCode,
    ).toBe(201);
    const reader = await loginAs(t.app, 'office-reader', 'Reader-Pass-2026');
    const s = await reader.post('/api/v1/notices', sample({ orgUnitId: unit('翰林社区') }));
    expect(s.statusCode).toBe(403);
    expect(s.json().code).toBe('forbidden');
  });

  it('answers 404 for a unit outside the worker’s scope', async () => {
    const worker = await loginAs(t.app, 'jiahe-worker');
    expect((await worker.post('/api/v1/notices', sample({ orgUnitId: unit('翰林社区') }))).statusCode).toBe(
      404,
    );
    expect((await worker.post('/api/v1/notices', sample({ orgUnitId: unit('金山镇') }))).statusCode).toBe(
      404,
    );
  });

  it('answers 400 naming each invalid field', async () => {
    const worker = await loginAs(t.app, 'jiahe-worker');
    const missing = await worker.post('/api/v1/notices', { orgUnitId: unit('家和社区'), body: '正文内容' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors.map((e: { field: string }) => e.field)).toContain('body/title');
    const blank = await worker.post('/api/v1/notices', sample({ title: '   ' }));
    expect(blank.statusCode).toBe(400);
    expect(blank.json().errors).toEqual([
      expect.objectContaining({ field: 'body/title', code: 'minLength' }),
    ]);
    const long = await worker.post('/api/v1/notices', sample({ body: '长'.repeat(5001) }));
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0]).toMatchObject({ field: 'body/body', code: 'maxLength' });
  });

  it('refuses a grid: residents choose a community as home', async () => {
    const worker = await loginAs(t.app, 'jiahe-worker');
    const res = await worker.post('/api/v1/notices', sample({ orgUnitId: unit('grid') }));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'org-unit-kind', errors: [{ field: 'body/orgUnitId' }] });
  });

  it('publishes a pinned notice that residents see first, with its audit record', async () => {
    const worker = await loginAs(t.app, 'jiahe-worker');
    const res = await worker.post('/api/v1/notices', sample({ pinned: true, title: '  停水通知  ' }));
    expect(res.statusCode, res.body).toBe(201);
    const notice = res.json() as Notice;
    expect(notice).toMatchObject({
      title: '停水通知',
      pinned: true,
      status: 'published',
      retractedAt: null,
      author: '王小禾',
      orgUnit: { id: unit('家和社区'), name: '家和社区', kind: 'community' },
    });
    const page = await feed(new Client(t.app), `orgUnitId=${unit('家和社区')}`);
    expect(page.items[0]!.id).toBe(notice.id);
    const hanlin = await feed(new Client(t.app), `orgUnitId=${unit('翰林社区')}`);
    expect(hanlin.items.map((n) => n.id)).not.toContain(notice.id);
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, notice.id));
    expect(audit.map((a) => a.action)).toEqual(['notice.publish']);
  });

  it('lets the district administrator publish for the whole district', async () => {
    const admin = await loginAs(t.app, 'admin');
    const res = await admin.post('/api/v1/notices', sample({ orgUnitId: unit('罗江区'), title: '全区通知' }));
    expect(res.statusCode).toBe(201);
    const hanlin = await feed(new Client(t.app), `orgUnitId=${unit('翰林社区')}`);
    expect(hanlin.items.map((n) => n.title)).toContain('全区通知');
  });
});

describe('POST /notices/:id/retract', () => {
  it('retracts once, hides the notice from residents, and answers 409 the second time', async () => {
    const worker = await loginAs(t.app, 'jiahe-worker');
    const created = (await worker.post('/api/v1/notices', sample({ title: '临时通知' }))).json() as Notice;

    expect((await new Client(t.app).post(`/api/v1/notices/${created.id}/retract`)).statusCode).toBe(401);
    const secretary = await loginAs(t.app, 'hanlin-secretary');
    expect((await secretary.post(`/api/v1/notices/${created.id}/retract`)).statusCode).toBe(403);

    const first = await worker.post(`/api/v1/notices/${created.id}/retract`);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'retracted', retractedAt: expect.any(String) });

    const second = await worker.post(`/api/v1/notices/${created.id}/retract`);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ code: 'invalid-transition', state: 'retracted' });

    const publicFeed = await feed(new Client(t.app), `orgUnitId=${unit('家和社区')}&limit=200`);
    expect(publicFeed.items.map((n) => n.id)).not.toContain(created.id);
    const staffFeed = await feed(worker, `orgUnitId=${unit('家和社区')}&limit=200&includeRetracted=true`);
    expect(staffFeed.items.find((n) => n.id === created.id)?.status).toBe('retracted');

    const audit = await t.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, created.id))
      .orderBy(auditLog.id);
    expect(audit.map((a) => a.action)).toEqual(['notice.publish', 'notice.retract']);
  });

  it('answers 404 for an unknown notice and 400 for a malformed id', async () => {
    const worker = await loginAs(t.app, 'jiahe-worker');
    const unknown = await worker.post('/api/v1/notices/0190a000-0000-7000-8000-000000000000/retract');
    expect(unknown.statusCode).toBe(404);
    const bad = await worker.post('/api/v1/notices/42/retract');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toContain('id');
  });

  it('keeps retracted notices from callers without notices.manage', async () => {
    expect((await new Client(t.app).get('/api/v1/notices?includeRetracted=true')).statusCode).toBe(401);
    expect((await resident.get('/api/v1/notices?includeRetracted=true')).statusCode).toBe(403);
  });
});

describe('GET /notices/:id', () => {
  it('shows a published notice to anyone and a retracted one only to its managers', async () => {
    const worker = await loginAs(t.app, 'jiahe-worker');
    const created = (await worker.post('/api/v1/notices', sample({ title: '单条公告' }))).json() as Notice;
    const anon = new Client(t.app);
    const res = await anon.get(`/api/v1/notices/${created.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: created.id, title: '单条公告', status: 'published' });

    await worker.post(`/api/v1/notices/${created.id}/retract`);
    expect((await anon.get(`/api/v1/notices/${created.id}`)).statusCode).toBe(404);
    const secretary = await loginAs(t.app, 'hanlin-secretary');
    expect((await secretary.get(`/api/v1/notices/${created.id}`)).statusCode).toBe(404);
    const own = await worker.get(`/api/v1/notices/${created.id}`);
    expect(own.statusCode).toBe(200);
    expect(own.json().status).toBe('retracted');
  });
});
