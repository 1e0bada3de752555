import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, type TestApp } from '../../test/harness';
import { FakeClock } from './clock';

// The response cache sits in front of the framework, so app.inject() never reaches it: these
// tests talk to a listening server over real HTTP, as a phone would.
let t: TestApp;
let base: string;
let admin: Client;
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));

beforeAll(async () => {
  t = await buildTestApp({}, { clock });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  admin = await loginAs(t.app, 'admin');
});
afterAll(() => t.close());

const search = (q: string, init: RequestInit = {}) =>
  fetch(`${base}/api/v1/service-items?q=${encodeURIComponent(q)}&limit=5`, init);
const names = async (res: Response) =>
  ((await res.json()) as { items: { name: string }[] }).items.map((i) => i.name);
const cache = () => t.app.responseCache;

describe('the search answer cache in front of the framework', () => {
  it('answers a repeated question from the cache: same body and headers, its own request id', async () => {
    const first = await search('低保');
    const hits = cache().hits;
    const second = await search('低保');
    expect(cache().hits).toBe(hits + 1);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(await first.text());
    const headersOf = (r: Response) =>
      Object.fromEntries([...r.headers].filter(([k]) => !['x-request-id', 'date'].includes(k)));
    expect(headersOf(second)).toEqual(headersOf(first));
    expect(second.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(second.headers.get('x-content-type-options')).toBe('nosniff');
    expect(second.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
  });

  it("echoes a proxy's request id on a cached answer", async () => {
    await search('准生证');
    const hits = cache().hits;
    const res = await search('准生证', { headers: { 'x-request-id': 'proxy-req-12345' } });
    expect(cache().hits).toBe(hits + 1);
    expect(res.headers.get('x-request-id')).toBe('proxy-req-12345');
  });

  it('never serves a caller with a cookie from the cache, nor a HEAD', async () => {
    await search('老年证');
    const hits = cache().hits;
    const withCookie = await search('老年证', { headers: { cookie: 'linli_session=whatever' } });
    expect(withCookie.status).toBe(200);
    expect(await names(withCookie)).toContain('申领《四川省老年人优待证》');
    const head = await search('老年证', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(cache().hits).toBe(hits);
  });

  it('never keeps a refused question: a bad query is a 400 problem every time', async () => {
    const size = cache().size;
    const hits = cache().hits;
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${base}/api/v1/service-items?q=db&limit=999`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(cache().size).toBe(size);
    expect(cache().hits).toBe(hits);
  });

  it('drops answers when the catalogue changes: a new synonym is searchable at once', async () => {
    const q = '养老金资格认证测试';
    expect(await names(await search(q))).not.toContain('80周岁以上老年人高龄津贴发放');
    const hits = cache().hits;
    expect(await names(await search(q))).not.toContain('80周岁以上老年人高龄津贴发放');
    expect(cache().hits).toBe(hits + 1);
    const created = await admin.post('/api/v1/service-synonyms', { terms: [q, '高龄津贴'] });
    expect(created.statusCode).toBe(201);
    const after = await search(q);
    expect(cache().hits).toBe(hits + 1);
    expect(await names(after)).toContain('80周岁以上老年人高龄津贴发放');
  });

  it('lets answers lapse with the catalogue after a minute (changes made by another process)', async () => {
    await search('社保');
    const hits = cache().hits;
    await search('社保');
    expect(cache().hits).toBe(hits + 1);
    clock.advance(61_000);
    await search('社保');
    expect(cache().hits).toBe(hits + 1);
    await search('社保');
    expect(cache().hits).toBe(hits + 2);
  });
});
