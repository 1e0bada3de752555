import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/harness';
import type { Database } from '../../core/db/client';
import {
  accountLocked,
  lockRemainingSeconds,
  lockSeconds,
  MAX_LOCK_SECONDS,
  recordFailure,
  recordSuccess,
} from './lockout';
import { accounts } from './schema';

describe('lockSeconds', () => {
  it.each([
    [60, 0, 60],
    [60, 1, 120],
    [60, 2, 240],
    [60, 3, 480],
    [60, 10, 61_440],
    [60, 11, MAX_LOCK_SECONDS],
    [60, 500, MAX_LOCK_SECONDS],
    [60, 5000, MAX_LOCK_SECONDS],
    [1, 0, 1],
    [1, 16, 65_536],
    [1, 17, MAX_LOCK_SECONDS],
    [86_400, 0, 86_400],
    [86_400, 1, 86_400],
  ])('locks for base %i s after %i earlier lock-outs: %i s', (base, previous, expected) => {
    expect(lockSeconds(base, previous)).toBe(expected);
  });

  it('never exceeds 24 hours', () => {
    expect(MAX_LOCK_SECONDS).toBe(86_400);
  });
});

describe('lockRemainingSeconds', () => {
  const now = new Date('2026-05-01T00:00:00Z');
  it.each([
    [null, 0],
    [new Date(now.getTime() - 1000), 0],
    [now, 0],
    [new Date(now.getTime() + 1), 1],
    [new Date(now.getTime() + 1000), 1],
    [new Date(now.getTime() + 1001), 2],
    [new Date(now.getTime() + 60_000), 60],
  ])('with lockedUntil %s answers %i', (until, expected) => {
    expect(lockRemainingSeconds(until, now)).toBe(expected);
  });
});

describe('accountLocked', () => {
  it('is a 429 account-locked problem carrying retryAfter', () => {
    const e = accountLocked(125);
    expect(e.status).toBe(429);
    expect(e.code).toBe('account-locked');
    expect(e.extra.retryAfter).toBe(125);
    expect(e.message).toContain('3 more minutes');
    expect(accountLocked(30).message).toMatch(/1 more minute\./);
  });
});

describe('recordFailure and recordSuccess', () => {
  let database: Database;
  let drop: () => Promise<void>;
  let accountId: string;
  const config = { lockoutThreshold: 3, lockoutBaseSeconds: 60 };
  const now = new Date('2026-05-01T00:00:00Z');

  beforeAll(async () => {
    ({ database, drop } = await openTestDatabase());
    const [row] = await database.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.username, 'jiahe-worker'));
    accountId = row!.id;
  });
  afterAll(() => drop());

  const fail = () => database.db.transaction((tx) => recordFailure(tx, accountId, now, config));
  const state = async () => {
    const [row] = await database.db
      .select({
        failedLogins: accounts.failedLogins,
        lockouts: accounts.lockouts,
        lockedUntil: accounts.lockedUntil,
      })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    return row!;
  };

  it('counts failures below the threshold without locking', async () => {
    expect(await fail()).toEqual({ lockedForSeconds: 0, failedLogins: 1, lockouts: 0 });
    expect(await fail()).toEqual({ lockedForSeconds: 0, failedLogins: 2, lockouts: 0 });
    expect((await state()).lockedUntil).toBeNull();
  });

  it('locks at the threshold for the base duration and restarts the counter', async () => {
    expect(await fail()).toEqual({ lockedForSeconds: 60, failedLogins: 0, lockouts: 1 });
    expect(await state()).toEqual({
      failedLogins: 0,
      lockouts: 1,
      lockedUntil: new Date(now.getTime() + 60_000),
    });
  });

  it('doubles the next lock', async () => {
    await fail();
    await fail();
    expect(await fail()).toEqual({ lockedForSeconds: 120, failedLogins: 0, lockouts: 2 });
  });

  it('restarts the failure counter on success but remembers earlier lock-outs', async () => {
    await fail();
    await fail();
    await database.db.transaction((tx) => recordSuccess(tx, accountId));
    expect(await state()).toEqual({ failedLogins: 0, lockouts: 2, lockedUntil: null });
    await fail();
    await fail();
    expect(await fail()).toEqual({ lockedForSeconds: 240, failedLogins: 0, lockouts: 3 });
  });
});
