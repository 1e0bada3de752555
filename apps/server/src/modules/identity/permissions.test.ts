import { ROLE_CODES, type Permission } from '@linli/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/harness';
import { ANONYMOUS, type Actor, systemContext } from '../../core/context';
import type { Database } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { authorize, can, inScope, scopeFilter, scopeRoots } from '../../core/permissions';
import { rolePermissions } from '../../core/roles';
import { actorWith, type SampleTree, sampleTree, type UnitRow } from './fixtures';
import {
  type AccountResource,
  accountAbilities,
  accountPolicy,
  auditPolicy,
  grantPolicy,
  orgUnitAbilities,
  orgUnitPolicy,
  rolePolicy,
} from './permissions';
import { orgUnits } from './schema';

/**
 * Exhaustive checks of the permission core and the identity action table against expectations
 * written here independently: a hand-written role -> permission table (not read from contracts)
 * and subtree membership computed by walking parent ids (not by comparing paths).
 */

const IDENTITY_PERMISSIONS: Permission[] = [
  'org.read',
  'org.manage',
  'accounts.read',
  'accounts.manage',
  'roles.grant',
  'roles.manage',
  'pii.read',
  'audit.read',
];

/** Identity permissions of each built-in role, as the brief and ARCHITECTURE describe them. */
const EXPECTED: Record<string, Permission[]> = {
  district_admin: [...IDENTITY_PERMISSIONS],
  district_office: ['org.read', 'accounts.read', 'audit.read'],
  town_admin: ['org.read', 'org.manage', 'accounts.read', 'accounts.manage', 'roles.grant', 'audit.read'],
  community_secretary: [
    'org.read',
    'org.manage',
    'accounts.read',
    'accounts.manage',
    'roles.grant',
    'audit.read',
    'pii.read',
  ],
  community_worker: ['org.read', 'accounts.read'],
  grid_worker: ['org.read'],
  squad_member: ['org.read'],
  department_staff: ['org.read'],
  cobuild_unit: ['org.read'],
  social_org: ['org.read'],
  reviewer: [],
  deliberation_rep: [],
};

/** Where each role may be granted, written out by hand. */
const GRANTABLE: Record<string, string[]> = {
  district_admin: ['district'],
  district_office: ['district'],
  town_admin: ['town'],
  community_secretary: ['community'],
  community_worker: ['community', 'grid'],
  grid_worker: ['grid', 'community'],
  squad_member: ['community', 'town'],
  department_staff: ['district'],
  cobuild_unit: ['district', 'town', 'community'],
  social_org: ['district', 'town', 'community'],
  reviewer: ['district'],
  deliberation_rep: ['community', 'grid'],
};

const LEVELS = ['district', 'town', 'community', 'grid'] as const;

let database: Database;
let drop: () => Promise<void>;
let tree: SampleTree;
let all: UnitRow[];
let byId: Map<string, UnitRow>;
/** The sample units resources sit at: every level, inside and outside each grant's subtree. */
let resources: [string, UnitRow][];
/** One grant unit per level, on one chain: D > T1 > C1 > G1. */
let grantAt: Record<(typeof LEVELS)[number], UnitRow>;

beforeAll(async () => {
  ({ database, drop } = await openTestDatabase());
  tree = await sampleTree(database.db);
  all = await database.db.select().from(orgUnits);
  byId = new Map(all.map((u) => [u.id, u]));
  resources = Object.entries(tree);
  grantAt = { district: tree.D, town: tree.T1, community: tree.C1, grid: tree.G1 };
});
afterAll(() => drop());

/** True when `unit` is `root` or below it, by walking parent ids. */
function within(unit: UnitRow, root: UnitRow): boolean {
  for (let u: UnitRow | undefined = unit; u; u = u.parentId ? byId.get(u.parentId) : undefined) {
    if (u.id === root.id) return true;
  }
  return false;
}
/**
 * Identity permissions come from the hand-written table; permissions other modules add to a role
 * (notices.manage…) are taken from contracts, so those modules can grow without editing this file.
 */
const roleHas = (role: string, perm: Permission) =>
  IDENTITY_PERMISSIONS.includes(perm) ? EXPECTED[role]!.includes(perm) : rolePermissions(role).includes(perm);
/** Every permission a role carries: what a grant of it hands over. */
const allOf = (role: string): Permission[] => [
  ...EXPECTED[role]!,
  ...rolePermissions(role).filter((p) => !IDENTITY_PERMISSIONS.includes(p)),
];
const expectCan = (role: string, grant: UnitRow, perm: Permission, unit: UnitRow) =>
  roleHas(role, perm) && within(unit, grant);

function outcome(fn: () => void): 'ok' | 401 | 403 | 404 {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof AppError) return e.status as 401 | 403 | 404;
    throw e;
  }
}

describe('the role table the tests rely on', () => {
  it('lists exactly the built-in roles', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ROLE_CODES].sort());
    expect(Object.keys(GRANTABLE).sort()).toEqual([...ROLE_CODES].sort());
  });

  it('uses a sample tree with every level, inside and outside each grant', () => {
    expect(grantAt.district.kind).toBe('district');
    expect(grantAt.town.kind).toBe('town');
    expect(grantAt.community.kind).toBe('community');
    expect(grantAt.grid.kind).toBe('grid');
    expect(tree.T2.id).not.toBe(tree.T1.id);
    expect(within(tree.C2, tree.T1)).toBe(false);
    expect(within(tree.G1, tree.T1)).toBe(true);
  });
});

describe.each(ROLE_CODES)('role %s', (role) => {
  describe.each(LEVELS)('granted at the %s level', (level) => {
    it('can(), inScope() and authorize() agree with the subtree for every identity permission', () => {
      const grant = grantAt[level];
      const actor = actorWith([{ role, unit: grant }]);
      const wrong: string[] = [];
      for (const [name, unit] of resources) {
        for (const perm of IDENTITY_PERMISSIONS) {
          const expected = expectCan(role, grant, perm, unit);
          if (can(actor, perm, unit.path) !== expected) wrong.push(`can ${perm} @${name}`);
          const expectedOutcome = expected ? 'ok' : within(unit, grant) ? 403 : 404;
          const got = outcome(() => authorize(actor, perm, { orgPath: unit.path }));
          if (got !== expectedOutcome) wrong.push(`authorize ${perm} @${name}: ${got} != ${expectedOutcome}`);
        }
        if (inScope(actor, unit.path) !== within(unit, grant)) wrong.push(`inScope @${name}`);
      }
      for (const perm of IDENTITY_PERMISSIONS) {
        if (can(actor, perm, null)) wrong.push(`can ${perm} @null`);
        if (outcome(() => authorize(actor, perm, { orgPath: null })) !== 404)
          wrong.push(`authorize ${perm} @null`);
      }
      expect(wrong).toEqual([]);
    });

    it('scopeFilter() selects exactly the units of the subtree, for every identity permission', async () => {
      const grant = grantAt[level];
      const actor = actorWith([{ role, unit: grant }]);
      for (const perm of IDENTITY_PERMISSIONS) {
        const rows = await database.db
          .select({ id: orgUnits.id })
          .from(orgUnits)
          .where(scopeFilter(actor, perm, orgUnits.id));
        const expected = all.filter((u) => expectCan(role, grant, perm, u)).map((u) => u.id);
        expect(rows.map((r) => r.id).sort(), `${role}@${level} ${perm}`).toEqual(expected.sort());
      }
    });

    it('the org-unit action table gives exactly the expected abilities', () => {
      const grant = grantAt[level];
      const actor = actorWith([{ role, unit: grant }]);
      const manages = (u: UnitRow) => expectCan(role, grant, 'org.manage', u);
      const wrong: string[] = [];
      for (const [name, unit] of resources) {
        for (const status of ['active', 'retired'] as const) {
          for (const parentStatus of unit.kind === 'district' ? [null] : (['active', 'retired'] as const)) {
            for (const activeChildCount of [0, 2]) {
              const r = { path: unit.path, kind: unit.kind, status, parentStatus, activeChildCount };
              const expected = {
                create: manages(unit) && status === 'active' && unit.kind !== 'grid',
                rename: manages(unit),
                move: manages(unit) && unit.kind !== 'district',
                retire:
                  manages(unit) && unit.kind !== 'district' && status === 'active' && activeChildCount === 0,
                reinstate: manages(unit) && status === 'retired' && parentStatus === 'active',
              };
              const got = orgUnitAbilities(actor, r);
              if (JSON.stringify(got) !== JSON.stringify(expected)) {
                wrong.push(`${name} ${status}/${parentStatus}/${activeChildCount}: ${JSON.stringify(got)}`);
              }
              if (orgUnitPolicy.read(actor, r) !== expectCan(role, grant, 'org.read', unit))
                wrong.push(`read ${name}`);
            }
          }
        }
      }
      expect(wrong).toEqual([]);
    });

    it('the account action table gives exactly the expected abilities', () => {
      const grant = grantAt[level];
      const actor = actorWith([{ role, unit: grant }]);
      const wrong: string[] = [];
      // Accounts at every sample unit, plus a resident with no home community (district root).
      const homes: [string, UnitRow, boolean][] = [
        ...resources.map(([n, u]) => [n, u, false] as [string, UnitRow, boolean]),
        ['no home', tree.D, true],
      ];
      const targetGrants: [string, { role: string; unit: UnitRow }[]][] = [
        ['none', []],
        ['worker@C1', [{ role: 'community_worker', unit: tree.C1 }]],
        ['secretary@C2', [{ role: 'community_secretary', unit: tree.C2 }]],
        ['admin@D', [{ role: 'district_admin', unit: tree.D }]],
      ];
      for (const [name, unit, homeless] of homes) {
        for (const kind of homeless ? (['resident'] as const) : (['staff', 'resident'] as const)) {
          for (const status of ['active', 'disabled'] as const) {
            for (const [gName, grants] of targetGrants) {
              for (const isSelf of [false, true]) {
                for (const lastActiveAdmin of [false, true]) {
                  const a: AccountResource = {
                    id: isSelf ? actor.accountId! : '00000000-0000-7000-8000-000000000001',
                    kind,
                    status,
                    orgPath: unit.path,
                    grants: grants.map((g) => ({ roleCode: g.role, orgPath: g.unit.path })),
                    lastActiveAdmin,
                  };
                  const covers = grants.every((g) =>
                    allOf(g.role).every((p) => expectCan(role, grant, p, g.unit)),
                  );
                  const manage = expectCan(role, grant, 'accounts.manage', unit) && covers;
                  const expected = {
                    manage,
                    grant:
                      expectCan(role, grant, 'accounts.read', unit) &&
                      expectCan(role, grant, 'roles.grant', unit),
                    disable: manage && status === 'active' && !isSelf && !lastActiveAdmin,
                    enable: manage && status === 'disabled',
                    resetPassword: manage && kind === 'staff' && !isSelf,
                  };
                  const got = accountAbilities(actor, a);
                  if (JSON.stringify(got) !== JSON.stringify(expected)) {
                    wrong.push(`${name}/${kind}/${status}/${gName}/self=${isSelf}/last=${lastActiveAdmin}`);
                  }
                  if (accountPolicy.read(actor, a) !== expectCan(role, grant, 'accounts.read', unit)) {
                    wrong.push(`read ${name}`);
                  }
                  const pii =
                    expectCan(role, grant, 'pii.read', unit) && expectCan(role, grant, 'accounts.read', unit);
                  if (accountPolicy.readPii(actor, a) !== pii) wrong.push(`readPii ${name}`);
                }
              }
            }
          }
        }
      }
      expect(wrong).toEqual([]);
    });

    it('the grant table allows a grant only without escalation, at a kind the role allows', () => {
      const grant = grantAt[level];
      const actor = actorWith([{ role, unit: grant }]);
      const wrong: string[] = [];
      for (const [name, unit] of resources) {
        for (const target of ROLE_CODES) {
          for (const accountKind of ['staff', 'resident'] as const) {
            const expected =
              expectCan(role, grant, 'roles.grant', unit) &&
              GRANTABLE[target]!.includes(unit.kind) &&
              allOf(target).every((p) => expectCan(role, grant, p, unit)) &&
              (accountKind === 'staff' || target === 'deliberation_rep');
            const got = grantPolicy.create(actor, {
              roleCode: target,
              orgPath: unit.path,
              unitKind: unit.kind,
              accountKind,
            });
            if (got !== expected) wrong.push(`${target}@${name} for ${accountKind}: ${got}`);
          }
          if (
            grantPolicy.revoke(actor, { orgPath: unit.path }) !== expectCan(role, grant, 'roles.grant', unit)
          ) {
            wrong.push(`revoke @${name}`);
          }
        }
      }
      expect(
        grantPolicy.create(actor, {
          roleCode: 'no_such_role',
          orgPath: grant.path,
          unitKind: grant.kind,
          accountKind: 'staff',
        }),
      ).toBe(false);
      expect(wrong).toEqual([]);
    });

    it('role settings and audit entries follow roles.manage and audit.read', () => {
      const grant = grantAt[level];
      const actor = actorWith([{ role, unit: grant }]);
      expect(rolePolicy.update(actor, tree.D.id)).toBe(expectCan(role, grant, 'roles.manage', tree.D));
      expect(rolePolicy.update(actor, null)).toBe(false);
      for (const [name, unit] of resources) {
        expect(auditPolicy.read(actor, { orgPath: unit.path, districtId: tree.D.id }), name).toBe(
          expectCan(role, grant, 'audit.read', unit),
        );
      }
      // An entry without an org unit belongs to the district root.
      expect(auditPolicy.read(actor, { orgPath: null, districtId: tree.D.id })).toBe(
        expectCan(role, grant, 'audit.read', tree.D),
      );
    });
  });
});

describe('actors with several grants', () => {
  it('unions the subtrees of all grants and folds nested ones', async () => {
    const actor = actorWith([
      { role: 'community_secretary', unit: tree.C1 },
      { role: 'town_admin', unit: tree.T2 },
      { role: 'community_worker', unit: tree.G1 },
    ]);
    expect(scopeRoots(actor, 'accounts.read').sort()).toEqual([tree.C1.path, tree.T2.path].sort());
    expect(scopeRoots(actor, 'pii.read')).toEqual([tree.C1.path]);
    const rows = await database.db
      .select({ id: orgUnits.id })
      .from(orgUnits)
      .where(scopeFilter(actor, 'accounts.manage', orgUnits.id));
    const expected = all.filter((u) => within(u, tree.C1) || within(u, tree.T2)).map((u) => u.id);
    expect(rows.map((r) => r.id).sort()).toEqual(expected.sort());
    expect(can(actor, 'pii.read', tree.C2.path)).toBe(false);
    expect(outcome(() => authorize(actor, 'pii.read', { orgPath: tree.C2.path }))).toBe(403);
    expect(outcome(() => authorize(actor, 'pii.read', { orgPath: tree.C1b.path }))).toBe(404);
  });

  it('lets a grid grant add nothing outside its grid', () => {
    const actor = actorWith([{ role: 'community_worker', unit: tree.G1 }]);
    expect(can(actor, 'accounts.read', tree.G1.path)).toBe(true);
    expect(can(actor, 'accounts.read', tree.G1b.path)).toBe(false);
    expect(can(actor, 'accounts.read', tree.C1.path)).toBe(false);
  });
});

describe('anonymous and system actors', () => {
  it('answers 401 to anonymous callers and gives them no abilities', () => {
    const a: Actor = ANONYMOUS;
    for (const perm of IDENTITY_PERMISSIONS) {
      expect(outcome(() => authorize(a, perm, { orgPath: tree.C1.path }))).toBe(401);
      expect(can(a, perm, tree.D.path)).toBe(false);
    }
    const u = {
      path: tree.C1.path,
      kind: 'community' as const,
      status: 'active' as const,
      parentStatus: 'active' as const,
      activeChildCount: 0,
    };
    expect(Object.values(orgUnitAbilities(a, u)).every((v) => v === false)).toBe(true);
    const acc: AccountResource = {
      id: 'x',
      kind: 'staff',
      status: 'active',
      orgPath: tree.C1.path,
      grants: [],
      lastActiveAdmin: false,
    };
    expect(Object.values(accountAbilities(a, acc)).every((v) => v === false)).toBe(true);
  });

  it('lets the system actor through every scope', async () => {
    const sys = systemContext(tree.D.id).actor;
    expect(can(sys, 'pii.read', null)).toBe(true);
    const rows = await database.db
      .select({ id: orgUnits.id })
      .from(orgUnits)
      .where(scopeFilter(sys, 'audit.read', orgUnits.id));
    expect(rows).toHaveLength(all.length);
  });
});
