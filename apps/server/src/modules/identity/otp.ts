import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, gt, sql } from 'drizzle-orm';
import type { Db, Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { otpCodes } from './schema';

/**
 * The rules of resident sign-in codes. Every limit is counted from rows in `otp_codes`, not
 * from process memory, so several server processes behind one proxy agree.
 */

/** A code is valid for five minutes: at exactly 300 s it has expired. */
export const OTP_TTL_SECONDS = 300;
/** A number may ask for a new code once a minute. */
export const OTP_RESEND_COOLDOWN_SECONDS = 60;
/** Tries per code; the try that uses up the last one kills the code. */
export const OTP_MAX_ATTEMPTS = 5;
const HOUR_MS = 3_600_000;

/** A 6-digit code from the OS's cryptographic random source. */
export function generateOtpCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** What is stored instead of the code: SHA-256 over the number and the code. */
export function otpHash(phone: string, code: string): string {
  return createHash('sha256').update(`linli-otp:${phone}:${code}`).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const secondsUntil = (at: number, now: Date) => Math.max(1, Math.ceil((at - now.getTime()) / 1000));

/** Sign-in, or confirming that the account is to be closed (注销). */
export type OtpPurpose = 'sign_in' | 'close_account';

export interface OtpLimits {
  perPhonePerHour: number;
  perIpPerHour: number;
  /** Seconds before a number may be sent another code (`OTP_RESEND_COOLDOWN_SECONDS`; 60 unless set). */
  resendCooldownSeconds?: number;
}

/** How many codes a phone or IP was sent in the hour up to `now`, and when the oldest of them leaves the window. */
async function sentInLastHour(
  db: Executor,
  column: typeof otpCodes.phone | typeof otpCodes.ip,
  value: string,
  now: Date,
) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int`, oldest: sql<Date | string | null>`min(${otpCodes.createdAt})` })
    .from(otpCodes)
    .where(and(eq(column, value), gt(otpCodes.createdAt, new Date(now.getTime() - HOUR_MS))));
  const oldest = row?.oldest ? new Date(row.oldest) : null;
  return { count: Number(row?.n ?? 0), oldest };
}

/**
 * Records a new code for `phone` after checking, in this order: the resend
 * cool-down (429 `otp-cooldown`), the per-IP and the per-phone hourly limits (429
 * `rate-limited`), each with `retryAfter` in seconds. The newest code supersedes older ones:
 * verification only ever looks at a number's latest code.
 */
export async function issueOtp(
  db: Db,
  input: {
    phone: string;
    code: string;
    ip: string | null;
    now: Date;
    limits: OtpLimits;
    /** What the code is for; it works for nothing else. Limits count every purpose together. */
    purpose?: OtpPurpose;
  },
): Promise<{ id: string; expiresAt: Date }> {
  const { phone, ip, now, limits } = input;
  return db.transaction(async (tx) => {
    // Serialise issuers of one number (and one IP) so two processes cannot both pass the checks.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`otp-phone:${phone}`}))`);
    if (ip) await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`otp-ip:${ip}`}))`);

    const [latest] = await tx
      .select({ createdAt: otpCodes.createdAt })
      .from(otpCodes)
      .where(eq(otpCodes.phone, phone))
      .orderBy(desc(otpCodes.createdAt))
      .limit(1);
    if (latest) {
      const cooldown = limits.resendCooldownSeconds ?? OTP_RESEND_COOLDOWN_SECONDS;
      const readyAt = latest.createdAt.getTime() + cooldown * 1000;
      if (now.getTime() < readyAt) {
        const wait = Math.min(cooldown, secondsUntil(readyAt, now));
        throw AppError.rateLimited(
          wait,
          'otp-cooldown',
          `A code was sent moments ago; you can ask for another in ${wait} s.`,
        );
      }
    }
    if (ip) {
      const byIp = await sentInLastHour(tx, otpCodes.ip, ip, now);
      if (byIp.count >= limits.perIpPerHour) {
        const wait = secondsUntil((byIp.oldest?.getTime() ?? now.getTime()) + HOUR_MS, now);
        throw AppError.rateLimited(
          wait,
          'rate-limited',
          'Too many codes requested from this network; try later.',
        );
      }
    }
    const byPhone = await sentInLastHour(tx, otpCodes.phone, phone, now);
    if (byPhone.count >= limits.perPhonePerHour) {
      const wait = secondsUntil((byPhone.oldest?.getTime() ?? now.getTime()) + HOUR_MS, now);
      throw AppError.rateLimited(
        wait,
        'rate-limited',
        'Too many codes requested for this number; try later.',
      );
    }

    const expiresAt = new Date(now.getTime() + OTP_TTL_SECONDS * 1000);
    const [row] = await tx
      .insert(otpCodes)
      .values({
        phone,
        purpose: input.purpose ?? 'sign_in',
        codeHash: otpHash(phone, input.code),
        createdAt: now,
        expiresAt,
        ip,
      })
      .returning({ id: otpCodes.id });
    return { id: row!.id, expiresAt };
  });
}

/** Removes a code that could not be delivered, so it counts toward no limit. */
export async function discardOtp(db: Executor, id: string): Promise<void> {
  await db.delete(otpCodes).where(eq(otpCodes.id, id));
}

export type OtpCheck =
  | { ok: true }
  | { ok: false; reason: 'otp-invalid'; remaining: number }
  | { ok: false; reason: 'otp-expired' | 'otp-too-many-attempts' | 'otp-none' };

/**
 * Checks `code` against the latest code sent to `phone` for `purpose`, inside the caller's transaction (the
 * row is locked, so concurrent tries are counted one by one). A wrong try is counted; the
 * fifth wrong one kills the code; a right one consumes it. The caller must commit even when
 * the check fails, so the counted try sticks.
 */
export async function consumeOtp(
  tx: Executor,
  phone: string,
  code: string,
  now: Date,
  purpose: OtpPurpose = 'sign_in',
): Promise<OtpCheck> {
  const [row] = await tx
    .select()
    .from(otpCodes)
    .where(and(eq(otpCodes.phone, phone), eq(otpCodes.purpose, purpose)))
    .orderBy(desc(otpCodes.createdAt), desc(otpCodes.id))
    .limit(1)
    .for('update');
  if (!row || row.consumedAt) return { ok: false, reason: 'otp-none' };
  if (row.attempts >= OTP_MAX_ATTEMPTS) return { ok: false, reason: 'otp-too-many-attempts' };
  if (now.getTime() >= row.expiresAt.getTime()) return { ok: false, reason: 'otp-expired' };
  const attempts = row.attempts + 1;
  if (!sameHash(row.codeHash, otpHash(phone, code))) {
    await tx.update(otpCodes).set({ attempts }).where(eq(otpCodes.id, row.id));
    const remaining = OTP_MAX_ATTEMPTS - attempts;
    return remaining > 0
      ? { ok: false, reason: 'otp-invalid', remaining }
      : { ok: false, reason: 'otp-too-many-attempts' };
  }
  await tx.update(otpCodes).set({ attempts, consumedAt: now }).where(eq(otpCodes.id, row.id));
  return { ok: true };
}

/** The problem a failed check answers with (400, naming `body/code`). */
export function otpProblem(check: Exclude<OtpCheck, { ok: true }>): AppError {
  const field = 'body/code';
  switch (check.reason) {
    case 'otp-invalid': {
      const tries = check.remaining === 1 ? '1 try remains' : `${check.remaining} tries remain`;
      return new AppError(400, 'otp-invalid', `The code is wrong; ${tries}.`, {
        errors: [{ field, message: 'is wrong', code: 'otp-invalid' }],
        attemptsRemaining: check.remaining,
      });
    }
    case 'otp-none':
      return AppError.badRequest(
        'otp-invalid',
        'There is no unused code for this number; ask for a new one.',
        [{ field, message: 'no unused code', code: 'otp-invalid' }],
      );
    case 'otp-expired':
      return AppError.badRequest('otp-expired', 'The code has expired; ask for a new one.', [
        { field, message: 'has expired', code: 'otp-expired' },
      ]);
    case 'otp-too-many-attempts':
      return AppError.badRequest(
        'otp-too-many-attempts',
        `The code was tried ${OTP_MAX_ATTEMPTS} times and no longer works; ask for a new one.`,
        [{ field, message: 'too many tries', code: 'otp-too-many-attempts' }],
      );
  }
}
