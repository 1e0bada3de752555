import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CasePage, Open311Key, Open311KeyIssued, Open311RequestInfo } from '@linli/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { buildDistrict, unitByName } from '../identity/fixtures';
import { CHENGDU, HANLIN } from '../cases/fixtures';
import { cases } from '../cases/schema';
import { buildKey } from './fixtures';
import { errorsDocument, escapeXml, list, serialise, w3 } from './presenters';
import { formOf, parseUrlEncoded } from './routes';
import { DEMO_OPEN311_KEY, parseW3, windowOf } from './service';

/** The inner texts of every `<name>` element (the documents are flat enough for this). */
const tags = (xml: string, name: string) =>
  [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1]!);

describe('GeoReport serialisation (pure)', () => {
  it('writes XML with the declaration, escaped text and empty elements for nulls; JSON as the bare array', () => {
    const doc = {
      root: 'services',
      item: 'service',
      items: [{ service_code: '01', description: 'a<b & "c"', group: null }],
    };
    const xml = serialise(doc, 'xml');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<services>\n  <service>')).toBe(true);
    expect(xml).toContain('<description>a&lt;b &amp; &quot;c&quot;</description>');
    expect(xml).toContain('<group></group>');
    expect(JSON.parse(serialise(doc, 'json'))).toEqual([
      { service_code: '01', description: 'a<b & "c"', group: null },
    ]);
    expect(escapeXml('x\u0001y')).toBe('xy');
  });

  it('nests lists and writes a single document (the service definition) as an object in JSON', () => {
    const doc = {
      root: 'service_definition',
      item: 'service_definition',
      single: true,
      items: [
        {
          service_code: 'X',
          attributes: list('attribute', [{ code: 'A', values: list('value', [{ key: 1 }]) }]),
        },
      ],
    };
    expect(serialise(doc, 'xml')).toContain(
      '<attributes>\n    <attribute>\n      <code>A</code>\n      <values>\n        <value>\n          <key>1</key>',
    );
    expect(JSON.parse(serialise(doc, 'json'))).toEqual({
      service_code: 'X',
      attributes: [{ code: 'A', values: [{ key: 1 }] }],
    });
  });

  it('writes errors as <errors><error><code>…</code><description>…</description></error></errors>', () => {
    const xml = serialise(errorsDocument([{ code: 403, description: 'Invalid api_key' }]), 'xml');
    expect(xml).toContain(
      '<errors>\n  <error>\n    <code>403</code>\n    <description>Invalid api_key</description>',
    );
  });

  it('formats times in W3C form with the Beijing offset', () => {
    expect(w3(new Date('2026-11-27T02:00:00Z'))).toBe('2026-11-27T10:00:00+08:00');
    expect(w3(null)).toBeNull();
  });

  it('reads W3C dates: zones required with a time, bare dates at Beijing midnight, an unencoded + forgiven', () => {
    expect(parseW3('2010-01-01T00:00:00Z')?.toISOString()).toBe('2010-01-01T00:00:00.000Z');
    expect(parseW3('2026-11-01T08:00:00+08:00')?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseW3('2026-11-01T08:00:00 08:00')?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseW3('2026-11-01')?.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(parseW3('2026-11-01T08:00:00')).toBeNull();
    expect(parseW3('2026-13-01')).toBeNull();
    expect(parseW3('yesterday')).toBeNull();
  });

  it('applies the 90-day window: default, one end given, both ends, and refuses a longer span', () => {
    const now = new Date('2026-11-27T02:00:00Z');
    const day = 86_400_000;
    expect(windowOf({}, now)).toEqual({ from: new Date(now.getTime() - 90 * day), to: now });
    const start = new Date('2026-01-01T00:00:00Z');
    expect(windowOf({ start_date: '2026-01-01T00:00:00Z' }, now)).toEqual({
      from: start,
      to: new Date(start.getTime() + 90 * day),
    });
    expect(windowOf({ end_date: '2026-01-01T00:00:00Z' }, now).from).toEqual(
      new Date(start.getTime() - 90 * day),
    );
    expect(() =>
      windowOf({ start_date: '2026-01-01T00:00:00Z', end_date: '2026-04-02T00:00:00Z' }, now),
    ).toThrow(/90 days/);
    expect(() =>
      windowOf({ start_date: '2026-02-01T00:00:00Z', end_date: '2026-01-01T00:00:00Z' }, now),
    ).toThrow(/earlier/);
    expect(() => windowOf({ start_date: 'soon' }, now)).toThrow(/w3 format/);
  });

  it('parses form bodies: first value wins, attribute[code] and attribute[code][] lists', () => {
    const raw = parseUrlEncoded(
      'api_key=k&service_code=0201&service_code=0999&description=%E5%B0%8F%E5%B9%BF%E5%91%8A+a&attribute[A]=1&attribute[M][]=x&attribute[M][]=y',
    );
    const form = formOf(raw);
    expect(form.fields).toEqual({ api_key: 'k', service_code: '0201', description: '小广告 a' });
    expect(form.attributes).toEqual({ A: '1', M: ['x', 'y'] });
  });
});

let t: TestApp;
let secretary: Client;
let squadMember: Client;
let admin: Client;
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-open311-'));

beforeAll(async () => {
  t = await buildTestApp({ dataDir }, { clock });
  secretary = await loginAs(t.app, 'hanlin-secretary');
  squadMember = await loginAs(t.app, 'hanlin-squad1');
  admin = await loginAs(t.app, 'admin');
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const get = (url: string) => t.app.inject({ method: 'GET', url });

function post311(
  format: 'json' | 'xml',
  fields: Record<string, string>,
  apiKey: string | null = DEMO_OPEN311_KEY,
) {
  const body = new URLSearchParams({ ...(apiKey === null ? {} : { api_key: apiKey }), ...fields });
  return t.app.inject({
    method: 'POST',
    url: `/open311/v2/requests.${format}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    payload: body.toString(),
  });
}

const hanlinPosters = (extra: Record<string, string> = {}) => ({
  jurisdiction_id: 'luojiang.gov.cn',
  service_code: '0201',
  lat: String(HANLIN.lat),
  long: String(HANLIN.lng),
  address_string: '万安镇翰林社区3栋楼道',
  description: '楼道里贴满了开锁小广告',
  first_name: '小明',
  last_name: '王',
  phone: '13812345678',
  email: 'wang@example.com',
  device_id: 'device-1',
  account_id: 'partner-user-7',
  media_url: 'https://partner.example.com/media/1.jpg',
  ...extra,
});

async function created(format: 'json' | 'xml' = 'json', extra: Record<string, string> = {}): Promise<string> {
  const res = await post311(format, hanlinPosters(extra));
  expect(res.statusCode, res.body).toBe(200);
  if (format === 'json') return res.json()[0].service_request_id as string;
  return tags(res.body, 'service_request_id')[0]!;
}

async function caseIdOf(number: string): Promise<string> {
  const page = (await secretary.get('/api/v1/cases?source=open311&limit=100')).json() as CasePage;
  const found = page.items.find((c) => c.number === number);
  if (!found) throw new Error(`no case ${number} on the board`);
  return found.id;
}

function expectJsonError(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/json');
  const body = res.json() as { code: number; description: string }[];
  expect(Array.isArray(body)).toBe(true);
  expect(body[0]!.code).toBe(status);
  expect(body[0]!.description.length).toBeGreaterThan(5);
  return body;
}

function expectXmlError(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('text/xml');
  expect(res.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error>')).toBe(true);
  expect(tags(res.body, 'code')[0]).toBe(String(status));
  expect(tags(res.body, 'description')[0]!.length).toBeGreaterThan(5);
  return res.body;
}

describe('GET services and service definitions', () => {
  it('lists every enabled sub-category as a service, in JSON', async () => {
    const res = await get('/open311/v2/services.json?jurisdiction_id=luojiang.gov.cn');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const services = res.json() as Record<string, unknown>[];
    expect(services.length).toBeGreaterThan(20);
    expect(services.find((s) => s.service_code === '0201')).toEqual({
      service_code: '0201',
      service_name: '非法小广告',
      description: '宣传广告：非法小广告',
      metadata: false,
      type: 'realtime',
      keywords: '非法小广告, 宣传广告',
      group: '宣传广告',
    });
    // Major classes are groups, not services.
    expect(services.some((s) => s.service_code === '02')).toBe(false);
  });

  it('lists the same services in XML with the spec element names', async () => {
    const res = await get('/open311/v2/services.xml');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml; charset=utf-8');
    expect(
      res.body.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<services>\n  <service>\n    <service_code>',
      ),
    ).toBe(true);
    const json = (await get('/open311/v2/services.json')).json() as unknown[];
    expect(tags(res.body, 'service').length).toBe(json.length);
    expect(res.body).toContain(
      '<service_code>0201</service_code>\n    <service_name>非法小广告</service_name>',
    );
    expect(tags(res.body, 'metadata').every((m) => m === 'false')).toBe(true);
    expect(tags(res.body, 'type').every((m) => m === 'realtime')).toBe(true);
  });

  it('answers a service definition with no attributes, in JSON and XML', async () => {
    const json = await get('/open311/v2/services/0201.json');
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual({ service_code: '0201', attributes: [] });
    const xml = await get('/open311/v2/services/0201.xml');
    expect(xml.statusCode).toBe(200);
    expect(xml.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<service_definition>\n  <service_code>0201</service_code>\n  <attributes></attributes>\n</service_definition>\n',
    );
  });

  it('answers 404 for an unknown service and an unknown format, in the Open311 error format', async () => {
    expect(expectJsonError(await get('/open311/v2/services/9999.json'), 404)[0]!.description).toContain(
      '9999',
    );
    expectXmlError(await get('/open311/v2/services/9999.xml'), 404);
    expectXmlError(await get('/open311/v2/services.csv'), 404);
    expectJsonError(await get('/open311/v2/nothing-here.json'), 404);
    expectXmlError(await get('/open311/v2/nothing-here'), 404);
  });

  it('serves the discovery document in both formats', async () => {
    const json = (await get('/open311/v2/discovery.json')).json() as {
      endpoints: { specification: string; url: string; formats: string[] }[];
    };
    expect(json.endpoints[0]!.specification).toBe('http://wiki.open311.org/GeoReport_v2');
    expect(json.endpoints[0]!.url).toMatch(/\/open311\/v2$/);
    expect(json.endpoints[0]!.formats).toEqual(['text/xml', 'application/json']);
    const xml = (await get('/open311/v2/discovery.xml')).body;
    expect(tags(xml, 'format')).toEqual(['text/xml', 'application/json']);
  });
});

describe('POST requests', () => {
  it('creates a case from a form-encoded request that the staff list shows as an Open311 case', async () => {
    const res = await post311('json', hanlinPosters());
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const [answer] = res.json() as {
      service_request_id: string;
      service_notice: string;
      account_id: string;
    }[];
    expect(answer!.service_request_id).toMatch(/^510604-20261127-\d{4}$/);
    expect(answer).not.toHaveProperty('token');
    expect(answer!.service_notice).toContain('翰林社区');
    expect(answer!.account_id).toBe('partner-user-7');

    const page = (await secretary.get('/api/v1/cases?source=open311')).json() as CasePage;
    const c = page.items.find((x) => x.number === answer!.service_request_id);
    expect(c).toBeDefined();
    expect(c!.source).toBe('open311');
    expect(c!.status).toBe('reported');
    expect(c!.category.code).toBe('0201');
    const detail = (await secretary.get(`/api/v1/cases/${c!.id}`)).json();
    expect(detail.community.name).toBe('翰林社区');
    expect(c!.handler?.kind).toBe('squad');
    expect(c!.reporter).toBeNull();
    expect(c!.description).toBe('楼道里贴满了开锁小广告');
  });

  it('answers in XML too, and GET requests/{id}.xml returns the request with the spec elements', async () => {
    const number = await created('xml');
    const res = await get(`/open311/v2/requests/${number}.xml`);
    expect(res.statusCode).toBe(200);
    expect(
      res.body.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<service_requests>\n  <request>'),
    ).toBe(true);
    const elements = [
      'service_request_id',
      'status',
      'status_notes',
      'service_name',
      'service_code',
      'description',
      'agency_responsible',
      'service_notice',
      'requested_datetime',
      'updated_datetime',
      'expected_datetime',
      'address',
      'address_id',
      'zipcode',
      'lat',
      'long',
      'media_url',
    ];
    expect([...res.body.matchAll(/^ {4}<(\w+)>/gm)].map((m) => m[1])).toEqual(elements);
    expect(tags(res.body, 'service_request_id')).toEqual([number]);
    expect(tags(res.body, 'status')).toEqual(['open']);
    expect(tags(res.body, 'service_code')).toEqual(['0201']);
    expect(tags(res.body, 'service_name')).toEqual(['非法小广告']);
    expect(tags(res.body, 'requested_datetime')).toEqual(['2026-11-27T10:00:00+08:00']);
    expect(tags(res.body, 'expected_datetime')[0]).toMatch(/^2026-11-2\dT\d\d:\d\d:\d\d\+08:00$/);
    expect(tags(res.body, 'address')).toEqual(['万安镇翰林社区3栋楼道']);
    expect(tags(res.body, 'lat')).toEqual([String(HANLIN.lat)]);
    expect(tags(res.body, 'long')).toEqual([String(HANLIN.lng)]);
    expect(tags(res.body, 'media_url')).toEqual(['https://partner.example.com/media/1.jpg']);
    expect(tags(res.body, 'agency_responsible')[0]).toContain('中队');
    // Never the submitter's contact details.
    expect(res.body).not.toContain('13812345678');
    expect(res.body).not.toContain('wang@example.com');
  });

  it('keeps the submitter as contact details: full with pii.read, masked without', async () => {
    const number = await created();
    const id = await caseIdOf(number);
    const full = await secretary.get(`/api/v1/open311-requests/${id}`);
    expect(full.statusCode, full.body).toBe(200);
    const info = full.json() as Open311RequestInfo;
    expect(info.serviceRequestId).toBe(number);
    expect(info.partnerName).toContain('演示');
    expect(info.contact).toMatchObject({ name: '王小明', phone: '13812345678', email: 'wang@example.com' });
    expect(info.contactMasked).toBe(false);
    expect(info.jurisdictionId).toBe('luojiang.gov.cn');
    const masked = (await squadMember.get(`/api/v1/open311-requests/${id}`)).json() as Open311RequestInfo;
    expect(masked.contact).toMatchObject({ name: '王**', phone: '138****5678', email: 'w***@example.com' });
    expect(masked.contactMasked).toBe(true);
    // Someone who may not see the case does not learn it exists.
    const jiahe = await loginAs(t.app, 'jiahe-worker');
    expect((await jiahe.get(`/api/v1/open311-requests/${id}`)).statusCode).toBe(404);
    expect((await t.app.inject(`/api/v1/open311-requests/${id}`)).statusCode).toBe(401);
  });

  it('keeps attributes and a description longer than a case holds', async () => {
    const long = `${'长'.repeat(1500)}尾`;
    const res = await post311('json', { ...hanlinPosters({ description: long }), 'attribute[FLOOR]': '3' });
    expect(res.statusCode, res.body).toBe(200);
    const number = res.json()[0].service_request_id as string;
    const one = (await get(`/open311/v2/requests/${number}.json`)).json() as { description: string }[];
    expect(one[0]!.description).toBe(long);
    const info = (await secretary.get(`/api/v1/open311-requests/${await caseIdOf(number)}`)).json();
    expect(info.attributes).toEqual({ FLOOR: '3' });
  });

  it('places a request by address_string alone', async () => {
    const res = await post311('json', {
      service_code: '0201',
      address_string: '罗江区万安镇翰林社区5栋',
      description: '电线杆上的小广告',
    });
    expect(res.statusCode, res.body).toBe(200);
    const [one] = (await get(`/open311/v2/requests/${res.json()[0].service_request_id}.json`)).json();
    expect(one.lat).toBeNull();
    expect(one.address).toBe('罗江区万安镇翰林社区5栋');
  });
});

describe('Open311 errors, in both formats', () => {
  it('refuses a request without service_code with 400', async () => {
    const { service_code: _s, ...rest } = hanlinPosters();
    const json = expectJsonError(await post311('json', rest), 400);
    expect(json[0]!.description).toContain('service_code');
    expect(tags(expectXmlError(await post311('xml', rest), 400), 'description')[0]).toContain('service_code');
  });

  it('refuses a request without a location with 400, and names every problem at once', async () => {
    const only = { service_code: '0201', description: '小广告' };
    expect(expectJsonError(await post311('json', only), 400)[0]!.description).toContain('location');
    expectXmlError(await post311('xml', only), 400);
    const both = expectJsonError(await post311('json', { description: '小广告' }), 400);
    expect(both.length).toBe(2);
    expect(expectJsonError(await post311('json', { ...only, lat: '31.3' }), 400)[0]!.description).toContain(
      'lat and long',
    );
    expectJsonError(await post311('json', { ...only, lat: 'north', long: 'east' }), 400);
  });

  it('refuses a location outside the district with 400', async () => {
    const res = await post311('json', hanlinPosters({ lat: String(CHENGDU.lat), long: String(CHENGDU.lng) }));
    expect(expectJsonError(res, 400)[0]!.description).toContain('outside the district');
    expectXmlError(
      await post311('xml', hanlinPosters({ lat: String(CHENGDU.lat), long: String(CHENGDU.lng) })),
      400,
    );
  });

  it('refuses a missing or wrong api_key with 403, before anything else', async () => {
    expect(expectJsonError(await post311('json', hanlinPosters(), null), 403)[0]!.description).toContain(
      'api_key',
    );
    expectXmlError(await post311('xml', hanlinPosters(), null), 403);
    const wrong = expectJsonError(await post311('json', {}, 'not-a-key'), 403);
    expect(wrong[0]!.description).toBe("Invalid api_key received -- can't proceed with create_request.");
    expect(
      tags(expectXmlError(await post311('xml', hanlinPosters(), 'not-a-key'), 403), 'description')[0],
    ).toBe('Invalid api_key received -- can&apos;t proceed with create_request.');
  });

  it("refuses another district's key exactly like an unknown one: it files nothing here", async () => {
    const other = await buildDistrict(t.database.db, { code: '510681', name: '广汉市' });
    const { key } = await buildKey(t.database.db, { partnerName: '广汉市的合作应用', districtId: other.id });
    const before = (await t.database.db.select({ id: cases.id }).from(cases)).length;
    const foreign = await post311('json', hanlinPosters(), key);
    const unknown = await post311('json', hanlinPosters(), 'o311_test_unknown_key_0000000');
    expect(foreign.statusCode, foreign.body).toBe(403);
    expect(foreign.body).toBe(unknown.body);
    expect((await t.database.db.select({ id: cases.id }).from(cases)).length).toBe(before);
  });

  it('answers 404 for an unknown service on POST', async () => {
    expect(
      expectJsonError(await post311('json', hanlinPosters({ service_code: '9999' })), 404)[0]!.description,
    ).toContain('9999');
    expectXmlError(await post311('xml', hanlinPosters({ service_code: '9999' })), 404);
  });

  it('answers 404 for an unknown request and an unknown token', async () => {
    expectJsonError(await get('/open311/v2/requests/510604-20200101-9999.json'), 404);
    expectXmlError(await get('/open311/v2/requests/510604-20200101-9999.xml'), 404);
    expectJsonError(await get('/open311/v2/tokens/nope.json'), 404);
    expectXmlError(await get('/open311/v2/tokens/nope.xml'), 404);
  });

  it('answers 400 for bad query arguments', async () => {
    expect(
      expectJsonError(await get('/open311/v2/requests.json?status=pending'), 400)[0]!.description,
    ).toContain('status');
    expectXmlError(await get('/open311/v2/requests.xml?start_date=last-week'), 400);
    expectXmlError(await get('/open311/v2/servicerequestupdates.xml?end_date=tomorrow'), 400);
  });
});

describe('GET requests', () => {
  it('filters by service_request_id (overriding the rest), service_code and status', async () => {
    const a = await created();
    const b = await created('json', { service_code: '0204', description: '街头有人散发广告' });
    const list = (url: string) =>
      get(url).then((r) => r.json() as { service_request_id: string; status: string }[]);

    const both = await list(`/open311/v2/requests.json?service_request_id=${a},${b}&status=closed`);
    expect(both.map((r) => r.service_request_id).sort()).toEqual([a, b].sort());

    const streets = await list('/open311/v2/requests.json?service_code=0204');
    expect(streets.map((r) => r.service_request_id)).toContain(b);
    expect(streets.map((r) => r.service_request_id)).not.toContain(a);
    const two = await list('/open311/v2/requests.json?service_code=0204,0201');
    expect(two.map((r) => r.service_request_id)).toEqual(expect.arrayContaining([a, b]));

    // Refused (不予立案) is closed in Open311 terms.
    const res = await secretary.post(`/api/v1/cases/${await caseIdOf(b)}/not-register`, {
      reason: '重复上报',
    });
    expect(res.statusCode, res.body).toBe(200);
    const closed = await list('/open311/v2/requests.json?status=closed');
    expect(closed.map((r) => r.service_request_id)).toContain(b);
    expect(closed.every((r) => r.status === 'closed')).toBe(true);
    const open = await list('/open311/v2/requests.json?status=open');
    expect(open.map((r) => r.service_request_id)).toContain(a);
    expect(open.map((r) => r.service_request_id)).not.toContain(b);

    const xml = (await get('/open311/v2/requests.xml?status=closed')).body;
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<service_requests>')).toBe(true);
    expect(tags(xml, 'service_request_id')).toContain(b);
  });

  it('defaults to the most recent 90 days, and reaches older requests with start_date and end_date', async () => {
    const hanlin = await unitByName(t.database.db, '翰林社区');
    const old = new Date(clock.now().getTime() - 100 * 86_400_000);
    await t.database.db.insert(cases).values({
      districtId: hanlin.districtId,
      number: '510604-20260819-0001',
      categoryCode: '0201',
      description: '一百天前的小广告',
      lat: HANLIN.lat,
      lng: HANLIN.lng,
      address: '翰林社区1栋',
      orgUnitId: hanlin.id,
      communityId: hanlin.id,
      status: 'registered',
      stepStartedAt: old,
      source: 'resident',
      createdAt: old,
      updatedAt: old,
    });
    const ids = (url: string) =>
      get(url).then((r) => (r.json() as { service_request_id: string }[]).map((x) => x.service_request_id));
    expect(await ids('/open311/v2/requests.json')).not.toContain('510604-20260819-0001');
    expect(
      await ids(
        '/open311/v2/requests.json?start_date=2026-08-01T00:00:00%2B08:00&end_date=2026-09-01T00:00:00Z',
      ),
    ).toEqual(['510604-20260819-0001']);
    expect(await ids('/open311/v2/requests.json?start_date=2026-08-01')).toContain('510604-20260819-0001');
    expect(await ids('/open311/v2/requests.json?end_date=2026-09-01T00:00:00Z')).toContain(
      '510604-20260819-0001',
    );
    // A resident's report shows as the community board shows it: no address, about 100 m.
    const [one] = (await get('/open311/v2/requests/510604-20260819-0001.json')).json();
    expect(one).toMatchObject({
      address: null,
      lat: 31.318,
      long: 104.506,
      status: 'open',
      status_notes: '已立案',
    });
    expect(
      expectJsonError(
        await get('/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z'),
        400,
      )[0]!.description,
    ).toContain('90 days');
  });

  it('returns at most 1000 requests, newest first', async () => {
    const hanlin = await unitByName(t.database.db, '翰林社区');
    const base = clock.now().getTime() - 3_600_000;
    const rows = Array.from({ length: 1005 }, (_, i) => {
      const at = new Date(base - i * 1000);
      return {
        districtId: hanlin.districtId,
        number: `BULK-${String(i).padStart(4, '0')}`,
        categoryCode: '0303',
        description: '施工废弃料堆放',
        orgUnitId: hanlin.id,
        communityId: hanlin.id,
        status: 'registered' as const,
        stepStartedAt: at,
        source: 'resident' as const,
        createdAt: at,
        updatedAt: at,
      };
    });
    await t.database.db.insert(cases).values(rows);
    const all = (await get('/open311/v2/requests.json?service_code=0303')).json() as {
      service_request_id: string;
    }[];
    expect(all.length).toBe(1000);
    expect(all[0]!.service_request_id).toBe('BULK-0000');
    expect(all[999]!.service_request_id).toBe('BULK-0999');
    const xml = (await get('/open311/v2/requests.xml?service_code=0303')).body;
    expect(tags(xml, 'request').length).toBe(1000);
  });
});

describe('tokens', () => {
  it('answers a batch partner with a token that GET tokens/{token} turns into the request id', async () => {
    const { key } = await buildKey(t.database.db, { batch: true });
    const res = await post311('json', hanlinPosters(), key);
    expect(res.statusCode, res.body).toBe(200);
    const [answer] = res.json() as { token: string }[];
    expect(answer).not.toHaveProperty('service_request_id');
    expect(answer!.token).toMatch(/^[\w-]{20,}$/);

    const json = await get(`/open311/v2/tokens/${answer!.token}.json`);
    expect(json.statusCode).toBe(200);
    const [resolved] = json.json() as { service_request_id: string; token: string }[];
    expect(resolved!.token).toBe(answer!.token);
    expect(resolved!.service_request_id).toMatch(/^510604-20261127-\d{4}$/);
    const xml = (await get(`/open311/v2/tokens/${answer!.token}.xml`)).body;
    expect(xml).toContain(
      `<service_requests>\n  <request>\n    <service_request_id>${resolved!.service_request_id}</service_request_id>\n    <token>${answer!.token}</token>`,
    );
    expect((await get(`/open311/v2/requests/${resolved!.service_request_id}.json`)).statusCode).toBe(200);

    const xmlPost = await post311('xml', hanlinPosters(), key);
    expect(tags(xmlPost.body, 'token').length).toBe(1);
    expect(tags(xmlPost.body, 'service_request_id')).toEqual([]);
  });
});

describe('servicerequestupdates', () => {
  it('lists a workflow step as an update of the request, in both formats', async () => {
    clock.set('2026-11-27T03:00:00Z');
    const number = await created();
    clock.set('2026-11-27T03:10:00Z');
    const res = await secretary.post(`/api/v1/cases/${await caseIdOf(number)}/register`, {
      note: '已核实，立案',
    });
    expect(res.statusCode, res.body).toBe(200);

    const window = 'start_date=2026-11-27T11:05:00%2B08:00&end_date=2026-11-27T11:15:00%2B08:00';
    const json = (await get(`/open311/v2/servicerequestupdates.json?${window}`)).json() as Record<
      string,
      string
    >[];
    const mine = json.filter((u) => u.service_request_id === number);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toEqual({
      update_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      service_request_id: number,
      status: 'open',
      updated_datetime: '2026-11-27T11:10:00+08:00',
      description: '已立案：已核实，立案',
      media_url: '',
    });
    // The report itself is the request, not an update of it.
    expect(json.some((u) => u.updated_datetime === '2026-11-27T11:00:00+08:00')).toBe(false);

    const xml = (await get(`/open311/v2/servicerequestupdates.xml?${window}`)).body;
    expect(
      xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<service_request_updates>\n  <request_update>'),
    ).toBe(true);
    expect(tags(xml, 'service_request_id')).toContain(number);
    expect(tags(xml, 'update_id')).toContain(mine[0]!.update_id);

    // A refusal closes the request.
    clock.set('2026-11-27T03:20:00Z');
    const other = await created();
    expect(
      (
        await secretary.post(`/api/v1/cases/${await caseIdOf(other)}/not-register`, {
          reason: '不属于城管事项',
        })
      ).statusCode,
    ).toBe(200);
    const later = (
      await get('/open311/v2/servicerequestupdates.json?start_date=2026-11-27T03:15:00Z')
    ).json() as Record<string, string>[];
    expect(later.find((u) => u.service_request_id === other)).toMatchObject({
      status: 'closed',
      description: '不予立案：不属于城管事项',
    });
    clock.set('2026-11-27T02:00:00Z');
  });
});

describe('API keys', () => {
  it('lets a district admin list, issue and revoke keys; a revoked key is refused', async () => {
    const list = await admin.get('/api/v1/open311-keys');
    expect(list.statusCode, list.body).toBe(200);
    const demo = (list.json().items as Open311Key[]).find(
      (k) => k.keyPrefix === DEMO_OPEN311_KEY.slice(0, 9),
    );
    expect(demo).toBeDefined();
    expect(demo!.requests).toBeGreaterThan(0);
    expect(JSON.stringify(list.json())).not.toContain(DEMO_OPEN311_KEY);

    const issued = await admin.post('/api/v1/open311-keys', { partnerName: '城市随手拍' });
    expect(issued.statusCode, issued.body).toBe(201);
    const key = issued.json() as Open311KeyIssued;
    expect(key.key).toMatch(/^o311_/);
    expect(key.createdBy?.id).toBeTruthy();
    expect(key.revokedAt).toBeNull();
    const again = (await admin.get('/api/v1/open311-keys')).json().items as Open311Key[];
    expect(again.find((k) => k.id === key.id)).not.toHaveProperty('key');

    expect((await post311('json', hanlinPosters(), key.key)).statusCode).toBe(200);
    const revoked = await admin.post(`/api/v1/open311-keys/${key.id}/revoke`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect((revoked.json() as Open311Key).revokedAt).not.toBeNull();
    expect((revoked.json() as Open311Key).requests).toBe(1);
    expect(expectJsonError(await post311('json', hanlinPosters(), key.key), 403)[0]!.description).toContain(
      'revoked',
    );
    expectXmlError(await post311('xml', hanlinPosters(), key.key), 403);
    expect((await admin.post(`/api/v1/open311-keys/${key.id}/revoke`)).statusCode).toBe(409);
  });

  it('keeps keys to open311.manage', async () => {
    expect((await secretary.get('/api/v1/open311-keys')).statusCode).toBe(403);
    expect((await secretary.post('/api/v1/open311-keys', { partnerName: '某应用' })).statusCode).toBe(403);
    expect((await t.app.inject('/api/v1/open311-keys')).statusCode).toBe(401);
    expect((await admin.post('/api/v1/open311-keys', { partnerName: 'x' })).statusCode).toBe(400);
  });
});

describe('POST requests rate limit', () => {
  it('holds each partner key to its posts per minute: 429 in the Open311 format with Retry-After, nothing filed', async () => {
    const limited = await buildTestApp({ open311PostsPerKeyPerMinute: 2 });
    try {
      const post = (key: string | null, format: 'json' | 'xml' = 'json') =>
        limited.app.inject({
          method: 'POST',
          url: `/open311/v2/requests.${format}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          payload: new URLSearchParams({ ...(key ? { api_key: key } : {}), ...hanlinPosters() }).toString(),
        });
      expect((await post(DEMO_OPEN311_KEY)).statusCode).toBe(200);
      expect((await post(DEMO_OPEN311_KEY)).statusCode).toBe(200);
      const third = await post(DEMO_OPEN311_KEY);
      expect(expectJsonError(third, 429)[0]!.description).toMatch(/rate limit|Rate limit/);
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expectXmlError(await post(DEMO_OPEN311_KEY, 'xml'), 429);
      // Nothing was filed by the refused posts.
      const admin2 = await loginAs(limited.app, 'admin');
      const keys = (await admin2.get('/api/v1/open311-keys')).json().items as Open311Key[];
      expect(keys.reduce((n, k) => n + k.requests, 0)).toBe(2);
      // A key's budget is its own: without a key the caller is counted by address (and refused 403 for the missing key).
      expect((await post(null)).statusCode).toBe(403);
    } finally {
      await limited.close();
    }
  });
});
