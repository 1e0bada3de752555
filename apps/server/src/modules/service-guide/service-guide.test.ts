import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, type TestApp } from '../../../test/harness';

let t: TestApp;
let anon: Client;
const unitId = async (name: string) => {
  const res = await anon.get(`/api/v1/org-units?q=${encodeURIComponent(name)}`);
  return (res.json().items as { id: string; name: string }[]).find((u) => u.name === name)!.id;
};

beforeAll(async () => {
  t = await buildTestApp();
  anon = new Client(t.app);
});
afterAll(() => t.close());

type Summary = { id: string; code: string; name: string; mode: string; highlights: { ranges: number[][] }[] };
const search = async (q: string, extra = '') =>
  (await anon.get(`/api/v1/service-items?q=${encodeURIComponent(q)}${extra}`)).json().items as Summary[];

describe('GET /service-items (the one search box, no sign-in)', () => {
  it.each([
    ['最低生活保障', '最低生活保障'],
    ['db', '最低生活保障'],
    ['dibao', '最低生活保障'],
    ['低保', '最低生活保障'],
    ['老年证', '申领《四川省老年人优待证》'],
    ['最低生活保证', '最低生活保障'],
    ['残疾人证新半', '残疾人证新办'],
  ])('finds “%s” → %s in the top three', async (q, expected) => {
    const items = await search(q, '&limit=3');
    expect(items.length).toBeGreaterThan(0);
    expect(items.map((i) => i.name)).toContain(expected);
    expect(Object.keys(items[0]!)).toEqual(expect.arrayContaining(['id', 'name', 'mode', 'highlights']));
  });

  it('highlights the matched part of the name', async () => {
    const [first] = await search('低生活');
    expect(first?.name).toBe('最低生活保障');
    expect(first?.highlights[0]?.ranges[0]).toEqual([1, 4]);
  });

  it('answers nothing for gibberish and a blank query browses by popularity', async () => {
    expect(await search('xqzjw')).toEqual([]);
    const browse = (await anon.get('/api/v1/service-items?limit=5')).json().items as Summary[];
    expect(browse).toHaveLength(5);
  });

  it('filters by mode, life event and the items a community offers', async () => {
    const direct = (await anon.get('/api/v1/service-items?mode=direct&limit=200')).json().items as Summary[];
    expect(direct).toHaveLength(19);
    expect(direct.every((i) => i.mode === 'direct')).toBe(true);
    const proxy = (await anon.get('/api/v1/service-items?mode=proxy&limit=200')).json().items as Summary[];
    expect(proxy).toHaveLength(106);
    const disabled = (
      await anon.get(`/api/v1/service-items?lifeEvent=${encodeURIComponent('残疾')}&limit=200`)
    ).json().items as Summary[];
    expect(disabled.length).toBeGreaterThan(5);
    const hanlin = await unitId('翰林社区');
    const offered = (await anon.get(`/api/v1/service-items?orgUnitId=${hanlin}&limit=200`)).json().items;
    expect(offered).toHaveLength(125);
    const elsewhere = await unitId('景乐社区');
    expect((await anon.get(`/api/v1/service-items?orgUnitId=${elsewhere}`)).json().items).toEqual([]);
  });

  it('costs no database query once the catalogue is loaded', async () => {
    await search('社保卡');
    const before = t.database.queryCount();
    await search('医保报销');
    await search('yibao');
    expect(t.database.queryCount() - before).toBe(0);
  });

  it('answers 400 naming the field for a bad limit and 404 for an unknown community', async () => {
    const bad = await anon.get('/api/v1/service-items?limit=0');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toContain('querystring/limit');
    const unknown = await anon.get('/api/v1/service-items?orgUnitId=01a21ec6-c7d7-7006-bfa5-6de3bb1dce11');
    expect(unknown.statusCode).toBe(404);
  });
});

describe('GET /service-items about a life event (生孩子, 结婚, 退休, 老人去世, 孩子上学)', () => {
  type Answer = { items: Summary[]; lifeEvent?: { name: string; items: Summary[] } };
  const ask = async (q: string, extra = '') =>
    (await anon.get(`/api/v1/service-items?q=${encodeURIComponent(q)}${extra}`)).json() as Answer;
  const tagged = async (event: string) =>
    (
      (await anon.get(`/api/v1/service-items?lifeEvent=${encodeURIComponent(event)}&limit=200`)).json()
        .items as Summary[]
    )
      .map((i) => i.code)
      .sort();

  it.each([
    ['生孩子要办什么', '生育', ['户口登记', '生育津贴支付', '生育医疗费支付', '城乡居民参保登记']],
    ['结婚', '结婚', ['结婚登记预约', '补领结婚证', '户口变更']],
    ['快退休了', '退休', ['企业职工基本养老保险正常退休申请', '养老保险定期待遇领取资格认证']],
    ['家里老人去世了怎么办', '身后事', ['户口注销', '遗属待遇申领', '参保人员个人账户资金一次性支取']],
    ['孩子上学', '入学', ['学前教育、义务教育阶段入学办理', '居住证办理']],
  ])(
    '“%s” names the event %s and lists every item tagged with it, past the limit',
    async (q, event, some) => {
      const answer = await ask(q, '&limit=3');
      expect(answer.items.length).toBeLessThanOrEqual(3);
      expect(answer.lifeEvent?.name).toBe(event);
      const all = answer.lifeEvent!.items;
      expect(all.map((i) => i.code).sort()).toEqual(await tagged(event));
      expect(all.length).toBeGreaterThan(3);
      expect(all.map((i) => i.name)).toEqual(expect.arrayContaining(some));
      // The ranked results lead with one of them too.
      expect(all.map((i) => i.id)).toContain(answer.items[0]!.id);
    },
  );

  it('answers no life event for a question about one item, and keeps the other filters', async () => {
    expect((await ask('残疾人证换领')).lifeEvent).toBeUndefined();
    expect((await ask('xqzjw')).lifeEvent).toBeUndefined();
    const direct = await ask('生孩子', '&mode=direct');
    expect(direct.lifeEvent?.items.map((i) => i.name)).toEqual(['城乡居民参保登记']);
    // A filter that leaves nothing of the event: no card rather than an empty one.
    expect((await ask('老人去世', '&mode=direct')).lifeEvent).toBeUndefined();
  });
});

describe('GET /service-items/:id', () => {
  it('returns the whole guide and the community’s own place and hours', async () => {
    const [item] = await search('最低生活保障');
    const hanlin = await unitId('翰林社区');
    const res = await anon.get(`/api/v1/service-items/${item!.id}?orgUnitId=${hanlin}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ id: item!.id, mode: 'proxy', version: 1 });
    expect(body.guide.materials.length).toBeGreaterThan(0);
    expect(body.guide.onsiteVisits).toBe(1);
    expect(body.offering).toMatchObject({
      orgUnit: { name: '翰林社区' },
      location: expect.stringContaining('翰林社区'),
    });
    const noOffer = await anon.get(`/api/v1/service-items/${item!.id}?orgUnitId=${await unitId('景乐社区')}`);
    expect(noOffer.json().offering).toBeNull();
  });

  it('answers a 404 problem for an unknown item and 400 for a malformed id', async () => {
    const missing = await anon.get('/api/v1/service-items/01a21ec6-c7d7-7006-bfa5-6de3bb1dce11');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const bad = await anon.get('/api/v1/service-items/not-an-id');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params/id');
  });
});

describe('GET /service-items/facets', () => {
  it('counts 19 direct and 106 proxy items, by department and life event', async () => {
    const f = (await anon.get('/api/v1/service-items/facets')).json();
    expect(f.modes).toEqual([
      { mode: 'direct', count: 19 },
      { mode: 'proxy', count: 106 },
    ]);
    expect(f.departments.reduce((n: number, d: { count: number }) => n + d.count, 0)).toBe(125);
    expect(f.lifeEvents.length).toBeGreaterThan(5);
  });
});
