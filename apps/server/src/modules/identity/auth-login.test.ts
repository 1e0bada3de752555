import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { auditLog } from '../../core/schema';
import { buildStaff, codeFor, FIXTURE_PASSWORD, setRequireTotp } from './auth-fixtures';
import { accounts, sessions } from './schema';
import { generateTotpSecret } from './totp';

const clock = new FakeClock(new Date('2026-06-01T01:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { clock });
});
afterAll(() => t.close());

const login = (client: Client, username: string, password: string) =>
  client.post('/api/v1/auth/login', { username, password });
const staff = (overrides: Parameters<typeof buildStaff>[1] = {}) => buildStaff(t.database.db, overrides);
const accountRow = async (id: string) =>
  (await t.database.db.select().from(accounts).where(eq(accounts.id, id)))[0]!;

describe('POST /auth/login', () => {
  it('signs staff in with a full session and answers signed_in with grants and permissions', async () => {
    const client = new Client(t.app);
    const res = await login(client, 'admin', 'Linli@2026');
    expect(res.statusCode).toBe(200);
    const { status, me } = res.json();
    expect(status).toBe('signed_in');
    expect(me).toMatchObject({
      kind: 'staff',
      username: 'admin',
      phone: '13800000100',
      homeOrgUnit: { name: '罗江区', kind: 'district' },
      mustChangePassword: false,
      totpEnabled: false,
    });
    expect(me.grants).toEqual([
      expect.objectContaining({
        roleCode: 'district_admin',
        roleName: '区级管理员',
        orgUnit: me.homeOrgUnit,
      }),
    ]);
    expect(me.permissions).toEqual(expect.arrayContaining(['org.manage', 'accounts.manage', 'audit.read']));
    expect((await client.get('/api/v1/me')).statusCode).toBe(200);
    expect((await accountRow(me.id)).lastSignInAt).toEqual(clock.now());
  });

  it('audits the sign-in with the account as actor', async () => {
    const account = await staff();
    await login(new Client(t.app), account.username!, FIXTURE_PASSWORD);
    const [row] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, account.id), eq(auditLog.action, 'auth.sign_in')));
    expect(row).toMatchObject({ actorId: account.id, entityType: 'account' });
    expect(row!.changes._).toEqual({ before: null, after: { method: 'password', stage: 'full' } });
  });

  it('ignores the case of the username', async () => {
    const res = await login(new Client(t.app), 'Hanlin-Secretary', 'Linli@2026');
    expect(res.json().status).toBe('signed_in');
  });

  it('answers an unknown user and a wrong password with the same 401 login-failed', async () => {
    const unknown = await login(new Client(t.app), 'nobody-here', 'Linli@2026');
    const wrong = await login(new Client(t.app), 'hanlin-secretary', 'wrong password');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().code).toBe('login-failed');
    expect(wrong.json().code).toBe('login-failed');
    expect(unknown.json().detail).toBe(wrong.json().detail);
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });

  it('does not let a resident sign in with a password', async () => {
    const res = await login(new Client(t.app), '13800000001', 'Linli@2026');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('login-failed');
  });

  it('refuses bad input with 400 naming the fields', async () => {
    const res = await new Client(t.app).post('/api/v1/auth/login', { username: '', extra: 1 });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body/username', 'body/password']));
  });

  it('answers 403 account-disabled only once the password was right', async () => {
    const account = await staff({ status: 'disabled' });
    const wrong = await login(new Client(t.app), account.username!, 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().code).toBe('login-failed');
    const right = await login(new Client(t.app), account.username!, FIXTURE_PASSWORD);
    expect(right.statusCode).toBe(403);
    expect(right.json().code).toBe('account-disabled');
    expect(right.headers['set-cookie']).toBeUndefined();
  });
});

describe('lock-out with back-off', () => {
  it('locks after five failures for 60 s with 429 account-locked, even for the right password', async () => {
    const account = await staff();
    const client = new Client(t.app);
    for (let i = 0; i < 4; i++) expect((await login(client, account.username!, 'nope')).statusCode).toBe(401);
    const fifth = await login(client, account.username!, 'nope');
    expect(fifth.statusCode).toBe(429);
    expect(fifth.json()).toMatchObject({ code: 'account-locked', retryAfter: 60 });
    expect(fifth.headers['retry-after']).toBe('60');
    clock.advance(59_000);
    const right = await login(client, account.username!, FIXTURE_PASSWORD);
    expect(right.statusCode).toBe(429);
    expect(right.json().retryAfter).toBe(1);
    clock.advance(1_000);
    expect((await login(client, account.username!, FIXTURE_PASSWORD)).json().status).toBe('signed_in');
  });

  it('doubles the lock each time: 60 s, 120 s, 240 s', async () => {
    const account = await staff();
    const client = new Client(t.app);
    const seen: number[] = [];
    for (let round = 0; round < 3; round++) {
      let last = await login(client, account.username!, 'nope');
      for (let i = 1; i < 5; i++) last = await login(client, account.username!, 'nope');
      expect(last.json().code).toBe('account-locked');
      seen.push(last.json().retryAfter);
      clock.advance(last.json().retryAfter * 1000);
    }
    expect(seen).toEqual([60, 120, 240]);
  });

  it('never locks for more than 24 hours', async () => {
    const account = await staff();
    await t.database.db.update(accounts).set({ lockouts: 30 }).where(eq(accounts.id, account.id));
    const client = new Client(t.app);
    let last = await login(client, account.username!, 'nope');
    for (let i = 1; i < 5; i++) last = await login(client, account.username!, 'nope');
    expect(last.json().retryAfter).toBe(86_400);
  });

  it('restarts the failure count after a successful sign-in', async () => {
    const account = await staff();
    const client = new Client(t.app);
    for (let i = 0; i < 4; i++) await login(client, account.username!, 'nope');
    expect((await login(client, account.username!, FIXTURE_PASSWORD)).statusCode).toBe(200);
    expect((await accountRow(account.id)).failedLogins).toBe(0);
    for (let i = 0; i < 4; i++) expect((await login(client, account.username!, 'nope')).statusCode).toBe(401);
  });

  it('audits the lock-out', async () => {
    const account = await staff();
    for (let i = 0; i < 5; i++) await login(new Client(t.app), account.username!, 'nope');
    const rows = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, account.id), eq(auditLog.action, 'auth.lockout')));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.changes._?.after).toEqual({ factor: 'password', seconds: 60, lockouts: 1 });
    expect(rows[0]!.actorId).toBeNull();
  });

  it('follows the configured threshold and base', async () => {
    const strict = await buildTestApp({ lockoutThreshold: 2, lockoutBaseSeconds: 300 }, { clock });
    try {
      const account = await buildStaff(strict.database.db);
      const client = new Client(strict.app);
      expect((await login(client, account.username!, 'nope')).statusCode).toBe(401);
      const second = await login(client, account.username!, 'nope');
      expect(second.statusCode).toBe(429);
      expect(second.json().retryAfter).toBe(300);
    } finally {
      await strict.close();
    }
  });
});

describe('second factor', () => {
  it('asks for enrolment when a held role requires TOTP, then signs in fully once it is enabled', async () => {
    await setRequireTotp(t.database.db, 'grid_worker', true);
    try {
      const account = await staff({ role: 'grid_worker' });
      const client = new Client(t.app);
      const res = await login(client, account.username!, FIXTURE_PASSWORD);
      expect(res.json()).toEqual({ status: 'totp_enrolment_required', me: null });
      const half = client.cookies.get('linli_session');
      // A half session reaches only the enrolment routes.
      expect((await client.get('/api/v1/me')).statusCode).toBe(401);
      const enrol = await client.post('/api/v1/me/totp/enrol');
      expect(enrol.statusCode).toBe(200);
      const { secret } = enrol.json();
      const enabled = await client.post('/api/v1/me/totp/enable', { code: codeFor(t.app, secret) });
      expect(enabled.statusCode).toBe(200);
      expect(enabled.json()).toMatchObject({ id: account.id, totpEnabled: true });
      expect(client.cookies.get('linli_session')).not.toBe(half);
      expect((await client.get('/api/v1/me')).statusCode).toBe(200);
      const [old] = await t.database.db
        .select()
        .from(sessions)
        .where(and(eq(sessions.accountId, account.id), eq(sessions.stage, 'totp_enrol')));
      expect(old!.revokedAt).not.toBeNull();
    } finally {
      await setRequireTotp(t.database.db, 'grid_worker', false);
    }
  });

  it('asks for the code when TOTP is on, and swaps the half session for a new full one', async () => {
    const secret = generateTotpSecret();
    const account = await staff({ totpSecret: secret });
    const client = new Client(t.app);
    const res = await login(client, account.username!, FIXTURE_PASSWORD);
    expect(res.json()).toEqual({ status: 'totp_required', me: null });
    const half = client.cookies.get('linli_session')!;
    expect((await client.get('/api/v1/me')).statusCode).toBe(401);
    const ok = await client.post('/api/v1/auth/totp', { code: codeFor(t.app, secret) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().status).toBe('signed_in');
    expect(ok.json().me.id).toBe(account.id);
    expect(client.cookies.get('linli_session')).not.toBe(half);
    expect((await client.get('/api/v1/me')).statusCode).toBe(200);
    const stale = await t.app.inject({ url: '/api/v1/me', headers: { cookie: `linli_session=${half}` } });
    expect(stale.statusCode).toBe(401);
  });

  it('accepts the code of the previous and next 30 s step, but not two steps away', async () => {
    const secret = generateTotpSecret();
    const account = await staff({ totpSecret: secret });
    for (const [offset, expected] of [
      [-2, 400],
      [2, 400],
      [-1, 200],
      [1, 200],
    ] as const) {
      clock.advance(90_000);
      const client = new Client(t.app);
      await login(client, account.username!, FIXTURE_PASSWORD);
      const res = await client.post('/api/v1/auth/totp', { code: codeFor(t.app, secret, offset) });
      expect(res.statusCode, `offset ${offset}`).toBe(expected);
    }
  });

  it('never accepts the same code twice', async () => {
    const secret = generateTotpSecret();
    const account = await staff({ totpSecret: secret });
    const code = codeFor(t.app, secret);
    const first = new Client(t.app);
    await login(first, account.username!, FIXTURE_PASSWORD);
    expect((await first.post('/api/v1/auth/totp', { code })).statusCode).toBe(200);
    const second = new Client(t.app);
    await login(second, account.username!, FIXTURE_PASSWORD);
    const replay = await second.post('/api/v1/auth/totp', { code });
    expect(replay.statusCode).toBe(400);
    expect(replay.json().code).toBe('totp-invalid');
    clock.advance(30_000);
    expect((await second.post('/api/v1/auth/totp', { code: codeFor(t.app, secret) })).statusCode).toBe(200);
  });

  it('counts wrong codes toward lock-out, together with the wrong passwords before them', async () => {
    const secret = generateTotpSecret();
    const account = await staff({ totpSecret: secret });
    const client = new Client(t.app);
    for (let i = 0; i < 3; i++) await login(client, account.username!, 'nope');
    await login(client, account.username!, FIXTURE_PASSWORD);
    const window = [-1, 0, 1].map((offset) => codeFor(t.app, secret, offset));
    const wrong = ['000000', '111111', '222222', '333333'].filter((c) => !window.includes(c));
    expect((await client.post('/api/v1/auth/totp', { code: wrong[0] })).statusCode).toBe(400);
    const locked = await client.post('/api/v1/auth/totp', { code: wrong[1] });
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: 'account-locked', retryAfter: 60 });
    // The half session ends with the lock.
    expect(client.cookies.has('linli_session')).toBe(false);
    expect((await login(new Client(t.app), account.username!, FIXTURE_PASSWORD)).statusCode).toBe(429);
  });

  it('answers 401 to /auth/totp without a half session, and to a full session', async () => {
    expect((await new Client(t.app).post('/api/v1/auth/totp', { code: '123456' })).statusCode).toBe(401);
    const full = await loginAs(t.app, 'admin');
    expect((await full.post('/api/v1/auth/totp', { code: '123456' })).statusCode).toBe(401);
  });

  it('refuses a malformed code with 400 naming body/code', async () => {
    const secret = generateTotpSecret();
    const account = await staff({ totpSecret: secret });
    const client = new Client(t.app);
    await login(client, account.username!, FIXTURE_PASSWORD);
    const res = await client.post('/api/v1/auth/totp', { code: '12ab' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body/code');
  });

  it('lets a half session expire after ten minutes', async () => {
    const secret = generateTotpSecret();
    const account = await staff({ totpSecret: secret });
    const client = new Client(t.app);
    await login(client, account.username!, FIXTURE_PASSWORD);
    clock.advance(10 * 60_000);
    const res = await client.post('/api/v1/auth/totp', { code: codeFor(t.app, secret) });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('session-expired');
  });
});

describe('per-IP rate limit on sign-in', () => {
  const LIMIT = 30;
  it(`refuses sign-in attempt ${LIMIT + 1} from one IP within a minute with 429 rate-limited`, async () => {
    const dev = await buildTestApp({ loginRatePerIpPerMinute: LIMIT });
    try {
      const attempt = (ip: string) =>
        dev.app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'nobody', password: 'x' },
          remoteAddress: ip,
        });
      for (let i = 0; i < LIMIT; i++) expect((await attempt('10.9.0.1')).statusCode).toBe(401);
      const over = await attempt('10.9.0.1');
      expect(over.statusCode).toBe(429);
      expect(over.json().code).toBe('rate-limited');
      expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
      expect((await attempt('10.9.0.2')).statusCode).toBe(401);
    } finally {
      await dev.close();
    }
  });
});

describe('GET /session', () => {
  it('answers 200 signed out for a visitor, a half (TOTP) session and a signed-out cookie; the account once signed in', async () => {
    const visitor = new Client(t.app);
    const anonymous = await visitor.get('/api/v1/session');
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toEqual({ signedIn: false, me: null });
    expect(anonymous.headers['cache-control']).toBe('no-store');

    const secret = generateTotpSecret();
    const account = await staff({ totpSecret: secret });
    const client = new Client(t.app);
    expect((await login(client, account.username!, FIXTURE_PASSWORD)).json().status).toBe('totp_required');
    expect((await client.get('/api/v1/session')).json()).toEqual({ signedIn: false, me: null });

    expect((await client.post('/api/v1/auth/totp', { code: codeFor(t.app, secret) })).statusCode).toBe(200);
    const full = await client.get('/api/v1/session');
    expect(full.statusCode).toBe(200);
    expect(full.json()).toMatchObject({ signedIn: true, me: { id: account.id, kind: 'staff' } });
    expect(full.json().me).toEqual((await client.get('/api/v1/me')).json());

    const cookie = client.cookies.get('linli_session')!;
    expect((await client.post('/api/v1/auth/logout')).statusCode).toBe(204);
    const after = await t.app.inject({
      url: '/api/v1/session',
      headers: { cookie: `linli_session=${cookie}` },
    });
    expect(after.json()).toEqual({ signedIn: false, me: null });
  });
});
