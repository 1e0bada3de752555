import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { auditLog } from '../../core/schema';
import { accounts, orgUnits, otpCodes } from './schema';

const clock = new FakeClock(new Date('2026-06-01T01:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { clock });
});
afterAll(() => t.close());

let seq = 0;
const newPhone = () => `1370000${String(++seq).padStart(4, '0')}`;

async function sendCode(client: Client, phone: string) {
  const res = await client.post('/api/v1/auth/otp', { phone });
  expect(res.statusCode, res.body).toBe(200);
  return t.otp.latest(phone)!.code;
}

describe('POST /auth/otp', () => {
  it('sends a six-digit code through the configured sender and says how long it lives', async () => {
    const phone = newPhone();
    const res = await new Client(t.app).post('/api/v1/auth/otp', { phone });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ expiresInSeconds: 300, resendAfterSeconds: 60 });
    const sent = t.otp.latest(phone);
    expect(sent?.code).toMatch(/^[0-9]{6}$/);
    expect(sent?.expiresAt).toEqual(new Date(clock.now().getTime() + 300_000));
  });

  it('stores a hash, never the code', async () => {
    const phone = newPhone();
    const code = await sendCode(new Client(t.app), phone);
    const rows = await t.database.db.select().from(otpCodes).where(eq(otpCodes.phone, phone));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(`"${code}"`);
    expect(rows[0]!.codeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.ip).toBe('127.0.0.1');
  });

  it('refuses a missing or malformed phone with 400 naming body/phone', async () => {
    const client = new Client(t.app);
    for (const payload of [{}, { phone: '12345' }, { phone: '23800000001' }, { phone: '1380000000a' }]) {
      const res = await client.post('/api/v1/auth/otp', payload);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe('validation');
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('body/phone');
    }
  });

  it('answers a resend within 60 s with 429 otp-cooldown, retryAfter and a Retry-After header', async () => {
    const phone = newPhone();
    const client = new Client(t.app);
    await sendCode(client, phone);
    clock.advance(15_000);
    const res = await client.post('/api/v1/auth/otp', { phone });
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ code: 'otp-cooldown', retryAfter: 45 });
    expect(res.headers['retry-after']).toBe('45');
    clock.advance(45_000);
    expect((await client.post('/api/v1/auth/otp', { phone })).statusCode).toBe(200);
  });

  it('keeps the cool-down the deployment sets (OTP_RESEND_COOLDOWN_SECONDS) and says so', async () => {
    const quick = await buildTestApp({ otpResendCooldownSeconds: 10 }, { clock });
    try {
      const phone = newPhone();
      const client = new Client(quick.app);
      const first = await client.post('/api/v1/auth/otp', { phone });
      expect(first.json()).toMatchObject({ resendAfterSeconds: 10 });
      clock.advance(4_000);
      const early = await client.post('/api/v1/auth/otp', { phone });
      expect(early.statusCode).toBe(429);
      expect(early.json()).toMatchObject({ code: 'otp-cooldown', retryAfter: 6 });
      clock.advance(6_000);
      expect((await client.post('/api/v1/auth/otp', { phone })).statusCode).toBe(200);
    } finally {
      await quick.close();
    }
  });

  it('answers 429 rate-limited once an IP asked for too many codes in an hour', async () => {
    const strict = await buildTestApp({ otpRatePerIpPerHour: 2 }, { clock });
    try {
      const from = (ip: string, phone: string) =>
        strict.app.inject({
          method: 'POST',
          url: '/api/v1/auth/otp',
          payload: { phone },
          remoteAddress: ip,
        });
      expect((await from('10.8.0.1', newPhone())).statusCode).toBe(200);
      expect((await from('10.8.0.1', newPhone())).statusCode).toBe(200);
      const third = await from('10.8.0.1', newPhone());
      expect(third.statusCode).toBe(429);
      expect(third.json().code).toBe('rate-limited');
      expect(Number(third.headers['retry-after'])).toBe(3600);
      expect((await from('10.8.0.2', newPhone())).statusCode).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('answers 429 rate-limited once a number was sent its hourly allowance', async () => {
    const phone = newPhone();
    const client = new Client(t.app);
    for (let i = 0; i < t.config.otpRatePerPhonePerHour; i++) {
      await sendCode(client, phone);
      clock.advance(60_000);
    }
    const res = await client.post('/api/v1/auth/otp', { phone });
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('rate-limited');
    expect(res.json().retryAfter).toBeGreaterThan(0);
  });
});

describe('POST /auth/otp/verify', () => {
  it('signs a known resident in with a full session and answers signed_in with their own unmasked number', async () => {
    clock.advance(120_000);
    const client = new Client(t.app);
    const code = await sendCode(client, '13800000001');
    const res = await client.post('/api/v1/auth/otp/verify', { phone: '13800000001', code });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('signed_in');
    expect(body.me).toMatchObject({ kind: 'resident', phone: '13800000001', grants: [], permissions: [] });
    expect(body.me.homeOrgUnit).toMatchObject({ name: '家和社区', kind: 'community' });
    expect(client.cookies.get('linli_session')).toBeTruthy();
    expect(client.cookies.get('linli_csrf')).toBeTruthy();
    const me = await client.get('/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json().id).toBe(body.me.id);
    const [row] = await t.database.db.select().from(accounts).where(eq(accounts.id, body.me.id));
    expect(row!.lastSignInAt).toEqual(clock.now());
  });

  it('creates the resident account on first sign-in, in the district, and audits it with the number masked', async () => {
    const phone = newPhone();
    const client = new Client(t.app);
    const code = await sendCode(client, phone);
    const res = await client.post('/api/v1/auth/otp/verify', { phone, code });
    expect(res.statusCode).toBe(200);
    const me = res.json().me;
    expect(me).toMatchObject({
      kind: 'resident',
      phone,
      displayName: `居民${phone.slice(-4)}`,
      homeOrgUnit: null,
    });
    const [account] = await t.database.db.select().from(accounts).where(eq(accounts.id, me.id));
    const [district] = await t.database.db.select().from(orgUnits).where(eq(orgUnits.kind, 'district'));
    expect(account!.districtId).toBe(district!.id);
    const audit = await t.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, me.id))
      .orderBy(desc(auditLog.id));
    expect(audit.map((a) => a.action)).toEqual(['auth.sign_in', 'account.register']);
    expect(audit.every((a) => a.actorId === me.id)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(phone);
    expect(JSON.stringify(audit[1]!.changes)).toContain(`${phone.slice(0, 3)}****${phone.slice(-4)}`);
  });

  it('signs the same number into the same account the second time', async () => {
    const phone = newPhone();
    const first = await residentLogin(t, phone);
    clock.advance(60_000);
    const second = await residentLogin(t, phone);
    const a = (await first.get('/api/v1/me')).json().id;
    const b = (await second.get('/api/v1/me')).json().id;
    expect(a).toBe(b);
    const rows = await t.database.db
      .select()
      .from(accounts)
      .where(and(eq(accounts.phone, phone), eq(accounts.kind, 'resident')));
    expect(rows).toHaveLength(1);
  });

  it('answers a wrong code with 400 otp-invalid saying how many tries remain', async () => {
    const phone = newPhone();
    const client = new Client(t.app);
    const code = await sendCode(client, phone);
    const wrong = code === '000000' ? '000001' : '000000';
    const res = await client.post('/api/v1/auth/otp/verify', { phone, code: wrong });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'otp-invalid', attemptsRemaining: 4 });
    expect(res.json().detail).toContain('4 tries remain');
    expect(client.cookies.has('linli_session')).toBe(false);
  });

  it('kills the code after five wrong tries with otp-too-many-attempts', async () => {
    const phone = newPhone();
    const client = new Client(t.app);
    const code = await sendCode(client, phone);
    const wrong = code === '000000' ? '000001' : '000000';
    const codes: string[] = [];
    for (let i = 0; i < 5; i++)
      codes.push((await client.post('/api/v1/auth/otp/verify', { phone, code: wrong })).json().code);
    expect(codes).toEqual([
      'otp-invalid',
      'otp-invalid',
      'otp-invalid',
      'otp-invalid',
      'otp-too-many-attempts',
    ]);
    const right = await client.post('/api/v1/auth/otp/verify', { phone, code });
    expect(right.statusCode).toBe(400);
    expect(right.json().code).toBe('otp-too-many-attempts');
  });

  it('answers otp-expired at exactly five minutes', async () => {
    const phone = newPhone();
    const client = new Client(t.app);
    const code = await sendCode(client, phone);
    clock.advance(300_000);
    const res = await client.post('/api/v1/auth/otp/verify', { phone, code });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('otp-expired');
  });

  it('accepts only the newest code when a second one was sent', async () => {
    const phone = newPhone();
    const client = new Client(t.app);
    const first = await sendCode(client, phone);
    clock.advance(60_000);
    const second = await sendCode(client, phone);
    if (first !== second) {
      const old = await client.post('/api/v1/auth/otp/verify', { phone, code: first });
      expect(old.json().code).toBe('otp-invalid');
    }
    expect((await client.post('/api/v1/auth/otp/verify', { phone, code: second })).statusCode).toBe(200);
  });

  it('refuses a used code', async () => {
    const phone = newPhone();
    const client = new Client(t.app);
    const code = await sendCode(client, phone);
    expect((await client.post('/api/v1/auth/otp/verify', { phone, code })).statusCode).toBe(200);
    const again = await new Client(t.app).post('/api/v1/auth/otp/verify', { phone, code });
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('otp-invalid');
  });

  it('answers 403 account-disabled for a disabled resident and opens no session', async () => {
    const phone = newPhone();
    await residentLogin(t, phone);
    await t.database.db.update(accounts).set({ status: 'disabled' }).where(eq(accounts.phone, phone));
    clock.advance(60_000);
    const client = new Client(t.app);
    const code = await sendCode(client, phone);
    const res = await client.post('/api/v1/auth/otp/verify', { phone, code });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('account-disabled');
    expect(client.cookies.has('linli_session')).toBe(false);
  });

  it('refuses bad input with 400 naming body/phone and body/code', async () => {
    const res = await new Client(t.app).post('/api/v1/auth/otp/verify', { phone: '1', code: '12' });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body/phone', 'body/code']));
  });

  it('replaces the session the browser came with', async () => {
    const phone = newPhone();
    const client = await residentLogin(t, phone);
    const before = client.cookies.get('linli_session');
    clock.advance(60_000);
    const code = await sendCode(client, phone);
    expect((await client.post('/api/v1/auth/otp/verify', { phone, code })).statusCode).toBe(200);
    expect(client.cookies.get('linli_session')).not.toBe(before);
    const stale = await t.app.inject({
      url: '/api/v1/me',
      headers: { cookie: `linli_session=${before}` },
    });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().code).toBe('session-expired');
  });
});

describe('GET /dev/otp/:phone', () => {
  it('shows the last code the development sender sent', async () => {
    const phone = newPhone();
    const code = await sendCode(new Client(t.app), phone);
    const res = await t.app.inject(`/api/v1/dev/otp/${phone}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ phone, code });
  });

  it('answers a 404 problem for a number that was sent nothing', async () => {
    const res = await t.app.inject(`/api/v1/dev/otp/${newPhone()}`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not-found');
  });

  it('answers 400 naming params/phone for a malformed number', async () => {
    const res = await t.app.inject('/api/v1/dev/otp/12345');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('params/phone');
  });

  it('does not exist without the development conveniences (config.dev off: production, or a reachable HOST)', async () => {
    const prod = await buildTestApp({ env: 'production', dev: false });
    try {
      const phone = newPhone();
      expect((await new Client(prod.app).post('/api/v1/auth/otp', { phone })).statusCode).toBe(200);
      const res = await prod.app.inject(`/api/v1/dev/otp/${phone}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('route-not-found');
      const doc = (await prod.app.inject('/api/openapi.json')).json();
      expect(Object.keys(doc.paths).some((p) => p.startsWith('/api/v1/dev/'))).toBe(false);
    } finally {
      await prod.close();
    }
  });
});
