import type { Permission } from '@linli/contracts';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, type Actor } from './context';
import { AppError } from './errors';
import { authorize, authorizeBy, sees } from './permissions';

/**
 * The answers of core's one authorisation check: 401, the 404 of a missing id, 403.
 * (`visibleFilter`, its SQL form, is exercised through `/cases/nearby` in cases.test.ts.)
 */

const A1 = '/d/ta/a1/';
const B1 = '/d/tb/b1/';
const worker: Actor = {
  kind: 'staff',
  accountId: 'w',
  districtId: 'd',
  displayName: 'worker',
  grants: [
    {
      roleCode: 'community_worker',
      orgUnitId: 'a1',
      orgPath: A1,
      permissions: new Set<Permission>(['notices.manage']),
    },
  ],
  sessionId: 's',
};
const resident: Actor = { ...ANONYMOUS, kind: 'resident', accountId: 'r', districtId: 'd' };

const statusOf = (f: () => void) => {
  try {
    f();
    return 200;
  } catch (err) {
    return (err as AppError).status;
  }
};

describe('authorize', () => {
  it('lets the holder act in scope, 401 for anonymous callers', () => {
    expect(statusOf(() => authorize(worker, 'notices.manage', { orgPath: A1 }))).toBe(200);
    expect(statusOf(() => authorize(ANONYMOUS, 'notices.manage', { orgPath: A1 }))).toBe(401);
  });

  it('answers 404 for what the caller cannot see, exactly like a missing record', () => {
    const hidden = (() => {
      try {
        authorize(worker, 'notices.manage', { orgPath: B1 }, 'notice');
      } catch (err) {
        return err as AppError;
      }
    })()!;
    expect(hidden.status).toBe(404);
    expect(hidden.message).toBe(AppError.notFound('notice').message);
    expect(statusOf(() => authorize(resident, 'notices.manage', { orgPath: A1 }))).toBe(404);
  });

  it('answers 403 for what the caller can see: in scope, public, or their own', () => {
    expect(statusOf(() => authorize(worker, 'audit.read', { orgPath: A1 }))).toBe(403);
    expect(statusOf(() => authorize(worker, 'notices.manage', { orgPath: B1, public: true }))).toBe(403);
    expect(statusOf(() => authorize(resident, 'notices.manage', { orgPath: B1, ownerId: 'r' }))).toBe(403);
    expect(statusOf(() => authorize(resident, 'notices.manage', { orgPath: B1, ownerId: 'someone' }))).toBe(
      404,
    );
  });
});

describe('sees', () => {
  it('asks for a read permission over the unit when given one', () => {
    expect(sees(worker, { orgPath: A1 })).toBe(true);
    expect(sees(worker, { orgPath: A1 }, 'notices.manage')).toBe(true);
    expect(sees(worker, { orgPath: A1 }, 'cases.read')).toBe(false);
    expect(sees(worker, { orgPath: B1 })).toBe(false);
  });
});

describe('authorizeBy', () => {
  it("turns a module's decision into the same answers", () => {
    expect(statusOf(() => authorizeBy(resident, { allowed: true, seen: true }))).toBe(200);
    expect(statusOf(() => authorizeBy(resident, { allowed: false, seen: true }))).toBe(403);
    expect(statusOf(() => authorizeBy(resident, { allowed: false, seen: false }))).toBe(404);
    expect(statusOf(() => authorizeBy(ANONYMOUS, { allowed: true, seen: true }))).toBe(401);
  });
});
