import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, type TestApp } from '../../../test/harness';
import { buildApp } from '../../app';
import { ConfigError } from '../../config';
import { FakeClock } from '../../core/clock';
import { auditLog } from '../../core/schema';
import { SecretBox } from '../../core/secret-box';
import { TEST_SECRET_KEY } from '../../../test/config';
import { buildStaff, codeFor, FIXTURE_PASSWORD } from './auth-fixtures';
import { accounts, recoveryCodes } from './schema';
import { sealTotpSecrets } from './totp-secrets';

const clock = new FakeClock(new Date('2026-06-01T01:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { clock });
});
afterAll(() => t.close());

const accountRow = async (id: string) =>
  (await t.database.db.select().from(accounts).where(eq(accounts.id, id)))[0]!;
const signIn = (client: Client, username: string) =>
  client.post('/api/v1/auth/login', { username, password: FIXTURE_PASSWORD });

/** A staff member who turned TOTP on through the API: their secret and the recovery codes shown. */
async function staffWithTotp() {
  const account = await buildStaff(t.database.db);
  const client = new Client(t.app);
  expect((await signIn(client, account.username!)).json().status).toBe('signed_in');
  const { secret } = (await client.post('/api/v1/me/totp/enrol')).json();
  const enabled = await client.post('/api/v1/me/totp/enable', { code: codeFor(t.app, secret) });
  expect(enabled.statusCode, enabled.body).toBe(200);
  clock.advance(90_000);
  return { account, client, secret, codes: enabled.json().recoveryCodes as string[] };
}

describe('TOTP secrets at rest', () => {
  it('stores the secret sealed, never in clear, bound to its account', async () => {
    const account = await buildStaff(t.database.db);
    const client = new Client(t.app);
    await signIn(client, account.username!);
    const { secret } = (await client.post('/api/v1/me/totp/enrol')).json();
    const stored = (await accountRow(account.id)).totpSecret!;
    expect(stored).toMatch(/^enc:v1:/);
    expect(stored).not.toContain(secret);
    const box = new SecretBox(Buffer.from(TEST_SECRET_KEY, 'base64'));
    expect(box.open(stored, `totp:${account.id}`)).toBe(secret);
    expect(() => box.open(stored, 'totp:another-account')).toThrow(/does not open/);
    // And the code it makes is accepted.
    expect((await client.post('/api/v1/me/totp/enable', { code: codeFor(t.app, secret) })).statusCode).toBe(
      200,
    );
  });

  it('seals secrets stored in clear at start, audited, and they keep working', async () => {
    const account = await buildStaff(t.database.db);
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await t.database.db
      .update(accounts)
      .set({ totpSecret: secret, totpEnabled: true })
      .where(eq(accounts.id, account.id));
    const result = await sealTotpSecrets(t.database.db, t.app.secrets);
    expect(result.sealed).toBe(1);
    expect((await accountRow(account.id)).totpSecret).toMatch(/^enc:v1:/);
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'account.totp_secrets_seal'));
    expect(audit!.changes._).toEqual({ before: null, after: { accounts: 1 } });
    const client = new Client(t.app);
    expect((await signIn(client, account.username!)).json().status).toBe('totp_required');
    clock.advance(60_000);
    expect((await client.post('/api/v1/auth/totp', { code: codeFor(t.app, secret) })).json().status).toBe(
      'signed_in',
    );
  });

  it('refuses to start with a key that does not open the stored secrets, naming LINLI_SECRET_KEY', async () => {
    await staffWithTotp();
    let caught: unknown;
    try {
      await sealTotpSecrets(t.database.db, new SecretBox(randomBytes(32)));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe('LINLI_SECRET_KEY');
    expect((caught as Error).message).toMatch(/not the key the secrets were sealed with/);
  });

  it('answers 503 secret-key-mismatch, not a wrong-code error, when a server runs with another key', async () => {
    const { account, secret } = await staffWithTotp();
    const other = await buildApp({
      config: t.config,
      database: t.database,
      logger: false,
      clock,
      secretKey: randomBytes(32),
    });
    await other.ready();
    try {
      const client = new Client(other);
      expect((await signIn(client, account.username!)).json().status).toBe('totp_required');
      const res = await client.post('/api/v1/auth/totp', { code: codeFor(t.app, secret) });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('secret-key-mismatch');
      expect(res.json().detail).toMatch(/LINLI_SECRET_KEY/);
    } finally {
      await other.close();
    }
  });
});

describe('staff recovery codes', () => {
  it('gives ten different codes with TOTP, shown once and stored hashed', async () => {
    const { account, client, codes } = await staffWithTotp();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const rows = await t.database.db
      .select()
      .from(recoveryCodes)
      .where(eq(recoveryCodes.accountId, account.id));
    expect(rows).toHaveLength(10);
    for (const r of rows) for (const c of codes) expect(r.codeHash).not.toContain(c.replace('-', ''));
    expect((await client.get('/api/v1/me/recovery-codes')).json()).toMatchObject({
      remaining: 10,
      total: 10,
    });
  });

  it('signs in with a recovery code in place of the authenticator code, once only', async () => {
    const { account, codes } = await staffWithTotp();
    const first = new Client(t.app);
    expect((await signIn(first, account.username!)).json().status).toBe('totp_required');
    const ok = await first.post('/api/v1/auth/totp', { code: codes[0] });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().status).toBe('signed_in');
    const signIns = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'auth.sign_in'), eq(auditLog.entityId, account.id)));
    expect(signIns.at(-1)!.changes._!.after).toMatchObject({ method: 'recovery_code', recoveryCodesLeft: 9 });

    const again = new Client(t.app);
    await signIn(again, account.username!);
    const reused = await again.post('/api/v1/auth/totp', { code: codes[0] });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().code).toBe('totp-invalid');
    // Typed in capitals and without the dash, another code works.
    const typed = await again.post('/api/v1/auth/totp', { code: codes[1]!.replace('-', '').toUpperCase() });
    expect(typed.json().status).toBe('signed_in');
    expect(typed.json().me.id).toBe(account.id);
    expect((await again.get('/api/v1/me/recovery-codes')).json()).toMatchObject({ remaining: 8, total: 10 });
  });

  it('regenerates the set with the password: the old codes stop working, audited', async () => {
    const { account, client, codes } = await staffWithTotp();
    const wrong = await client.post('/api/v1/me/recovery-codes', { password: 'not-the-password' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe('password-wrong');
    const fresh = await client.post('/api/v1/me/recovery-codes', { password: FIXTURE_PASSWORD });
    expect(fresh.statusCode, fresh.body).toBe(200);
    const next = fresh.json().codes as string[];
    expect(next).toHaveLength(10);
    expect(next.some((c) => codes.includes(c))).toBe(false);
    expect(fresh.headers['cache-control']).toBe('no-store');

    const old = new Client(t.app);
    await signIn(old, account.username!);
    expect((await old.post('/api/v1/auth/totp', { code: codes[2] })).json().code).toBe('totp-invalid');
    expect((await old.post('/api/v1/auth/totp', { code: next[0] })).json().status).toBe('signed_in');
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(
        and(eq(auditLog.action, 'account.recovery_codes_regenerate'), eq(auditLog.entityId, account.id)),
      );
    expect(audit!.changes._!.after).toEqual({ unusedBefore: 10, generated: 10 });
  });

  it('counts a wrong recovery code toward lock-out like a wrong authenticator code', async () => {
    const { account } = await staffWithTotp();
    const client = new Client(t.app);
    await signIn(client, account.username!);
    const before = (await accountRow(account.id)).failedLogins;
    const res = await client.post('/api/v1/auth/totp', { code: 'aaaaa-bbbbb' });
    expect(res.json().code).toBe('totp-invalid');
    expect((await accountRow(account.id)).failedLogins).toBe(before + 1);
  });

  it('deletes the codes when TOTP is turned off, and refuses a new set without TOTP', async () => {
    const { account, client } = await staffWithTotp();
    expect((await client.post('/api/v1/me/totp/disable', { password: FIXTURE_PASSWORD })).statusCode).toBe(
      200,
    );
    expect(
      await t.database.db.select().from(recoveryCodes).where(eq(recoveryCodes.accountId, account.id)),
    ).toHaveLength(0);
    const res = await client.post('/api/v1/me/recovery-codes', { password: FIXTURE_PASSWORD });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('totp-not-enrolled');
  });

  it('is for staff only', async () => {
    expect((await new Client(t.app).get('/api/v1/me/recovery-codes')).statusCode).toBe(401);
  });
});
