import type { SeededAccount } from '../../core/module';
import { BUILT_IN_ROLES } from '@linli/contracts';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import { writeAudit } from '../../core/audit';
import { systemContext } from '../../core/context';
import type { Db, Executor } from '../../core/db/client';
import { uuidv7 } from '../../core/db/columns';
import orgData from './data/org-units.json' with { type: 'json' };
import departmentData from './data/departments.json' with { type: 'json' };
import { accounts, departments, orgUnits, roleGrants, roles } from './schema';
import { hashPassword, verifyPassword } from './password';
import { recordConsentForSeed } from './privacy-service';

/** Makes sure every built-in role has its settings row. */
export async function syncRoles(db: Executor) {
  await db
    .insert(roles)
    .values(BUILT_IN_ROLES.map((r) => ({ code: r.code })))
    .onConflictDoNothing();
}

/** Loads 罗江区, its 7 towns and 93 villages and communities (reference data), once. */
export async function seedOrgTree(db: Db): Promise<{ created: boolean }> {
  const [existing] = await db.select({ n: sql<number>`count(*)::int` }).from(orgUnits);
  if (Number(existing?.n ?? 0) > 0) return { created: false };
  await db.transaction(async (tx) => {
    const districtId = uuidv7();
    const d = orgData.district;
    const rows: (typeof orgUnits.$inferInsert)[] = [
      {
        id: districtId,
        districtId,
        parentId: null,
        code: d.code,
        name: d.name,
        fullName: d.fullName,
        kind: 'district',
        subtype: '区',
        address: d.seatAddress,
        path: `/${districtId}/`,
        depth: 0,
      },
    ];
    orgData.towns.forEach((t, ti) => {
      const townId = uuidv7();
      rows.push({
        id: townId,
        districtId,
        parentId: districtId,
        code: t.code,
        name: t.name,
        fullName: `${d.name}${t.name}`,
        kind: 'town',
        subtype: t.type,
        address: t.seatAddress,
        path: `/${districtId}/${townId}/`,
        depth: 1,
        sort: ti,
      });
      t.units.forEach((u, ui) => {
        const id = uuidv7();
        rows.push({
          id,
          districtId,
          parentId: townId,
          code: u.code,
          name: u.name,
          fullName: u.committeeName,
          kind: 'community',
          subtype: u.type,
          path: `/${districtId}/${townId}/${id}/`,
          depth: 2,
          sort: ui,
        });
      });
    });
    await tx.insert(orgUnits).values(rows);
    await writeAudit(tx, systemContext(districtId), {
      action: 'org.seed',
      entityType: 'org_unit',
      entityId: districtId,
      orgUnitId: districtId,
      districtId,
      note: { units: rows.length, source: 'NBS 2020 statistical division codes' },
    });
  });
  return { created: true };
}

/** Loads the district's departments (reference data) once per district. */
export async function seedDepartments(db: Db) {
  const districts = await db.select({ id: orgUnits.id }).from(orgUnits).where(eq(orgUnits.kind, 'district'));
  for (const d of districts) {
    const [n] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(departments)
      .where(eq(departments.districtId, d.id));
    if (Number(n?.n ?? 0) > 0) continue;
    await db.transaction(async (tx) => {
      await tx
        .insert(departments)
        .values(departmentData.departments.map((x) => ({ districtId: d.id, ...x })));
      await writeAudit(tx, systemContext(d.id), {
        action: 'department.seed',
        entityType: 'department',
        entityId: null,
        orgUnitId: d.id,
        districtId: d.id,
        note: { departments: departmentData.departments.length },
      });
    });
  }
}

/** An account a demo seed created (listed on the console at first start). */
export type DemoAccount = SeededAccount;

async function unitByName(db: Executor, name: string) {
  const [u] = await db.select().from(orgUnits).where(eq(orgUnits.name, name)).limit(1);
  if (!u) throw new Error(`demo seed: no org unit named ${name}`);
  return u;
}

/**
 * Demo accounts (LINLI_DEMO): admin, hanlin-secretary, jiahe-worker and the resident 13800000001,
 * plus three grids in each of 翰林社区 and 家和社区. Returns what it created (empty when already there).
 */
export async function seedDemo(db: Db, config: Config): Promise<DemoAccount[]> {
  const [admin] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.username, 'admin'));
  if (admin) return [];
  const passwordHash = await hashPassword(config.demoPassword);
  const created: DemoAccount[] = [];
  await db.transaction(async (tx) => {
    const district = await unitByName(tx, '罗江区');
    const hanlin = await unitByName(tx, '翰林社区');
    const jiahe = await unitByName(tx, '家和社区');
    const ctx = systemContext(district.id);
    for (const community of [hanlin, jiahe]) {
      for (const [i, name] of ['第一网格', '第二网格', '第三网格'].entries()) {
        const id = uuidv7();
        await tx.insert(orgUnits).values({
          id,
          districtId: district.id,
          parentId: community.id,
          code: `${community.code}-G${i + 1}`,
          name,
          fullName: `${community.name}${name}`,
          kind: 'grid',
          subtype: '网格',
          path: `${community.path}${id}/`,
          depth: community.depth + 1,
          sort: i,
        });
      }
    }
    const staff = [
      {
        username: 'admin',
        displayName: '区级管理员',
        unit: district,
        role: 'district_admin',
        phone: '13800000100',
      },
      {
        username: 'hanlin-secretary',
        displayName: '李书记',
        unit: hanlin,
        role: 'community_secretary',
        phone: '13800000101',
      },
      {
        username: 'jiahe-worker',
        displayName: '王小禾',
        unit: jiahe,
        role: 'community_worker',
        phone: '13800000102',
      },
      {
        username: 'minzheng-staff',
        displayName: '民政局张科员',
        unit: district,
        role: 'department_staff',
        phone: '13800000103',
        department: '罗江区民政局',
      },
    ];
    const deptRows = await tx.select().from(departments).where(eq(departments.districtId, district.id));
    const departmentOf = (s: { department?: string }) =>
      deptRows.find((d) => d.name === s.department)?.id ?? null;
    for (const s of staff) {
      const [acc] = await tx
        .insert(accounts)
        .values({
          districtId: district.id,
          kind: 'staff',
          username: s.username,
          phone: s.phone,
          displayName: s.displayName,
          orgUnitId: s.unit.id,
          departmentId: departmentOf(s),
          passwordHash,
          passwordChangedAt: new Date(),
        })
        .returning();
      await tx.insert(roleGrants).values({
        districtId: district.id,
        accountId: acc!.id,
        roleCode: s.role,
        orgUnitId: s.unit.id,
      });
      await writeAudit(tx, ctx, {
        action: 'account.seed',
        entityType: 'account',
        entityId: acc!.id,
        orgUnitId: s.unit.id,
        after: { username: s.username, displayName: s.displayName, phone: s.phone, role: s.role },
      });
      created.push({ login: s.username, role: s.role, where: s.unit.name });
    }
    const [resident] = await tx
      .insert(accounts)
      .values({
        districtId: district.id,
        kind: 'resident',
        phone: '13800000001',
        displayName: '居民0001',
        orgUnitId: jiahe.id,
      })
      .returning();
    await writeAudit(tx, ctx, {
      action: 'account.seed',
      entityType: 'account',
      entityId: resident!.id,
      orgUnitId: jiahe.id,
      after: { phone: '13800000001', kind: 'resident' },
    });
    // The demo resident has read and agreed to the notice (other numbers are asked at sign-in).
    await recordConsentForSeed(tx, resident!.id, district.id, new Date());
    created.push({ login: '13800000001', role: 'resident', where: jiahe.name });
  });
  return created;
}

/** The staff accounts the demo seeds (identity's and the cases demo's), all with the demo password. */
export const DEMO_STAFF_USERNAMES = [
  'admin',
  'hanlin-secretary',
  'jiahe-worker',
  'minzheng-staff',
  'hanlin-squad1',
  'hanlin-squad2',
  'hanlin-squad3',
  'jh-squad1',
  'jh-squad2',
  'wanan-admin',
] as const;

/**
 * The demo staff accounts that are enabled and still open with a published password (the
 * configured demo password or the README's default). A server reachable from other machines
 * refuses to serve them (boot.ts).
 */
export async function demoAccountsWithKnownPassword(db: Executor, config: Config): Promise<string[]> {
  const rows = await db
    .select({ username: accounts.username, passwordHash: accounts.passwordHash })
    .from(accounts)
    .where(and(inArray(accounts.username, [...DEMO_STAFF_USERNAMES]), eq(accounts.status, 'active')));
  const known = [...new Set([config.demoPassword, 'Linli@2026'])];
  // The seed hashes the password once for every account: verify each distinct hash once.
  const verdicts = new Map<string, Promise<boolean>>();
  const open: string[] = [];
  for (const r of rows) {
    if (!r.passwordHash || !r.username) continue;
    let verdict = verdicts.get(r.passwordHash);
    if (!verdict) {
      const hash = r.passwordHash;
      verdict = (async () => {
        for (const p of known) if (await verifyPassword(hash, p)) return true;
        return false;
      })();
      verdicts.set(hash, verdict);
    }
    if (await verdict) open.push(r.username);
  }
  return open;
}
