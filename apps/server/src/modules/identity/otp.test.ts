import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/harness';
import type { Database } from '../../core/db/client';
import { AppError } from '../../core/errors';
import {
  consumeOtp,
  generateOtpCode,
  issueOtp,
  OTP_MAX_ATTEMPTS,
  OTP_RESEND_COOLDOWN_SECONDS,
  OTP_TTL_SECONDS,
  otpHash,
  otpProblem,
} from './otp';
import { otpCodes } from './schema';

let database: Database;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ database, drop } = await openTestDatabase());
});
afterAll(() => drop());

const T0 = new Date('2026-03-02T08:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const limits = { perPhonePerHour: 5, perIpPerHour: 30 };
let phoneSeq = 0;
/** A fresh number per test, so tests do not share cool-downs and limits. */
const newPhone = () => `1390000${String(++phoneSeq).padStart(4, '0')}`;

/** Each number gets its own default IP, so the per-IP limit only bites where a test means it to. */
const ipOf = (phone: string) => `10.0.${Number(phone.slice(-4)) % 250}.1`;
function issue(phone: string, code: string, now: Date, ip: string | null = ipOf(phone), l = limits) {
  return issueOtp(database.db, { phone, code, ip, now, limits: l });
}
const check = (phone: string, code: string, now: Date) =>
  database.db.transaction((tx) => consumeOtp(tx, phone, code, now));

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('codes', () => {
  it('are six digits from the whole range', () => {
    const codes = Array.from({ length: 200 }, generateOtpCode);
    for (const c of codes) expect(c).toMatch(/^[0-9]{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(190);
  });

  it('are stored only as a hash of number and code', async () => {
    const phone = newPhone();
    await issue(phone, '246810', T0);
    const rows = await database.db.select().from(otpCodes).where(eq(otpCodes.phone, phone));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.codeHash).toBe(otpHash(phone, '246810'));
    expect(rows[0]!.codeHash).not.toContain('246810');
    expect(otpHash(newPhone(), '246810')).not.toBe(rows[0]!.codeHash);
  });
});

describe('expiry', () => {
  it('accepts a code one millisecond before five minutes', async () => {
    const phone = newPhone();
    await issue(phone, '111111', T0);
    expect(await check(phone, '111111', new Date(at(OTP_TTL_SECONDS).getTime() - 1))).toEqual({ ok: true });
  });

  it('refuses a code at exactly five minutes as expired', async () => {
    const phone = newPhone();
    const issued = await issue(phone, '111111', T0);
    expect(issued.expiresAt).toEqual(at(300));
    expect(await check(phone, '111111', at(300))).toEqual({ ok: false, reason: 'otp-expired' });
  });

  it('does not count a try on an expired code', async () => {
    const phone = newPhone();
    await issue(phone, '111111', T0);
    await check(phone, '999999', at(301));
    const [row] = await database.db.select().from(otpCodes).where(eq(otpCodes.phone, phone));
    expect(row!.attempts).toBe(0);
  });
});

describe('tries', () => {
  it('counts down the tries left on each wrong code', async () => {
    const phone = newPhone();
    await issue(phone, '123456', T0);
    for (let i = 1; i < OTP_MAX_ATTEMPTS; i++) {
      expect(await check(phone, '000000', at(i))).toEqual({
        ok: false,
        reason: 'otp-invalid',
        remaining: OTP_MAX_ATTEMPTS - i,
      });
    }
  });

  it('accepts the right code on the fifth try', async () => {
    const phone = newPhone();
    await issue(phone, '123456', T0);
    for (let i = 1; i < OTP_MAX_ATTEMPTS; i++) await check(phone, '000000', at(i));
    expect(await check(phone, '123456', at(10))).toEqual({ ok: true });
  });

  it('kills the code with the fifth wrong try, so even the right code then fails', async () => {
    const phone = newPhone();
    await issue(phone, '123456', T0);
    for (let i = 1; i < OTP_MAX_ATTEMPTS; i++) await check(phone, '000000', at(i));
    expect(await check(phone, '000000', at(5))).toEqual({ ok: false, reason: 'otp-too-many-attempts' });
    expect(await check(phone, '123456', at(6))).toEqual({ ok: false, reason: 'otp-too-many-attempts' });
    const [row] = await database.db.select().from(otpCodes).where(eq(otpCodes.phone, phone));
    expect(row!.attempts).toBe(OTP_MAX_ATTEMPTS);
    expect(row!.consumedAt).toBeNull();
  });

  it('consumes a code on success, so it cannot be used twice', async () => {
    const phone = newPhone();
    await issue(phone, '123456', T0);
    expect(await check(phone, '123456', at(1))).toEqual({ ok: true });
    expect(await check(phone, '123456', at(2))).toEqual({ ok: false, reason: 'otp-none' });
  });

  it('answers "none" for a number that was never sent a code', async () => {
    expect(await check(newPhone(), '123456', T0)).toEqual({ ok: false, reason: 'otp-none' });
  });

  it('keeps a wrong try counted when the transaction commits after the refusal', async () => {
    const phone = newPhone();
    await issue(phone, '123456', T0);
    await check(phone, '000000', at(1));
    const [row] = await database.db.select().from(otpCodes).where(eq(otpCodes.phone, phone));
    expect(row!.attempts).toBe(1);
  });
});

describe('supersession', () => {
  it('makes an older, unexpired code useless once a new one is sent', async () => {
    const phone = newPhone();
    await issue(phone, '111111', T0);
    await issue(phone, '222222', at(OTP_RESEND_COOLDOWN_SECONDS));
    expect(await check(phone, '111111', at(61))).toMatchObject({ ok: false, reason: 'otp-invalid' });
    expect(await check(phone, '222222', at(62))).toEqual({ ok: true });
  });

  it('gives the new code a fresh set of tries', async () => {
    const phone = newPhone();
    await issue(phone, '111111', T0);
    for (let i = 1; i <= OTP_MAX_ATTEMPTS; i++) await check(phone, '000000', at(i));
    await issue(phone, '222222', at(60));
    expect(await check(phone, '000000', at(61))).toEqual({
      ok: false,
      reason: 'otp-invalid',
      remaining: OTP_MAX_ATTEMPTS - 1,
    });
  });
});

describe('resend cool-down', () => {
  it('refuses a second code within 60 s with the seconds left', async () => {
    const phone = newPhone();
    await issue(phone, '111111', T0);
    const err = await refusal(issue(phone, '222222', at(1)));
    expect(err.status).toBe(429);
    expect(err.code).toBe('otp-cooldown');
    expect(err.extra.retryAfter).toBe(59);
    const late = await refusal(issue(phone, '222222', new Date(at(60).getTime() - 1)));
    expect(late.extra.retryAfter).toBe(1);
  });

  it('allows a new code at exactly 60 s', async () => {
    const phone = newPhone();
    await issue(phone, '111111', T0);
    await expect(issue(phone, '222222', at(60))).resolves.toMatchObject({ expiresAt: at(360) });
  });

  it('applies per number: another number is not held up', async () => {
    const phone = newPhone();
    await issue(phone, '111111', T0);
    await expect(issue(newPhone(), '222222', at(1))).resolves.toBeDefined();
  });

  it('leaves no row behind when refused', async () => {
    const phone = newPhone();
    await issue(phone, '111111', T0);
    await refusal(issue(phone, '222222', at(10)));
    const rows = await database.db.select().from(otpCodes).where(eq(otpCodes.phone, phone));
    expect(rows).toHaveLength(1);
  });
});

describe('hourly limit per number', () => {
  it('allows five codes an hour and refuses the sixth until the oldest is an hour old', async () => {
    const phone = newPhone();
    for (let i = 0; i < 5; i++) await issue(phone, '111111', at(i * 60), `10.1.0.${i}`);
    const err = await refusal(issue(phone, '222222', at(5 * 60), '10.1.0.9'));
    expect(err.status).toBe(429);
    expect(err.code).toBe('rate-limited');
    expect(err.extra.retryAfter).toBe(3600 - 300);
    await refusal(issue(phone, '222222', new Date(at(3600).getTime() - 1), '10.1.0.9'));
    // At exactly one hour the first code leaves the window.
    await expect(issue(phone, '222222', at(3600), '10.1.0.9')).resolves.toBeDefined();
  });

  it('follows the configured limit', async () => {
    const phone = newPhone();
    const tight = { perPhonePerHour: 2, perIpPerHour: 30 };
    await issue(phone, '111111', T0, '10.2.0.1', tight);
    await issue(phone, '111111', at(60), '10.2.0.1', tight);
    const err = await refusal(issue(phone, '111111', at(120), '10.2.0.1', tight));
    expect(err.code).toBe('rate-limited');
  });
});

describe('hourly limit per IP', () => {
  it('refuses codes to any number once an IP reached its limit, and lets other IPs through', async () => {
    const ip = '10.3.0.1';
    const small = { perPhonePerHour: 5, perIpPerHour: 3 };
    for (let i = 0; i < 3; i++) await issue(newPhone(), '111111', at(i), ip, small);
    const err = await refusal(issue(newPhone(), '111111', at(10), ip, small));
    expect(err.status).toBe(429);
    expect(err.code).toBe('rate-limited');
    expect(err.extra.retryAfter).toBe(3600 - 10);
    await expect(issue(newPhone(), '111111', at(10), '10.3.0.2', small)).resolves.toBeDefined();
    await expect(issue(newPhone(), '111111', at(3600), ip, small)).resolves.toBeDefined();
  });

  it('counts codes another server process recorded in the shared database', async () => {
    const ip = '10.4.0.1';
    const phone = newPhone();
    // Rows written by some other process: nothing in this process's memory knows about them.
    await database.db.insert(otpCodes).values([
      { phone: newPhone(), codeHash: 'x', createdAt: T0, expiresAt: at(300), ip },
      { phone, codeHash: 'x', createdAt: at(1), expiresAt: at(301), ip: '10.4.0.2' },
    ]);
    const byIp = await refusal(issue(newPhone(), '1', at(2), ip, { perPhonePerHour: 5, perIpPerHour: 1 }));
    expect(byIp.code).toBe('rate-limited');
    const cooldown = await refusal(issue(phone, '1', at(2), '10.4.0.3'));
    expect(cooldown.code).toBe('otp-cooldown');
  });
});

describe('problems', () => {
  it('say how many tries remain and name the code field', () => {
    const p = otpProblem({ ok: false, reason: 'otp-invalid', remaining: 3 });
    expect(p.status).toBe(400);
    expect(p.code).toBe('otp-invalid');
    expect(p.message).toContain('3 tries remain');
    expect(p.extra.attemptsRemaining).toBe(3);
    expect(p.extra.errors?.[0]?.field).toBe('body/code');
    expect(otpProblem({ ok: false, reason: 'otp-invalid', remaining: 1 }).message).toContain('1 try remains');
  });

  it('map expiry, exhaustion and a missing code to their codes', () => {
    expect(otpProblem({ ok: false, reason: 'otp-expired' }).code).toBe('otp-expired');
    expect(otpProblem({ ok: false, reason: 'otp-too-many-attempts' }).code).toBe('otp-too-many-attempts');
    expect(otpProblem({ ok: false, reason: 'otp-none' }).code).toBe('otp-invalid');
  });
});
