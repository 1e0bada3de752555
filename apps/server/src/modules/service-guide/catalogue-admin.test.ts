import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';

let t: TestApp;
let anon: Client;
let admin: Client;
let secretary: Client;
let worker: Client;
const MISSING = '01a21ec6-c7d7-7006-bfa5-6de3bb1dce11';

const guide = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  basicCode: null,
  itemType: '公共服务',
  department: '罗江区民政局',
  serviceObject: '自然人',
  legalBasis: ['《社会救助暂行办法》'],
  acceptanceConditions: '户籍在本区',
  materials: [
    { name: '居民身份证', form: '原件', copies: 1, required: true },
    { name: '户口簿', form: '复印件', copies: 1, required: false },
  ],
  process: ['申请', '受理', '办结'],
  caseType: '承诺件',
  statutoryTimeLimitDays: null,
  promisedTimeLimitWorkingDays: 5,
  fee: { charged: false, basis: null },
  location: '社区便民服务室',
  serviceHours: '工作日',
  consultPhone: null,
  complaintPhone: null,
  onlineChannels: [],
  onsiteVisits: 1,
  faq: [],
  themes: [],
  lifeEvents: ['养老'],
  aliases: [],
  ...extra,
});

const unitId = async (name: string) => {
  const res = await anon.get(`/api/v1/org-units?q=${encodeURIComponent(name)}`);
  return (res.json().items as { id: string; name: string }[]).find((u) => u.name === name)!.id;
};

beforeAll(async () => {
  t = await buildTestApp();
  anon = new Client(t.app);
  admin = await loginAs(t.app, 'admin');
  secretary = await loginAs(t.app, 'hanlin-secretary');
  worker = await loginAs(t.app, 'jiahe-worker');
});
afterAll(() => t.close());

describe('catalogue management', () => {
  it('refuses anonymous callers with 401 and community staff with 403', async () => {
    expect(
      (await anon.post('/api/v1/service-items', { code: 'X1', mode: 'direct', guide: guide('测试事项') }))
        .statusCode,
    ).toBe(401);
    expect(
      (
        await secretary.post('/api/v1/service-items', {
          code: 'X1',
          mode: 'direct',
          guide: guide('测试事项'),
        })
      ).statusCode,
    ).toBe(403);
    expect((await secretary.get('/api/v1/service-synonyms')).statusCode).toBe(403);
    const resident = await residentLogin(t, '13800000001');
    expect((await resident.get('/api/v1/service-items/export.xlsx')).statusCode).toBe(403);
  });

  it('answers 400 naming the invalid fields', async () => {
    const res = await admin.post('/api/v1/service-items', {
      code: 'bad code!',
      mode: 'walk-in',
      guide: { name: 'x' },
    });
    expect(res.statusCode).toBe(400);
    const fields = (res.json().errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body/code', 'body/mode', 'body/guide/department']));
  });

  it('creates a draft that the public guide does not show until it is published', async () => {
    const created = await admin.post('/api/v1/service-items', {
      code: 'T900',
      mode: 'direct',
      guide: guide('高龄津贴测试申领'),
      changeNote: '新增',
    });
    expect(created.statusCode).toBe(201);
    const item = created.json();
    expect(item).toMatchObject({ status: 'draft', draftVersion: 1, publishedVersion: null });
    expect((await anon.get(`/api/v1/service-items/${item.id}`)).statusCode).toBe(404);
    expect(
      (await admin.post('/api/v1/service-items', { code: 'T900', mode: 'direct', guide: guide('重复') }))
        .statusCode,
    ).toBe(409);

    const published = await admin.post(`/api/v1/service-items/${item.id}/publish`);
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ status: 'published', publishedVersion: 1, draftVersion: null });
    const found = (await anon.get(`/api/v1/service-items?q=${encodeURIComponent('高龄津贴测试')}`)).json()
      .items;
    expect(found.map((i: { id: string }) => i.id)).toContain(item.id);
  });

  it('publishes an edit of a live item: the new version goes public and history lists both', async () => {
    const [first] = (await anon.get('/api/v1/service-items?limit=1')).json().items;
    const before = (await anon.get(`/api/v1/service-items/${first.id}`)).json();
    const edited = { ...before.guide, serviceHours: '工作日 8:30–17:30（新）' };
    const draft = await admin.request({
      method: 'PUT',
      url: `/api/v1/service-items/${first.id}/draft`,
      payload: { guide: edited, changeNote: '调整办理时间' },
    });
    expect(draft.statusCode).toBe(200);
    expect(draft.json()).toMatchObject({
      status: 'published',
      publishedVersion: before.version,
      draftVersion: before.version + 1,
    });
    // The published version stays live while the draft waits.
    expect((await anon.get(`/api/v1/service-items/${first.id}`)).json().guide.serviceHours).toBe(
      before.guide.serviceHours,
    );
    // Saving again replaces the draft rather than stacking versions.
    const again = await admin.request({
      method: 'PUT',
      url: `/api/v1/service-items/${first.id}/draft`,
      payload: { guide: edited, changeNote: '调整办理时间（二）' },
    });
    expect(again.json().draftVersion).toBe(before.version + 1);

    expect((await admin.post(`/api/v1/service-items/${first.id}/publish`)).statusCode).toBe(200);
    const after = (await anon.get(`/api/v1/service-items/${first.id}`)).json();
    expect(after.version).toBe(before.version + 1);
    expect(after.guide.serviceHours).toBe('工作日 8:30–17:30（新）');

    const history = (await admin.get(`/api/v1/service-items/${first.id}/versions`)).json().items;
    expect(history.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [before.version + 1, 'published'],
      [before.version, 'superseded'],
    ]);
    const old = await admin.get(`/api/v1/service-items/${first.id}/versions/${before.version}`);
    expect(old.json().guide.serviceHours).toBe(before.guide.serviceHours);
    expect((await admin.get(`/api/v1/service-items/${first.id}/versions/99`)).statusCode).toBe(404);
  });

  it('tags an item with a life event in its guide: once published, a search about the event lists it', async () => {
    const about = async () =>
      (await anon.get(`/api/v1/service-items?q=${encodeURIComponent('孩子上学')}`)).json().lifeEvent as {
        name: string;
        items: { id: string }[];
      };
    const [permit] = (
      await anon.get(`/api/v1/service-items?q=${encodeURIComponent('亲属关系证明')}&limit=1`)
    ).json().items;
    expect((await about()).items.map((i) => i.id)).not.toContain(permit.id);
    const before = (await anon.get(`/api/v1/service-items/${permit.id}`)).json();
    const draft = await admin.request({
      method: 'PUT',
      url: `/api/v1/service-items/${permit.id}/draft`,
      payload: {
        guide: { ...before.guide, lifeEvents: [...before.guide.lifeEvents, '入学'] },
        changeNote: '入学时证明亲子关系',
      },
    });
    expect(draft.statusCode).toBe(200);
    expect((await about()).items.map((i) => i.id)).not.toContain(permit.id);
    expect((await admin.post(`/api/v1/service-items/${permit.id}/publish`)).statusCode).toBe(200);
    const after = await about();
    expect(after.name).toBe('入学');
    expect(after.items.map((i) => i.id)).toContain(permit.id);
  });

  it('refuses to publish without a draft, naming the state (409 invalid-transition)', async () => {
    const [first] = (await anon.get('/api/v1/service-items?limit=1')).json().items;
    const res = await admin.post(`/api/v1/service-items/${first.id}/publish`);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'invalid-transition' });
    expect(res.json().state).toContain('published');
    expect((await admin.post(`/api/v1/service-items/${MISSING}/publish`)).statusCode).toBe(404);
  });

  it('retires an item: gone from the public guide, and a second retire is 409', async () => {
    const created = (
      await admin.post('/api/v1/service-items', { code: 'T901', mode: 'proxy', guide: guide('待退役事项') })
    ).json();
    await admin.post(`/api/v1/service-items/${created.id}/publish`);
    const retired = await admin.post(`/api/v1/service-items/${created.id}/retire`);
    expect(retired.json().status).toBe('retired');
    expect((await anon.get(`/api/v1/service-items/${created.id}`)).statusCode).toBe(404);
    const again = await admin.post(`/api/v1/service-items/${created.id}/retire`);
    expect(again.statusCode).toBe(409);
    expect(again.json().state).toBe('retired');
  });
});

describe('synonyms', () => {
  it('adds a group that search uses at once, lists it and deletes it', async () => {
    const q = `/api/v1/service-items?q=${encodeURIComponent('养老金资格')}&limit=3`;
    const names = async () => (await anon.get(q)).json().items.map((i: { name: string }) => i.name);
    // Asked before the synonym exists, so a cached answer must not outlive the edit.
    expect(await names()).not.toContain('高龄津贴测试申领');
    const bad = await admin.post('/api/v1/service-synonyms', { terms: ['只有一个'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body/terms');
    const created = await admin.post('/api/v1/service-synonyms', {
      terms: ['养老金资格', '高龄津贴测试申领'],
    });
    expect(created.statusCode).toBe(201);
    const hits = (await anon.get(q)).json().items.map((i: { name: string }) => i.name);
    expect(hits).toContain('高龄津贴测试申领');
    const list = (await admin.get('/api/v1/service-synonyms')).json().items;
    expect(list.some((s: { id: string }) => s.id === created.json().id)).toBe(true);
    expect((await admin.delete(`/api/v1/service-synonyms/${created.json().id}`)).statusCode).toBe(204);
    expect(await names()).not.toContain('高龄津贴测试申领');
    expect((await admin.delete(`/api/v1/service-synonyms/${created.json().id}`)).statusCode).toBe(404);
  });
});

describe('community offerings', () => {
  it('lets a community secretary manage their own service room, and hides others (404)', async () => {
    const hanlin = await unitId('翰林社区');
    const jiahe = await unitId('家和社区');
    const list = await secretary.get(`/api/v1/org-units/${hanlin}/offerings`);
    expect(list.statusCode).toBe(200);
    const [first] = list.json().items;
    expect(first).toMatchObject({ active: true });
    expect((await secretary.get(`/api/v1/org-units/${jiahe}/offerings`)).statusCode).toBe(404);
    expect((await anon.get(`/api/v1/org-units/${hanlin}/offerings`)).statusCode).toBe(401);

    const put = await secretary.request({
      method: 'PUT',
      url: `/api/v1/org-units/${hanlin}/offerings/${first.itemId}`,
      payload: { location: '翰林社区二楼', hours: '周一至周五 9:00–17:00', phone: '0838-1234567' },
    });
    expect(put.statusCode).toBe(200);
    const detail = (await anon.get(`/api/v1/service-items/${first.itemId}?orgUnitId=${hanlin}`)).json();
    expect(detail.offering).toMatchObject({ location: '翰林社区二楼', phone: '0838-1234567' });

    const bad = await secretary.request({
      method: 'PUT',
      url: `/api/v1/org-units/${hanlin}/offerings/${first.itemId}`,
      payload: { hours: '' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['body/location', 'body/hours']),
    );

    const del = await secretary.delete(`/api/v1/org-units/${hanlin}/offerings/${first.itemId}`);
    expect(del.json().active).toBe(false);
    expect(
      (await anon.get(`/api/v1/service-items/${first.itemId}?orgUnitId=${hanlin}`)).json().offering,
    ).toBeNull();
    expect((await worker.delete(`/api/v1/org-units/${hanlin}/offerings/${first.itemId}`)).statusCode).toBe(
      404,
    );
  });

  it('refuses a unit that is not a community or grid (422)', async () => {
    const district = (await admin.get('/api/v1/me')).json().grants[0].orgUnit.id;
    const res = await admin.get(`/api/v1/org-units/${district}/offerings`);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('org-unit-kind');
  });
});

describe('the console catalogue editor', () => {
  it('lists every status by code with filters and a cursor, and refuses community staff', async () => {
    expect((await secretary.get('/api/v1/service-items/admin')).statusCode).toBe(403);
    expect((await anon.get('/api/v1/service-items/admin')).statusCode).toBe(401);
    const first = await admin.get('/api/v1/service-items/admin?limit=5&mode=direct');
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items).toHaveLength(5);
    expect(page1.items.every((i: { mode: string }) => i.mode === 'direct')).toBe(true);
    expect(page1.nextCursor).toBe(page1.items[4].code);
    const page2 = (
      await admin.get(`/api/v1/service-items/admin?limit=5&mode=direct&cursor=${page1.nextCursor}`)
    ).json();
    expect(page2.items[0].code > page1.items[4].code).toBe(true);
    const row = page1.items[0];
    expect(row).toMatchObject({ basicCode: expect.any(String), caseType: expect.any(String) });

    const draft = await admin.post('/api/v1/service-items', {
      code: 'T950',
      mode: 'proxy',
      guide: guide('列表草稿测试事项', { statutoryTimeLimitDays: 20 }),
    });
    const drafts = (await admin.get('/api/v1/service-items/admin?hasDraft=true&limit=100')).json().items;
    expect(drafts.map((i: { code: string }) => i.code)).toContain('T950');
    expect(drafts.every((i: { draftVersion: number | null }) => i.draftVersion !== null)).toBe(true);
    const byName = (
      await admin.get(`/api/v1/service-items/admin?q=${encodeURIComponent('列表草稿')}&status=draft`)
    ).json().items;
    expect(byName).toEqual([
      expect.objectContaining({
        id: draft.json().id,
        statutoryTimeLimitDays: 20,
        promisedTimeLimitWorkingDays: 5,
        publishedVersion: null,
        draftVersion: 1,
      }),
    ]);
    const published = (await admin.get('/api/v1/service-items/admin?status=published&q=T950')).json();
    expect(published.items).toEqual([]);
  });

  it('opens the draft when there is one, else the live guide, with the abilities to match', async () => {
    const [item] = (
      await admin.get('/api/v1/service-items/admin?status=published&hasDraft=false&limit=1')
    ).json().items;
    const live = (await admin.get(`/api/v1/service-items/${item.id}/draft`)).json();
    expect(live).toMatchObject({
      version: item.publishedVersion,
      versionStatus: 'published',
      abilities: { saveDraft: true, publish: false, retire: true },
    });
    await admin.request({
      method: 'PUT',
      url: `/api/v1/service-items/${item.id}/draft`,
      payload: { guide: { ...live.guide, fee: { charged: true, basis: '测试收费依据' } } },
    });
    const editing = (await admin.get(`/api/v1/service-items/${item.id}/draft`)).json();
    expect(editing).toMatchObject({
      versionStatus: 'draft',
      version: item.publishedVersion + 1,
      abilities: { publish: true },
    });
    expect(editing.guide.fee).toEqual({ charged: true, basis: '测试收费依据' });
    expect((await admin.get(`/api/v1/service-items/${MISSING}/draft`)).statusCode).toBe(404);
  });

  it('names who saved and who published each version', async () => {
    const created = (
      await admin.post('/api/v1/service-items', {
        code: 'T951',
        mode: 'direct',
        guide: guide('版本署名测试'),
      })
    ).json();
    await admin.post(`/api/v1/service-items/${created.id}/publish`);
    const me = (await admin.get('/api/v1/me')).json();
    const [v] = (await admin.get(`/api/v1/service-items/${created.id}/versions`)).json().items;
    expect(v).toMatchObject({ createdByName: me.displayName, publishedByName: me.displayName });
    const one = (await admin.get(`/api/v1/service-items/${created.id}/versions/1`)).json();
    expect(one.publishedByName).toBe(me.displayName);
  });

  it('keeps the nulls of a guide (no statutory limit stays null, not 0 days)', async () => {
    const created = (
      await admin.post('/api/v1/service-items', {
        code: 'T953',
        mode: 'direct',
        guide: guide('空值保留测试'),
      })
    ).json();
    const saved = (await admin.get(`/api/v1/service-items/${created.id}/draft`)).json().guide;
    expect(saved).toMatchObject({
      basicCode: null,
      statutoryTimeLimitDays: null,
      consultPhone: null,
      fee: { charged: false, basis: null },
    });
    await admin.request({
      method: 'PUT',
      url: `/api/v1/service-items/${created.id}/draft`,
      payload: { guide: { ...saved, promisedTimeLimitWorkingDays: null } },
    });
    const again = (await admin.get(`/api/v1/service-items/${created.id}/draft`)).json().guide;
    expect([again.statutoryTimeLimitDays, again.promisedTimeLimitWorkingDays, again.complaintPhone]).toEqual([
      null,
      null,
      null,
    ]);
  });

  it('refuses duplicate material names and a promised limit over the statutory one, naming the fields', async () => {
    const dup = guide('重复材料测试', {
      materials: [
        { name: '居民身份证', form: '原件', copies: 1, required: true },
        { name: '居民身份证', form: '复印件', copies: 1, required: true },
      ],
      statutoryTimeLimitDays: 3,
      promisedTimeLimitWorkingDays: 5,
    });
    const res = await admin.post('/api/v1/service-items', { code: 'T952', mode: 'direct', guide: dup });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string; code: string }) => [e.field, e.code])).toEqual([
      ['body/guide/materials/1/name', 'duplicate'],
      ['body/guide/promisedTimeLimitWorkingDays', 'exceedsStatutory'],
    ]);
    const [item] = (await admin.get('/api/v1/service-items/admin?limit=1')).json().items;
    const put = await admin.request({
      method: 'PUT',
      url: `/api/v1/service-items/${item.id}/draft`,
      payload: { guide: dup },
    });
    expect(put.statusCode).toBe(400);
    expect(put.json().errors[0].field).toBe('body/guide/materials/1/name');
  });

  it('edits a synonym group, which search uses at once', async () => {
    const created = (
      await admin.post('/api/v1/service-synonyms', { terms: ['甲乙测试词', '丙丁测试词'] })
    ).json();
    const put = (terms: string[], id = created.id) =>
      admin.request({ method: 'PUT', url: `/api/v1/service-synonyms/${id}`, payload: { terms } });
    const bad = await put(['一样', ' 一样 ']);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body/terms');
    const ok = await put(['版本署名捷径', '版本署名测试']);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().terms).toEqual(['版本署名捷径', '版本署名测试']);
    const hits = (await anon.get(`/api/v1/service-items?q=${encodeURIComponent('版本署名捷径')}&limit=3`))
      .json()
      .items.map((i: { name: string }) => i.name);
    expect(hits).toContain('版本署名测试');
    expect((await put(['a1', 'b2'], MISSING)).statusCode).toBe(404);
    const asSecretary = await secretary.request({
      method: 'PUT',
      url: `/api/v1/service-synonyms/${created.id}`,
      payload: { terms: ['x1', 'y2'] },
    });
    expect(asSecretary.statusCode).toBe(403);
  });
});
