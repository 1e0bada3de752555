import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

  it('puts the page security headers on pages and health checks', async () => {
    const res = await t.app.inject('/healthz');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("object-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    // Not in development or tests: HSTS is only sent in production.
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('puts the API security headers on API answers and API errors', async () => {
    for (const url of [
      '/api/v1/no-such-thing',
      '/api/v1/service-items?q=db',
      '/api/v1/me',
      '/open311/v2/services.json',
    ]) {
      const res = await t.app.inject(url);
      expect(res.headers['content-security-policy'], url).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
      expect(res.headers['cross-origin-resource-policy'], url).toBe('same-origin');
      expect(res.headers['cross-origin-opener-policy'], url).toBeUndefined();
    }
  });

  it('sends HSTS in production on pages and API answers', async () => {
    const prod = await buildTestApp({ env: 'production', dev: false, demo: false, smsSender: 'none' });
    try {
      for (const url of ['/healthz', '/api/v1/service-items?q=db']) {
        const res = await prod.app.inject(url);
        expect(res.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
      }
    } finally {
      await prod.close();
    }
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

describe('serving the built web apps', () => {
  it('serves each app with a single-page fallback, new files without a restart, and 404 for missing files', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-web-'));
    for (const app of ['resident', 'console']) {
      fs.mkdirSync(path.join(root, app, 'dist', 'assets'), { recursive: true });
      fs.writeFileSync(path.join(root, app, 'dist', 'index.html'), `<!doctype html><title>${app}</title>`);
    }
    fs.writeFileSync(path.join(root, 'console', 'dist', 'assets', 'a.js'), 'console.log(1)');
    const web = await buildTestApp({ serveWeb: true, webRoot: root });
    try {
      const home = await web.app.inject('/');
      expect(home.statusCode).toBe(200);
      expect(home.body).toContain('<title>resident</title>');
      expect((await web.app.inject('/me/sessions')).body).toContain('<title>resident</title>');
      const redirect = await web.app.inject('/console');
      expect(redirect.statusCode).toBe(302);
      expect(redirect.headers.location).toBe('/console/');
      expect((await web.app.inject('/console/accounts?q=x')).body).toContain('<title>console</title>');
      const asset = await web.app.inject('/console/assets/a.js');
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toContain('immutable');
      // A rebuild writes new hashed files while the server runs.
      fs.writeFileSync(path.join(root, 'console', 'dist', 'assets', 'b.js'), 'console.log(2)');
      expect((await web.app.inject('/console/assets/b.js')).statusCode).toBe(200);
      const missing = await web.app.inject('/console/assets/gone.js');
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toContain('application/problem+json');
      expect((await web.app.inject('/api/v1/nothing-here')).statusCode).toBe(404);
    } finally {
      await web.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
