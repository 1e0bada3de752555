import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, loginAs, residentLogin, type TestApp } from '../../test/harness';
import { multipart, PNG, POSTERS } from '../modules/cases/fixtures';

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

  it('answers a method the path does not have with a 405 problem naming the methods it has', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/api/v1/me' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers.allow).toBe('GET, HEAD, PATCH');
    expect(res.json()).toMatchObject({ status: 405, code: 'method-not-allowed' });
    // a path no method answers stays a 404
    const none = await t.app.inject({ method: 'DELETE', url: '/api/v1/me/no-such-thing' });
    expect(none.statusCode).toBe(404);
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

  it('sends the brotli or gzip file the build wrote when the browser accepts it, HTML still no-cache', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-web-'));
    const dist = path.join(root, 'resident', 'dist');
    fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });
    const html = Buffer.from(`<!doctype html><title>邻里+</title>${'<p>居民</p>'.repeat(200)}`);
    const js = Buffer.from(`export const t = ${JSON.stringify('办事指南'.repeat(500))};`);
    // What the build writes: each text file, and beside it its .br and .gz.
    for (const [file, bytes] of [
      ['index.html', html],
      ['assets/index-abc.js', js],
    ] as const) {
      fs.writeFileSync(path.join(dist, file), bytes);
      fs.writeFileSync(path.join(dist, `${file}.br`), zlib.brotliCompressSync(bytes));
      fs.writeFileSync(path.join(dist, `${file}.gz`), zlib.gzipSync(bytes));
    }
    // A file the build left uncompressed (an image).
    fs.writeFileSync(path.join(dist, 'assets', 'logo.png'), PNG);
    const web = await buildTestApp({ serveWeb: true, webRoot: root });
    const get = (url: string, encoding?: string) =>
      web.app.inject({ url, headers: encoding ? { 'accept-encoding': encoding } : {} });
    try {
      const br = await get('/assets/index-abc.js', 'gzip, deflate, br');
      expect(br.statusCode).toBe(200);
      expect(br.headers['content-encoding']).toBe('br');
      expect(br.headers['content-type']).toContain('javascript');
      expect(br.headers.vary).toContain('accept-encoding');
      expect(br.headers['cache-control']).toContain('immutable');
      expect(br.rawPayload.length).toBeLessThan(js.length / 5);
      expect(zlib.brotliDecompressSync(br.rawPayload).equals(js)).toBe(true);

      const gz = await get('/assets/index-abc.js', 'gzip');
      expect(gz.headers['content-encoding']).toBe('gzip');
      expect(zlib.gunzipSync(gz.rawPayload).equals(js)).toBe(true);

      const plain = await get('/assets/index-abc.js');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.rawPayload.equals(js)).toBe(true);

      for (const url of ['/', '/index.html']) {
        const page = await get(url, 'br');
        expect(page.statusCode, url).toBe(200);
        expect(page.headers['content-encoding'], url).toBe('br');
        expect(page.headers['content-type'], url).toContain('text/html');
        expect(page.headers['cache-control'], url).toBe('no-cache');
        expect(zlib.brotliDecompressSync(page.rawPayload).equals(html), url).toBe(true);
      }

      const png = await get('/assets/logo.png', 'br');
      expect(png.statusCode).toBe(200);
      expect(png.headers['content-encoding']).toBeUndefined();
      expect(png.rawPayload.equals(PNG)).toBe(true);
    } finally {
      await web.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

/** The answer's status, content type and problem, checked to be problem+json of `code`. */
function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  expect(res.json()).toMatchObject({ status, code });
}

/** Sends raw bytes on a socket and reads everything the server writes until it closes. */
function rawHttp(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    socket.on('data', (d) => {
      data += d.toString('utf8');
    });
    socket.on('close', () => resolve(data));
    socket.on('error', () => resolve(data));
  });
}

describe('errors are problem+json, whoever answers', () => {
  it("answers an over-long path parameter with 414 (was Fastify's own JSON)", async () => {
    const res = await t.app.inject(`/api/v1/org-units/${'a'.repeat(200)}`);
    expectProblem(res, 414, 'uri-too-long');
    expect(res.headers['x-request-id']).toBe(res.json().instance);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('answers a path that is not a valid URL with 400', async () => {
    expectProblem(await t.app.inject('/api/v1/cases/%zz'), 400, 'bad-request');
    expectProblem(await t.app.inject('/api/v1/org-units/%E0%A4%A'), 400, 'bad-request');
  });

  it('answers a body that is not JSON, an empty one and a __proto__ key with 400', async () => {
    for (const payload of [
      '{"username":',
      '',
      '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{}}}',
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectProblem(res, 400, 'malformed-body');
    }
  });

  it('answers another content type with 415 and a body over 1 MB with 413', async () => {
    const text = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/xml' },
      payload: '<login/>',
    });
    expectProblem(text, 415, 'unsupported-media-type');
    const big = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'admin', password: 'x'.repeat(1024 * 1024) },
    });
    expectProblem(big, 413, 'payload-too-large');
  });

  it('answers a multipart body the parser cannot read with 400 (was 500)', async () => {
    const resident = await residentLogin(t, '13800000001');
    const whole = multipart([
      ...Object.entries(POSTERS).map(([name, value]) => ({ name, value: String(value) })),
      { name: 'photos', filename: 'a.png', type: 'image/png', data: PNG },
    ]);
    const truncated = await resident.post('/api/v1/cases', whole.payload.subarray(0, 200), whole.headers);
    expectProblem(truncated, 400, 'malformed-body');
    const noBoundary = await resident.post('/api/v1/cases', whole.payload, {
      'content-type': 'multipart/form-data',
    });
    expectProblem(noBoundary, 400, 'malformed-body');

    const admin = await loginAs(t.app, 'admin');
    const workbook = multipart([
      { name: 'file', filename: 'c.xlsx', type: 'application/octet-stream', data: PNG },
    ]);
    const cut = await admin.post(
      '/api/v1/service-items/import',
      workbook.payload.subarray(0, 120),
      workbook.headers,
    );
    expectProblem(cut, 400, 'malformed-body');
  });

  it("answers what node's HTTP parser refuses (431, 400) with problem+json on the socket", async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as net.AddressInfo;
    const cases = [
      [
        `GET /api/v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        431,
        'headers-too-large',
      ],
      ['NOT A REQUEST\r\n\r\n', 400, 'bad-request'],
      ['GET /api/v1/me HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', 400, 'bad-request'],
    ] as const;
    for (const [request, status, code] of cases) {
      const answer = await rawHttp(port, request);
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      expect(head, request.slice(0, 30)).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(head.toLowerCase()).toContain('content-type: application/problem+json');
      expect(JSON.parse(body)).toMatchObject({ status, code });
    }
  });
});
