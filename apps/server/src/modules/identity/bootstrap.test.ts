import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, loginAs, type TestApp } from '../../../test/harness';
import { auditLog } from '../../core/schema';
import { createDistrictAdmin } from './bootstrap';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

describe('npm run admin:create (the first district administrator)', () => {
  it('refuses while an active district administrator exists', async () => {
    await expect(
      createDistrictAdmin(t.database.db, { username: 'zhang-admin', displayName: '张管理' }),
    ).rejects.toMatchObject({ status: 409 });
  });

  it('creates one with --force, audited as forced, whose temporary password must be changed', async () => {
    const admin = await createDistrictAdmin(t.database.db, {
      username: 'zhang-admin',
      displayName: '张管理',
      phone: '13800009999',
      force: true,
    });
    expect(admin.temporaryPassword).toMatch(/^[A-Za-z0-9]{6}-[0-9][A-Za-z0-9]{6}$/);
    const client = await loginAs(t.app, 'zhang-admin', admin.temporaryPassword);
    const me = (await client.get('/api/v1/me')).json();
    expect(me.mustChangePassword).toBe(true);
    expect(me.grants.map((g: { roleCode: string }) => g.roleCode)).toContain('district_admin');
    const [row] = await t.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'account.create_admin_forced'));
    expect(row?.changes.phone?.after).toBe('138****9999');
  });

  it('names the field of a bad username, name or phone, and refuses a taken username', async () => {
    for (const [input, field] of [
      [{ username: 'A b', displayName: '张' }, 'username'],
      [{ username: 'zhao-admin', displayName: '' }, 'name'],
      [{ username: 'zhao-admin', displayName: '赵', phone: '12345' }, 'phone'],
    ] as const) {
      await expect(createDistrictAdmin(t.database.db, { ...input, force: true })).rejects.toMatchObject({
        status: 400,
        extra: { errors: [{ field }] },
      });
    }
    await expect(
      createDistrictAdmin(t.database.db, { username: 'admin', displayName: '重名', force: true }),
    ).rejects.toMatchObject({ status: 409, code: 'username-taken' });
  });
});
