import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('platform', () => {
  it('answers /healthz and /readyz with every migration applied', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().status).toBe('ready');
  });

  it('answers an unknown route with a 404 problem and a request id', async () => {
    const res = await t.app.inject('/api/v1/no-such-thing');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(res.json()).toMatchObject({
      status: 404,
      code: 'route-not-found',
      instance: res.headers['x-request-id'],
    });
  });

  it('keeps a well-formed incoming request id and replaces a malformed one', async () => {
    const kept = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'trace-12345678' } });
    expect(kept.headers['x-request-id']).toBe('trace-12345678');
    const replaced = await t.app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers['x-request-id']).not.toBe('bad id <script>');
  });

  it('serves an OpenAPI 3.1 document', async () => {
    const res = await t.app.inject('/api/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(res.json().openapi).toBe('3.1.0');
  });
});

describe('OpenAPI', () => {
  it('lists every API route with its permission and a response schema', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json() as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown>; 'x-permission'?: string }>>;
    };
    expect(t.app.apiRoutes.length).toBeGreaterThan(20);
    for (const r of t.app.apiRoutes) {
      const openapiPath = r.url.replace(/:(\w+)/g, '{$1}');
      const op = doc.paths[openapiPath]?.[r.method.toLowerCase()];
      expect(op, `${r.method} ${r.url} in OpenAPI`).toBeDefined();
      expect(op?.['x-permission'], `${r.method} ${r.url} permission`).toBe(r.permission);
      expect(r.hasResponseSchema, `${r.method} ${r.url} response schema`).toBe(true);
      expect(Object.keys(op?.responses ?? {}).length, `${r.method} ${r.url} responses`).toBeGreaterThan(0);
    }
  });
});
