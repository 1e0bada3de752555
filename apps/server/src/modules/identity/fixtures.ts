import type { Permission } from '@linli/contracts';
import { eq, sql } from 'drizzle-orm';
import type { App } from '../../app';
import { CSRF_COOKIE, createSession, SESSION_COOKIE } from '../../core/auth/sessions';
import type { Actor } from '../../core/context';
import type { Db } from '../../core/db/client';
import { uuidv7 } from '../../core/db/columns';
import { rolePermissions } from '../../core/roles';
import { Client } from '../../../test/harness';
import { accounts, orgUnits, roleGrants } from './schema';

/** Test factories for the identity module. They write real rows; nothing is mocked. */

export type UnitRow = typeof orgUnits.$inferSelect;

export async function unitByName(db: Db, name: string): Promise<UnitRow> {
  const [u] = await db.select().from(orgUnits).where(eq(orgUnits.name, name)).limit(1);
  if (!u) throw new Error(`fixture: no org unit named ${name}`);
  return u;
}

/** 罗江区, two towns, three communities and three grids of the seeded tree, named for tests. */
export async function sampleTree(db: Db) {
  const D = await unitByName(db, '罗江区');
  const C1 = await unitByName(db, '翰林社区');
  const C2 = await unitByName(db, '家和社区');
  const [T1] = await db.select().from(orgUnits).where(eq(orgUnits.id, C1.parentId!));
  const [T2] = await db.select().from(orgUnits).where(eq(orgUnits.id, C2.parentId!));
  const siblings = await db.select().from(orgUnits).where(eq(orgUnits.parentId, T1!.id));
  const C1b = siblings.find((s) => s.id !== C1.id && s.kind === 'community')!;
  const grids = await db.select().from(orgUnits).where(eq(orgUnits.kind, 'grid'));
  const G1 = grids.find((g) => g.parentId === C1.id && g.name === '第一网格')!;
  const G1b = grids.find((g) => g.parentId === C1.id && g.name === '第二网格')!;
  const G2 = grids.find((g) => g.parentId === C2.id && g.name === '第一网格')!;
  return { D, T1: T1!, T2: T2!, C1, C1b, C2, G1, G1b, G2 };
}
export type SampleTree = Awaited<ReturnType<typeof sampleTree>>;

/** An actor as the session would build it, from (role, unit) pairs. */
export function actorWith(
  grants: { role: string; unit: Pick<UnitRow, 'id' | 'path'> }[],
  accountId = uuidv7(),
): Actor {
  return {
    kind: 'staff',
    accountId,
    districtId: grants[0]?.unit.path.split('/')[1] ?? null,
    displayName: 'test',
    grants: grants.map((g) => ({
      roleCode: g.role,
      orgUnitId: g.unit.id,
      orgPath: g.unit.path,
      permissions: new Set<Permission>(rolePermissions(g.role)),
    })),
    sessionId: null,
  };
}

let counter = 0;

/** A staff account (no password) in `unit` with the given grants. */
export async function buildStaff(
  db: Db,
  unit: UnitRow,
  grants: { role: string; unit: UnitRow }[] = [],
  overrides: Partial<typeof accounts.$inferInsert> = {},
) {
  counter++;
  const [acc] = await db
    .insert(accounts)
    .values({
      districtId: unit.districtId,
      kind: 'staff',
      username: `fixture-${counter}-${uuidv7().slice(-6)}`,
      displayName: `测试${counter}`,
      phone: `139${String(10000000 + counter).slice(-8)}`,
      orgUnitId: unit.id,
      ...overrides,
    })
    .returning();
  for (const g of grants) {
    await db
      .insert(roleGrants)
      .values({ districtId: unit.districtId, accountId: acc!.id, roleCode: g.role, orgUnitId: g.unit.id });
  }
  return acc!;
}

/** A resident, with a home community or none. */
export async function buildResident(db: Db, districtId: string, unit: UnitRow | null, phone?: string) {
  counter++;
  const [acc] = await db
    .insert(accounts)
    .values({
      districtId,
      kind: 'resident',
      phone: phone ?? `137${String(10000000 + counter).slice(-8)}`,
      displayName: `居民${counter}`,
      orgUnitId: unit?.id ?? null,
      // Has agreed to the district's privacy notice in force (privacy.test.ts covers the asking).
      privacyConsentVersion: sql`(SELECT max(version) FROM privacy_notices WHERE district_id = ${districtId})`,
    })
    .returning();
  return acc!;
}

/**
 * A client signed in as `accountId` through a real session row (for fixture accounts that have
 * no password); demo accounts sign in through POST /auth/login with `loginAs`.
 */
export async function sessionAs(app: App, accountId: string): Promise<Client> {
  const [acc] = await app.database.db.select().from(accounts).where(eq(accounts.id, accountId));
  const session = await createSession(
    app.database.db,
    app.config,
    {
      accountId,
      districtId: acc!.districtId,
      stage: 'full',
      ip: null,
      userAgent: null,
    },
    app.clock.now(),
  );
  const client = new Client(app);
  client.cookies.set(SESSION_COOKIE, session.token);
  client.cookies.set(CSRF_COOKIE, `csrf-${uuidv7()}`);
  return client;
}
