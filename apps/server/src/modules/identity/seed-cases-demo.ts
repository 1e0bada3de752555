import { eq } from 'drizzle-orm';
import type { Config } from '../../config';
import { writeAudit } from '../../core/audit';
import { systemContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { hashPassword } from './password';
import { accounts, orgUnits, roleGrants } from './schema';
import type { DemoAccount } from './seed';

/**
 * Demo accounts of the 城社共治 module (LINLI_DEMO): the members of the squads in 翰林社区 and
 * 家和社区 (the cases module's seed puts them in their squads) and a town administrator of 万安镇
 * who supervises (督办) and approves extensions. Created once, also on a database seeded before.
 */
export const CASE_DEMO_STAFF = [
  {
    username: 'hanlin-squad1',
    displayName: '张执法',
    unit: '翰林社区',
    role: 'squad_member',
    phone: '13800000111',
  },
  {
    username: 'hanlin-squad2',
    displayName: '赵社干',
    unit: '翰林社区',
    role: 'squad_member',
    phone: '13800000112',
  },
  {
    username: 'hanlin-squad3',
    displayName: '钱双岗',
    unit: '翰林社区',
    role: 'squad_member',
    phone: '13800000113',
  },
  {
    username: 'jh-squad1',
    displayName: '孙双岗',
    unit: '家和社区',
    role: 'squad_member',
    phone: '13800000114',
  },
  {
    username: 'jh-squad2',
    displayName: '周社干',
    unit: '家和社区',
    role: 'squad_member',
    phone: '13800000115',
  },
  {
    username: 'wanan-admin',
    displayName: '万安镇吴主任',
    unit: '万安镇',
    role: 'town_admin',
    phone: '13800000116',
  },
] as const;

export async function seedCaseDemoAccounts(db: Db, config: Config): Promise<DemoAccount[]> {
  const [admin] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.username, 'admin'));
  if (!admin) return [];
  const [done] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.username, CASE_DEMO_STAFF[0].username));
  if (done) return [];
  const passwordHash = await hashPassword(config.demoPassword);
  const created: DemoAccount[] = [];
  await db.transaction(async (tx) => {
    for (const s of CASE_DEMO_STAFF) {
      const [unit] = await tx.select().from(orgUnits).where(eq(orgUnits.name, s.unit)).limit(1);
      if (!unit) throw new Error(`demo seed: no org unit named ${s.unit}`);
      const [acc] = await tx
        .insert(accounts)
        .values({
          districtId: unit.districtId,
          kind: 'staff',
          username: s.username,
          phone: s.phone,
          displayName: s.displayName,
          orgUnitId: unit.id,
          passwordHash,
          passwordChangedAt: new Date(),
        })
        .returning();
      await tx
        .insert(roleGrants)
        .values({ districtId: unit.districtId, accountId: acc!.id, roleCode: s.role, orgUnitId: unit.id });
      await writeAudit(tx, systemContext(unit.districtId), {
        action: 'account.seed',
        entityType: 'account',
        entityId: acc!.id,
        orgUnitId: unit.id,
        after: { username: s.username, displayName: s.displayName, phone: s.phone, role: s.role },
      });
      created.push({ login: s.username, role: s.role, where: s.unit });
    }
  });
  return created;
}
