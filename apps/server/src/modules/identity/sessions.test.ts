import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { hashToken } from '../../core/auth/sessions';
import { FakeClock } from '../../core/clock';
import { sessions } from './schema';

const clock = new FakeClock(new Date('2026-08-01T01:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { clock });
});
afterAll(() => t.close());

let seq = 0;
const newPhone = () => `1350000${String(++seq).padStart(4, '0')}`;
const cookieHeader = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const setCookies = (res: { headers: Record<string, unknown> }) => {
  const raw = res.headers['set-cookie'];
  return (Array.isArray(raw) ? raw : [raw]).map(String);
};
const cookieNamed = (res: { headers: Record<string, unknown> }, name: string) =>
  setCookies(res).find((c) => c.startsWith(`${name}=`))!;

describe('idle expiry', () => {
  it('keeps a session alive while it is used, and ends it after the idle limit without use', async () => {
    const idleMs = t.config.sessionIdleMinutes * 60_000;
    const client = await loginAs(t.app, 'jiahe-worker');
    // Used every 100 minutes for 5 hours: each use refreshes the idle clock.
    for (let i = 0; i < 3; i++) {
      clock.advance(idleMs - 20 * 60_000);
      expect((await client.get('/api/v1/me')).statusCode).toBe(200);
    }
    clock.advance(idleMs);
    expect((await client.get('/api/v1/me')).statusCode).toBe(200);
    clock.advance(idleMs + 1);
    const res = await client.get('/api/v1/me');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('session-expired');
  });

  it('ends a resident session the same way', async () => {
    const client = await residentLogin(t, newPhone());
    clock.advance(t.config.sessionIdleMinutes * 60_000 + 1);
    expect((await client.get('/api/v1/me')).json().code).toBe('session-expired');
  });
});

describe('absolute expiry', () => {
  it('ends a session at its absolute lifetime even while it is in use', async () => {
    const short = await buildTestApp({ sessionIdleMinutes: 120, sessionAbsoluteHours: 3 }, { clock });
    try {
      const client = await loginAs(short.app, 'jiahe-worker');
      const token = client.cookies.get('linli_session')!;
      const [row] = await short.database.db
        .select()
        .from(sessions)
        .where(eq(sessions.tokenHash, hashToken(token)));
      expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(3 * 3_600_000);
      for (let i = 0; i < 5; i++) {
        clock.advance(35 * 60_000);
        expect((await client.get('/api/v1/me')).statusCode).toBe(200);
      }
      clock.advance(5 * 60_000 - 1);
      expect((await client.get('/api/v1/me')).statusCode).toBe(200);
      clock.advance(1);
      const res = await client.get('/api/v1/me');
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('session-expired');
    } finally {
      await short.close();
    }
  });
});

describe('CSRF', () => {
  it('refuses a cookie-bearing POST from a foreign Origin without the token with 403 csrf', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout-all',
      headers: { cookie: cookieHeader(client), origin: 'https://evil.example', host: 'linli.example' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('csrf');
    expect((await client.get('/api/v1/me')).statusCode).toBe(200);
  });

  it('refuses a cookie-bearing POST with neither Origin nor token', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie: cookieHeader(client) },
      payload: { displayName: '偷改' },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('csrf');
  });

  it('refuses a token that does not match the CSRF cookie', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie: cookieHeader(client), 'x-csrf-token': 'guessed', origin: 'https://evil.example' },
      payload: { displayName: '偷改' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('accepts the same Origin (scheme, host and port) without the token', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    for (const [origin, host] of [
      ['http://linli.example', 'linli.example'],
      ['http://linli.example:8080', 'linli.example:8080'],
    ]) {
      const res = await t.app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: { cookie: cookieHeader(client), origin: origin!, host: host! },
        payload: { displayName: '王小禾' },
      });
      expect(res.statusCode, origin).toBe(200);
    }
  });

  it('refuses the same host under another scheme or port, and a forged X-Forwarded-Host', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const attempts: Record<string, string>[] = [
      // The server is reached over plain HTTP here: an https:// page is another origin.
      { origin: 'https://linli.example', host: 'linli.example' },
      { origin: 'http://linli.example:8443', host: 'linli.example' },
      { referer: 'https://linli.example/console/', host: 'linli.example' },
      // TRUST_PROXY is off: a forwarded host is not ours to believe.
      { origin: 'http://evil.example', host: 'linli.example', 'x-forwarded-host': 'evil.example' },
      { origin: 'null', host: 'linli.example' },
    ];
    for (const headers of attempts) {
      const res = await t.app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: {
          cookie: cookieHeader(client),
          'x-csrf-token': client.cookies.get('linli_csrf')!,
          ...headers,
        },
        payload: { displayName: '偷改' },
      });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().code).toBe('csrf');
    }
    expect((await client.get('/api/v1/me')).json().displayName).not.toBe('偷改');
  });

  it('believes forwarded scheme and host only behind a trusted proxy', async () => {
    const proxied = await buildTestApp({ trustProxy: true });
    try {
      const client = await loginAs(proxied.app, 'jiahe-worker');
      const res = await proxied.app.inject({
        method: 'PATCH',
        url: '/api/v1/me',
        headers: {
          cookie: cookieHeader(client),
          origin: 'https://linli.example.gov.cn',
          host: '10.0.0.5:3000',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'linli.example.gov.cn',
        },
        payload: { displayName: '王小禾' },
      });
      expect(res.statusCode).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  it('takes our origin from PUBLIC_ORIGIN when it is configured', async () => {
    const configured = await buildTestApp({ publicOrigin: 'https://linli.example.gov.cn' });
    try {
      const client = await loginAs(configured.app, 'jiahe-worker');
      const send = (origin: string) =>
        configured.app.inject({
          method: 'PATCH',
          url: '/api/v1/me',
          headers: { cookie: cookieHeader(client), origin, host: 'internal:3000' },
          payload: { displayName: '王小禾' },
        });
      expect((await send('https://linli.example.gov.cn')).statusCode).toBe(200);
      expect((await send('http://internal:3000')).statusCode).toBe(403);
    } finally {
      await configured.close();
    }
  });

  it('accepts a matching X-CSRF-Token when the client sends no Origin or Referer', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/me',
      headers: { cookie: cookieHeader(client), 'x-csrf-token': client.cookies.get('linli_csrf')! },
      payload: { displayName: '王小禾' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('does not apply to GET requests', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const res = await t.app.inject({
      url: '/api/v1/me',
      headers: { cookie: cookieHeader(client), origin: 'https://evil.example' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('refuses sign-in and one-time codes from a foreign Origin (login CSRF), accepts them from ours', async () => {
    const foreign = { origin: 'https://evil.example', host: 'linli.example' };
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: foreign,
      payload: { username: 'jiahe-worker', password: 'Linli@2026' },
    });
    expect(login.statusCode).toBe(403);
    expect(login.json().code).toBe('csrf');
    expect(login.headers['set-cookie']).toBeUndefined();
    for (const [url, payload] of [
      ['/api/v1/auth/otp', { phone: '13800000001' }],
      ['/api/v1/auth/otp/verify', { phone: '13800000001', code: '123456' }],
    ] as const) {
      const res = await t.app.inject({ method: 'POST', url, headers: foreign, payload });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().code).toBe('csrf');
    }
    const ours = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { origin: 'http://linli.example', host: 'linli.example' },
      payload: { username: 'jiahe-worker', password: 'Linli@2026' },
    });
    expect(ours.statusCode).toBe(200);
    // A client that is not a browser sends no Origin: nothing to forge, so it may sign in.
    const bare = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'jiahe-worker', password: 'Linli@2026' },
    });
    expect(bare.statusCode).toBe(200);
  });
});

describe('cookies', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie and a readable CSRF cookie, not Secure over plain HTTP', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'jiahe-worker', password: 'Linli@2026' },
    });
    const session = cookieNamed(res, 'linli_session');
    const csrf = cookieNamed(res, 'linli_csrf');
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).toMatch(/; Path=\//);
    expect(session).not.toMatch(/; Secure/);
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(csrf).toMatch(/; SameSite=Lax/);
  });

  it('sets Secure on both cookies when COOKIE_SECURE=always', async () => {
    const secure = await buildTestApp({ cookieSecure: 'always' });
    try {
      const res = await secure.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'jiahe-worker', password: 'Linli@2026' },
      });
      expect(cookieNamed(res, 'linli_session')).toMatch(/; Secure/);
      expect(cookieNamed(res, 'linli_session')).toMatch(/; HttpOnly/);
      expect(cookieNamed(res, 'linli_csrf')).toMatch(/; Secure/);
    } finally {
      await secure.close();
    }
  });

  it('sets the same flags on a resident sign-in', async () => {
    const phone = newPhone();
    const client = new Client(t.app);
    await client.post('/api/v1/auth/otp', { phone });
    const res = await client.post('/api/v1/auth/otp/verify', { phone, code: t.otp.latest(phone)!.code });
    expect(cookieNamed(res, 'linli_session')).toMatch(/HttpOnly; SameSite=Lax|SameSite=Lax.*HttpOnly/);
  });

  it('stores only a hash of the session token', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const token = client.cookies.get('linli_session')!;
    const rows = await t.database.db.select().from(sessions).where(eq(sessions.tokenHash, token));
    expect(rows).toHaveLength(0);
    const hashed = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.tokenHash, hashToken(token)));
    expect(hashed).toHaveLength(1);
  });
});
