import { eq } from 'drizzle-orm';
import type { App } from '../../app';
import { base32Decode, totpCode } from './totp';
import { hashPassword } from './password';
import { accounts, orgUnits, roleGrants, roles } from './schema';
import type { Executor } from '../../core/db/client';
import { uuidv7 } from '../../core/db/columns';
import { SecretBox } from '../../core/secret-box';
import { TEST_SECRET_KEY } from '../../../test/config';
import { totpSecretContext } from './auth-service';

/** Test factories for sign-in: staff accounts, role settings and authenticator codes. */

export const FIXTURE_PASSWORD = 'Quiet-Harbour-42';
let hashed: Promise<string> | null = null;
let seq = 0;

/** A staff account with one role at a named unit, password FIXTURE_PASSWORD unless given. */
export async function buildStaff(
  db: Executor,
  overrides: {
    username?: string;
    role?: string;
    unitName?: string;
    password?: string;
    totpSecret?: string | null;
    status?: 'active' | 'disabled' | 'closed';
    mustChangePassword?: boolean;
  } = {},
) {
  const [unit] = await db
    .select()
    .from(orgUnits)
    .where(eq(orgUnits.name, overrides.unitName ?? '家和社区'))
    .limit(1);
  if (!unit) throw new Error('fixture: no such unit');
  hashed ??= hashPassword(FIXTURE_PASSWORD);
  const passwordHash = overrides.password ? await hashPassword(overrides.password) : await hashed;
  const username = overrides.username ?? `staff-${process.pid}-${++seq}`;
  const id = uuidv7();
  const [account] = await db
    .insert(accounts)
    .values({
      id,
      districtId: unit.districtId,
      kind: 'staff',
      username,
      phone: `1590000${String(seq).padStart(4, '0')}`,
      displayName: `测试员${seq}`,
      orgUnitId: unit.id,
      passwordHash,
      // Sealed as the server stores it, with the test servers' key.
      totpSecret: overrides.totpSecret ? sealForTests(id, overrides.totpSecret) : null,
      totpEnabled: !!overrides.totpSecret,
      status: overrides.status ?? 'active',
      mustChangePassword: overrides.mustChangePassword ?? false,
    })
    .returning();
  await db.insert(roleGrants).values({
    districtId: unit.districtId,
    accountId: account!.id,
    roleCode: overrides.role ?? 'community_worker',
    orgUnitId: unit.id,
  });
  return account!;
}

/** A TOTP secret sealed as the test servers (TEST_SECRET_KEY) store it. */
export function sealForTests(accountId: string, secret: string): string {
  return new SecretBox(Buffer.from(TEST_SECRET_KEY, 'base64')).seal(secret, totpSecretContext(accountId));
}

/** Sets a role's "requires TOTP" flag (what the roles admin screen does). */
export async function setRequireTotp(db: Executor, roleCode: string, requireTotp: boolean) {
  await db.update(roles).set({ requireTotp }).where(eq(roles.code, roleCode));
}

/** The authenticator code for `secret` at the app's current time, `stepOffset` steps away. */
export function codeFor(app: App, secret: string, stepOffset = 0): string {
  return totpCode(base32Decode(secret), new Date(app.clock.now().getTime() + stepOffset * 30_000));
}
