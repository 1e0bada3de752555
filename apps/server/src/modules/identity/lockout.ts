import { eq } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Executor } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { accounts } from './schema';

/**
 * Staff lock-out with exponential back-off. After `lockoutThreshold` consecutive failures
 * (wrong password or wrong TOTP code) the account is locked for
 * `lockoutBaseSeconds × 2^(lock-outs before this one)`, never longer than a day. The failure
 * counter restarts at zero with each lock and after each successful sign-in; the lock-out
 * count is kept, so an account that keeps being attacked is locked longer each time.
 */

export const MAX_LOCK_SECONDS = 24 * 3600;

/** How long the next lock lasts, given how many lock-outs the account had before. */
export function lockSeconds(baseSeconds: number, previousLockouts: number): number {
  return Math.min(baseSeconds * 2 ** Math.max(0, previousLockouts), MAX_LOCK_SECONDS);
}

/** Whole seconds until `lockedUntil`, or 0 when it has passed (at exactly that instant it is unlocked). */
export function lockRemainingSeconds(lockedUntil: Date | null, now: Date): number {
  if (!lockedUntil) return 0;
  const ms = lockedUntil.getTime() - now.getTime();
  return ms > 0 ? Math.ceil(ms / 1000) : 0;
}

/** 429 `account-locked` with `retryAfter` (and a Retry-After header). */
export function accountLocked(retryAfter: number): AppError {
  const minutes = Math.ceil(retryAfter / 60);
  return AppError.rateLimited(
    retryAfter,
    'account-locked',
    `Too many failed sign-in attempts; the account is locked for ${minutes} more minute${minutes === 1 ? '' : 's'}.`,
  );
}

export interface FailureResult {
  /** Seconds the account is now locked for, or 0 when this failure did not lock it. */
  lockedForSeconds: number;
  failedLogins: number;
  lockouts: number;
}

/**
 * Counts one failed attempt inside the caller's transaction (the account row is locked first,
 * so concurrent failures are all counted) and locks the account when the threshold is reached.
 */
export async function recordFailure(
  tx: Executor,
  accountId: string,
  now: Date,
  config: Pick<Config, 'lockoutThreshold' | 'lockoutBaseSeconds'>,
): Promise<FailureResult> {
  const [row] = await tx
    .select({ failedLogins: accounts.failedLogins, lockouts: accounts.lockouts })
    .from(accounts)
    .where(eq(accounts.id, accountId))
    .for('update');
  if (!row) throw AppError.notFound('account');
  const failed = row.failedLogins + 1;
  if (failed < config.lockoutThreshold) {
    await tx.update(accounts).set({ failedLogins: failed }).where(eq(accounts.id, accountId));
    return { lockedForSeconds: 0, failedLogins: failed, lockouts: row.lockouts };
  }
  const seconds = lockSeconds(config.lockoutBaseSeconds, row.lockouts);
  await tx
    .update(accounts)
    .set({
      failedLogins: 0,
      lockouts: row.lockouts + 1,
      lockedUntil: new Date(now.getTime() + seconds * 1000),
      updatedAt: now,
    })
    .where(eq(accounts.id, accountId));
  return { lockedForSeconds: seconds, failedLogins: 0, lockouts: row.lockouts + 1 };
}

/** A successful sign-in: the failure counter restarts and any (expired) lock is cleared. */
export async function recordSuccess(tx: Executor, accountId: string): Promise<void> {
  await tx.update(accounts).set({ failedLogins: 0, lockedUntil: null }).where(eq(accounts.id, accountId));
}
