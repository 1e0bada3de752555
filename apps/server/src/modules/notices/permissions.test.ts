import type { Permission } from '@linli/contracts';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, type Actor } from '../../core/context';
import type { AppError } from '../../core/errors';
import { authorizeNotice, noticePolicy } from './permissions';

const DISTRICT = '/d/';
const TOWN = '/d/t/';
const JIAHE = '/d/t/jiahe/';
const HANLIN = '/d/t2/hanlin/';

function staff(orgPath: string, permissions: Permission[]): Actor {
  return {
    kind: 'staff',
    accountId: 'a',
    districtId: 'd',
    displayName: 'x',
    sessionId: 's',
    grants: [{ roleCode: 'r', orgUnitId: 'u', orgPath, permissions: new Set(permissions) }],
  };
}
const resident: Actor = { ...ANONYMOUS, kind: 'resident', accountId: 'r', districtId: 'd' };
const worker = staff(JIAHE, ['notices.manage']);
const townAdmin = staff(TOWN, ['notices.manage']);
const secretary = staff(JIAHE, ['org.read']);

describe('notice permission table', () => {
  const cases: [string, Actor, string, boolean][] = [
    ['a community worker, own community', worker, JIAHE, true],
    ['a community worker, another community', worker, HANLIN, false],
    ['a community worker, the town above', worker, TOWN, false],
    ['a town admin, a community of the town', townAdmin, JIAHE, true],
    ['a town admin, the town itself', townAdmin, TOWN, true],
    ['a town admin, the district', townAdmin, DISTRICT, false],
    ['a secretary without notices.manage', secretary, JIAHE, false],
    ['a resident', resident, JIAHE, false],
    ['nobody signed in', ANONYMOUS, JIAHE, false],
  ];
  for (const [who, actor, path, allowed] of cases) {
    it(`${allowed ? 'lets' : 'refuses'} ${who} publish`, () => {
      expect(noticePolicy.publish(actor, { orgPath: path })).toBe(allowed);
      expect(noticePolicy.viewRetracted(actor, { orgPath: path })).toBe(allowed);
      expect(noticePolicy.retract(actor, { orgPath: path, status: 'published' })).toBe(allowed);
    });
  }
  it('never lets anyone retract a notice that is already retracted', () => {
    expect(noticePolicy.retract(worker, { orgPath: JIAHE, status: 'retracted' })).toBe(false);
  });
});

describe('authorizeNotice', () => {
  const status = (f: () => void) => {
    try {
      f();
      return 200;
    } catch (e) {
      return (e as AppError).status;
    }
  };
  it('answers 401 to nobody, 403 to a signed-in caller on a public notice, 404 on a hidden one', () => {
    expect(status(() => authorizeNotice(ANONYMOUS, { orgPath: JIAHE, status: 'published' }))).toBe(401);
    expect(status(() => authorizeNotice(worker, { orgPath: HANLIN, status: 'published' }))).toBe(403);
    expect(status(() => authorizeNotice(resident, { orgPath: JIAHE, status: 'published' }))).toBe(403);
    expect(status(() => authorizeNotice(worker, { orgPath: HANLIN, status: 'retracted' }))).toBe(404);
    expect(status(() => authorizeNotice(secretary, { orgPath: JIAHE, status: 'retracted' }))).toBe(403);
    expect(status(() => authorizeNotice(worker, { orgPath: JIAHE, status: 'retracted' }))).toBe(200);
  });
});
