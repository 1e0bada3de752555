import { createHash, randomInt } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../../core/db/client';
import { recoveryCodes } from './schema';

/**
 * Staff one-time recovery codes (恢复码): ten per set, made when TOTP is turned on and whenever the
 * staff member asks for a new set (which deletes the old one). Each works once, in place of an
 * authenticator code, at sign-in. Only a hash is stored; the codes are shown once.
 */

export const RECOVERY_CODE_COUNT = 10;
/** No 0/o, 1/l/i: a code read off paper is typed right. 31 symbols × 10 ≈ 49.5 bits. */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A new code, shown as two groups of five: `k7m2p-x9q4r`. */
export function generateRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** What a typed code is compared as: lower case, no dash or spaces. */
export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** True when `code` has the shape of a recovery code rather than a 6-digit authenticator code. */
export function looksLikeRecoveryCode(code: string): boolean {
  return /^[a-z0-9]{10}$/.test(normaliseRecoveryCode(code)) && !/^[0-9]{6}$/.test(code);
}

/** The stored hash: SHA-256 over the account and the code (codes are random; no slow hash needed). */
export function recoveryCodeHash(accountId: string, code: string): string {
  return createHash('sha256')
    .update(`linli-recovery:${accountId}:${normaliseRecoveryCode(code)}`)
    .digest('hex');
}

/** Replaces the account's codes with a new set inside the caller's transaction; returns the codes. */
export async function replaceRecoveryCodes(tx: Executor, accountId: string, now: Date): Promise<string[]> {
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.accountId, accountId));
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  await tx
    .insert(recoveryCodes)
    .values(codes.map((c) => ({ accountId, codeHash: recoveryCodeHash(accountId, c), createdAt: now })));
  return codes;
}

/** Deletes the account's codes (TOTP turned off). */
export async function deleteRecoveryCodes(tx: Executor, accountId: string): Promise<number> {
  const rows = await tx
    .delete(recoveryCodes)
    .where(eq(recoveryCodes.accountId, accountId))
    .returning({ id: recoveryCodes.id });
  return rows.length;
}

/**
 * Uses one code: marks it used if it is the account's and unused (one UPDATE, so two requests
 * racing with the same code cannot both win). Returns the codes left, or null when it did not match.
 */
export async function useRecoveryCode(
  tx: Executor,
  accountId: string,
  code: string,
  now: Date,
): Promise<number | null> {
  const used = await tx
    .update(recoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(recoveryCodes.accountId, accountId),
        eq(recoveryCodes.codeHash, recoveryCodeHash(accountId, code)),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id });
  if (used.length === 0) return null;
  return (await recoveryCodeStatus(tx, accountId)).remaining;
}

/** How many codes the account has, how many are unused, and when the set was made. */
export async function recoveryCodeStatus(db: Executor, accountId: string) {
  const [row] = await db
    .select({
      total: sql<number>`count(*)::int`,
      remaining: sql<number>`count(*) FILTER (WHERE ${recoveryCodes.usedAt} IS NULL)::int`,
      generatedAt: sql<Date | string | null>`min(${recoveryCodes.createdAt})`,
    })
    .from(recoveryCodes)
    .where(eq(recoveryCodes.accountId, accountId));
  return {
    total: Number(row?.total ?? 0),
    remaining: Number(row?.remaining ?? 0),
    generatedAt: row?.generatedAt ? new Date(row.generatedAt).toISOString() : null,
  };
}
