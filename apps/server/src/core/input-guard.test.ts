import { Type } from 'typebox';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, residentLogin, type TestApp } from '../../test/harness';
import { multipart, PNG, POSTERS } from '../modules/cases/fixtures';
import { registerInputGuard } from './input-guard';

let t: TestApp;
let admin: Client;
let resident: Client;
beforeAll(async () => {
  t = await buildTestApp();
  admin = await loginAs(t.app, 'admin');
  resident = await residentLogin(t, '13800000001');
});
afterAll(() => t.close());

type Problem = { code: string; status: number; errors?: { field: string; code?: string }[] };

/** A 400 problem+json naming `field` with `code`. */
function expectRefused(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  field: string,
  code = 'invalid-characters',
) {
  expect(res.statusCode).toBe(400);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const problem = res.json() as Problem;
  expect(problem.code).toBe(code);
  expect(problem.errors?.map((e) => e.field)).toContain(field);
}

function report(c: Client, fields: Record<string, string | number>) {
  const body = multipart([
    ...Object.entries(fields).map(([name, value]) => ({ name, value: String(value) })),
    { name: 'photos', filename: 'a.png', type: 'image/png', data: PNG },
  ]);
  return c.post('/api/v1/cases', body.payload, body.headers);
}

describe('control characters', () => {
  it('refuses NUL in a query filter that goes to the database', async () => {
    expectRefused(await t.app.inject('/api/v1/org-units?q=a%00b'), 'querystring/q');
    expectRefused(await admin.get('/api/v1/accounts?q=%00'), 'querystring/q');
  });

  it('refuses NUL in the sign-in username', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'ad\u0000min', password: 'whatever-it-is' },
    });
    expectRefused(res, 'body/username');
  });

  it('refuses NUL in a calendar day name and in a path parameter', async () => {
    const put = await admin.request({
      method: 'PUT',
      url: '/api/v1/calendar/days/2026-12-01',
      payload: { kind: 'holiday', name: '假\u0000日' },
    });
    expectRefused(put, 'body/name');
    expectRefused(await admin.get('/api/v1/org-units/%00'), 'params/id');
  });

  it('refuses the other control characters everywhere, and in object keys', async () => {
    for (const bad of ['\u0001', '\u001b[31m', '\u007f', '\u0085']) {
      expectRefused(
        await t.app.inject(`/api/v1/org-units?q=${encodeURIComponent(`a${bad}`)}`),
        'querystring/q',
      );
    }
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'x', 'a\u0000b': 1 },
    });
    expectRefused(res, 'body/a\u0000b');
  });

  it('refuses half a surrogate pair, which json columns cannot store', async () => {
    const res = await admin.post('/api/v1/open311-keys', { partnerName: 'app \ud800' });
    expectRefused(res, 'body/partnerName');
  });

  it('allows tab and line breaks in free text only', async () => {
    const units = (await admin.get('/api/v1/org-units?q=翰林社区&kind=community')).json() as {
      items: { id: string }[];
    };
    const orgUnitId = units.items[0]!.id;
    const title = await admin.post('/api/v1/notices', { orgUnitId, title: '停水\n通知', body: '明天停水' });
    expectRefused(title, 'body/title');
    const body = await admin.post('/api/v1/notices', {
      orgUnitId,
      title: '停水通知',
      body: '明天 8:00–12:00 停水。\r\n\t请提前储水。',
    });
    expect(body.statusCode, body.body).toBe(201);
  });

  it('checks the text fields of a multipart form, free text included', async () => {
    expectRefused(await report(resident, { ...POSTERS, description: '小广告\u0000' }), 'body/description');
    expectRefused(await report(resident, { ...POSTERS, address: '翰林\n社区' }), 'body/address');
    const ok = await report(resident, { ...POSTERS, description: '楼道小广告\n贴满了三层' });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('checks the Open311 form and answers in the Open311 format', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/open311/v2/requests.json',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'api_key=k&service_code=0201&address_string=a&attribute%5Bx%00%5D=1',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/json');
    expect(JSON.stringify(res.json())).toContain('body/attribute[x\\u0000]');
  });
});

describe('numbers that arrive as text', () => {
  it('refuses numbers that overflow instead of passing Infinity to the database', async () => {
    for (const url of [
      '/api/v1/notices?limit=1e309',
      `/api/v1/notices?limit=${'9'.repeat(140)}`,
      '/api/v1/notices?limit=Infinity',
      '/api/v1/notices?limit=0x10',
      '/api/v1/org-units?limit=-1e309',
    ]) {
      expectRefused(await t.app.inject(url), 'querystring/limit', 'validation');
    }
    expectRefused(await t.app.inject('/api/v1/calendar?year=1e309'), 'querystring/year', 'validation');
    expectRefused(
      await t.app.inject(`/api/v1/calendar?year=${'2'.repeat(140)}`),
      'querystring/year',
      'validation',
    );
    expectRefused(await admin.get('/api/v1/audit?limit=1e309'), 'querystring/limit', 'validation');
  });

  it('still takes plain decimals', async () => {
    expect((await t.app.inject('/api/v1/notices?limit=5')).statusCode).toBe(200);
    expect((await t.app.inject('/api/v1/calendar?year=2026')).statusCode).toBe(200);
  });

  it('refuses a day that does not exist instead of failing on it', async () => {
    const res = await admin.get('/api/v1/cases/stats?from=2026-01-01&to=2026-02-30');
    expectRefused(res, 'querystring/to', 'validation');
  });
});

describe('structure', () => {
  it('refuses a body nested deeper than 32 levels', async () => {
    const deep = `{"username":"a","password":"b","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: deep,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation');
  });
});

describe('routes the guard cannot check', () => {
  it('stop the start-up when a number has no bounds', () => {
    const app = Fastify();
    registerInputGuard(app);
    const unbounded = Type.Object({ n: Type.Optional(Type.Integer({ minimum: 1 })) });
    expect(() => app.get('/x', { schema: { querystring: unbounded } }, () => ({}))).toThrow(/querystring\/n/);
  });

  it('stop the start-up when a route takes a form it does not declare', () => {
    const app = Fastify();
    registerInputGuard(app);
    const undeclared = { consumes: ['multipart/form-data'] };
    expect(() => app.post('/x', { schema: undeclared }, () => ({}))).toThrow(/schema\.form/);
  });
});
