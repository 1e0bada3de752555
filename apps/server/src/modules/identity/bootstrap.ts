import { and, eq, isNull } from 'drizzle-orm';
import { writeAudit } from '../../core/audit';
import { systemContext } from '../../core/context';
import type { Db } from '../../core/db/client';
import { AppError } from '../../core/errors';
import { defaultDistrict } from './lookups';
import { generateTemporaryPassword, hashPassword } from './password';
import { accounts, roleGrants } from './schema';

export interface FirstAdmin {
  username: string;
  displayName: string;
  phone: string | null;
  /** Shown once to the operator; the account must change it at first sign-in. */
  temporaryPassword: string;
}

/**
 * The first district administrator of a real deployment (`npm run admin:create`), which has no
 * demo accounts and no default password. Refused while an active district administrator exists,
 * unless `force` (break-glass: an operator who lost every admin account), which is audited as such.
 */
export async function createDistrictAdmin(
  db: Db,
  input: { username: string; displayName: string; phone?: string | null; force?: boolean },
): Promise<FirstAdmin> {
  const username = input.username.trim();
  if (!/^[a-z0-9][a-z0-9._-]{2,31}$/.test(username))
    throw AppError.validation([
      { field: 'username', message: '3–32 lower-case letters, digits, dot, dash or underscore' },
    ]);
  const displayName = input.displayName.trim();
  if (!displayName || displayName.length > 40)
    throw AppError.validation([{ field: 'name', message: 'a name of 1–40 characters' }]);
  const phone = input.phone?.trim() || null;
  if (phone && !/^1[3-9]\d{9}$/.test(phone))
    throw AppError.validation([{ field: 'phone', message: 'an 11-digit mainland mobile number' }]);
  const districtId = await defaultDistrict(db);
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  await db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ id: roleGrants.id })
      .from(roleGrants)
      .innerJoin(accounts, eq(accounts.id, roleGrants.accountId))
      .where(
        and(
          eq(roleGrants.roleCode, 'district_admin'),
          isNull(roleGrants.revokedAt),
          eq(accounts.status, 'active'),
          eq(accounts.districtId, districtId),
        ),
      )
      .limit(1);
    if (existing && !input.force)
      throw AppError.conflict(
        'conflict',
        'An active district administrator exists: grant the role from that account (use --force only to recover lost access).',
      );
    const [taken] = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.username, username));
    if (taken) throw AppError.conflict('username-taken', `The username ${username} is taken.`);
    const now = new Date();
    const [acc] = await tx
      .insert(accounts)
      .values({
        districtId,
        kind: 'staff',
        username,
        phone,
        displayName,
        orgUnitId: districtId,
        passwordHash,
        passwordChangedAt: now,
        mustChangePassword: true,
      })
      .returning({ id: accounts.id });
    await tx
      .insert(roleGrants)
      .values({ districtId, accountId: acc!.id, roleCode: 'district_admin', orgUnitId: districtId });
    await writeAudit(tx, systemContext(districtId), {
      action: existing ? 'account.create_admin_forced' : 'account.create_admin',
      entityType: 'account',
      entityId: acc!.id,
      orgUnitId: districtId,
      after: { username, displayName, phone, role: 'district_admin', mustChangePassword: true },
    });
  });
  return { username, displayName, phone, temporaryPassword };
}
