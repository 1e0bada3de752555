import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { rolePermissions } from '../../core/roles';
import { auditLog } from '../../core/schema';
import { buildStaff, codeFor, FIXTURE_PASSWORD, setRequireTotp } from './auth-fixtures';
import { hashToken } from '../../core/auth/sessions';
import { accounts, orgUnits, roleGrants, sessions } from './schema';

const clock = new FakeClock(new Date('2026-07-01T01:00:00Z'));
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({}, { clock });
});
afterAll(() => t.close());

let seq = 0;
const newPhone = () => `1360000${String(++seq).padStart(4, '0')}`;
const staff = (overrides: Parameters<typeof buildStaff>[1] = {}) => buildStaff(t.database.db, overrides);
const unit = async (name: string) =>
  (await t.database.db.select().from(orgUnits).where(eq(orgUnits.name, name)).limit(1))[0]!;
const fields = (res: { json(): { errors?: { field: string }[] } }) =>
  (res.json().errors ?? []).map((e) => e.field);

/** Every route of this file that needs a session, with a body that would otherwise be valid. */
const SIGNED_IN_ROUTES: [string, string, unknown?][] = [
  ['GET', '/api/v1/me'],
  ['PATCH', '/api/v1/me', { displayName: 'x' }],
  ['POST', '/api/v1/me/password', { currentPassword: 'a', newPassword: 'b' }],
  ['POST', '/api/v1/me/totp/enrol'],
  ['POST', '/api/v1/me/totp/enable', { code: '123456' }],
  ['POST', '/api/v1/me/totp/disable', { password: 'x' }],
  ['GET', '/api/v1/me/sessions'],
  ['POST', '/api/v1/me/sessions/0190a5b4-0000-7000-8000-000000000000/revoke'],
  ['POST', '/api/v1/auth/logout-all'],
];

describe('without a session', () => {
  for (const [method, url, payload] of SIGNED_IN_ROUTES) {
    it(`answers ${method} ${url.replace('/api/v1', '')} with 401 unauthenticated`, async () => {
      const res = await t.app.inject({ method: method as 'GET', url, payload: payload as object });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('unauthenticated');
    });
  }
});

describe('GET /me', () => {
  it('shows a community secretary their grant, unit and union of permissions', async () => {
    const client = await loginAs(t.app, 'hanlin-secretary');
    const me = (await client.get('/api/v1/me')).json();
    expect(me).toMatchObject({
      username: 'hanlin-secretary',
      displayName: '李书记',
      phone: '13800000101',
      homeOrgUnit: { name: '翰林社区', kind: 'community' },
    });
    expect(me.grants).toHaveLength(1);
    expect(me.grants[0]).toMatchObject({ roleCode: 'community_secretary', roleName: '社区书记' });
    expect(me.grants[0].orgUnit).toEqual(me.homeOrgUnit);
    // Exactly the role's permissions (the role table is the source; new modules add to it).
    const expected = [...rolePermissions('community_secretary')].sort();
    expect(expected).toEqual(expect.arrayContaining(['accounts.manage', 'applications.handle', 'pii.read']));
    expect(me.permissions).toEqual(expected);
  });

  it('joins the permissions of several grants', async () => {
    const account = await staff({ role: 'grid_worker' });
    const jiahe = await unit('家和社区');
    await t.database.db.insert(roleGrants).values({
      districtId: jiahe.districtId,
      accountId: account.id,
      roleCode: 'community_worker',
      orgUnitId: jiahe.id,
    });
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const me = (await client.get('/api/v1/me')).json();
    expect(me.grants.map((g: { roleCode: string }) => g.roleCode).sort()).toEqual([
      'community_worker',
      'grid_worker',
    ]);
    // The union of both roles, each permission once, sorted.
    const union = [
      ...new Set([...rolePermissions('grid_worker'), ...rolePermissions('community_worker')]),
    ].sort();
    expect(union.length).toBeGreaterThan(rolePermissions('grid_worker').length);
    expect(me.permissions).toEqual(union);
  });
});

describe('PATCH /me', () => {
  it('lets a resident record a home community, audited', async () => {
    const client = await residentLogin(t, newPhone());
    const hanlin = await unit('翰林社区');
    const res = await client.patch('/api/v1/me', { homeOrgUnitId: hanlin.id, displayName: '  张阿姨 ' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      displayName: '张阿姨',
      homeOrgUnit: { id: hanlin.id, name: '翰林社区', kind: 'community' },
    });
    const [row] = await t.database.db.select().from(accounts).where(eq(accounts.id, res.json().id));
    expect(row!.orgUnitId).toBe(hanlin.id);
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, row!.id), eq(auditLog.action, 'account.update_self')));
    expect(audit!.changes.orgUnitId).toEqual({ before: null, after: hanlin.id });
    expect(audit!.actorId).toBe(row!.id);
  });

  it('accepts a grid and clears the home with null', async () => {
    const client = await residentLogin(t, newPhone());
    const [grid] = await t.database.db.select().from(orgUnits).where(eq(orgUnits.kind, 'grid')).limit(1);
    expect((await client.patch('/api/v1/me', { homeOrgUnitId: grid!.id })).json().homeOrgUnit.kind).toBe(
      'grid',
    );
    expect((await client.patch('/api/v1/me', { homeOrgUnitId: null })).json().homeOrgUnit).toBeNull();
  });

  it('refuses a town or the district as a home with 400 org-unit-kind', async () => {
    const client = await residentLogin(t, newPhone());
    for (const kind of ['town', 'district'] as const) {
      const [u] = await t.database.db.select().from(orgUnits).where(eq(orgUnits.kind, kind)).limit(1);
      const res = await client.patch('/api/v1/me', { homeOrgUnitId: u!.id });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('org-unit-kind');
      expect(fields(res)).toEqual(['body/homeOrgUnitId']);
    }
  });

  it('refuses a retired community with 400 org-unit-retired and an unknown one with 400 validation', async () => {
    const client = await residentLogin(t, newPhone());
    const communities = await t.database.db.select().from(orgUnits).where(eq(orgUnits.kind, 'community'));
    const target = communities.find((c) => c.name !== '翰林社区' && c.name !== '家和社区')!;
    await t.database.db.update(orgUnits).set({ status: 'retired' }).where(eq(orgUnits.id, target.id));
    try {
      const retired = await client.patch('/api/v1/me', { homeOrgUnitId: target.id });
      expect(retired.statusCode).toBe(400);
      expect(retired.json().code).toBe('org-unit-retired');
    } finally {
      await t.database.db.update(orgUnits).set({ status: 'active' }).where(eq(orgUnits.id, target.id));
    }
    const unknown = await client.patch('/api/v1/me', {
      homeOrgUnitId: '0190a5b4-0000-7000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('validation');
    expect(fields(unknown)).toEqual(['body/homeOrgUnitId']);
  });

  it('refuses malformed input with 400 naming the fields', async () => {
    const client = await residentLogin(t, newPhone());
    const res = await client.patch('/api/v1/me', { displayName: '', homeOrgUnitId: 'nope' });
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toEqual(expect.arrayContaining(['body/displayName', 'body/homeOrgUnitId']));
    const blank = await client.patch('/api/v1/me', { displayName: '   ' });
    expect(blank.statusCode).toBe(400);
    expect(fields(blank)).toEqual(['body/displayName']);
  });

  it('lets staff change their display name but not their unit', async () => {
    const account = await staff();
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const renamed = await client.patch('/api/v1/me', { displayName: '王网格' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().displayName).toBe('王网格');
    const moved = await client.patch('/api/v1/me', { homeOrgUnitId: (await unit('翰林社区')).id });
    expect(moved.statusCode).toBe(403);
    expect(
      (await t.database.db.select().from(accounts).where(eq(accounts.id, account.id)))[0]!.orgUnitId,
    ).toBe(account.orgUnitId);
  });
});

describe('POST /me/password', () => {
  const NEW = 'Lantern-River-2031';

  it('changes the password, clears must-change, signs other sessions out and keeps this one', async () => {
    const account = await staff({ mustChangePassword: true });
    const other = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    expect((await client.get('/api/v1/me')).json().mustChangePassword).toBe(true);
    const res = await client.post('/api/v1/me/password', {
      currentPassword: FIXTURE_PASSWORD,
      newPassword: NEW,
    });
    expect(res.statusCode).toBe(204);
    expect((await client.get('/api/v1/me')).json().mustChangePassword).toBe(false);
    expect((await other.get('/api/v1/me')).statusCode).toBe(401);
    expect(
      (await new Client(t.app).post('/api/v1/auth/login', { username: account.username, password: NEW }))
        .statusCode,
    ).toBe(200);
    const old = await new Client(t.app).post('/api/v1/auth/login', {
      username: account.username,
      password: FIXTURE_PASSWORD,
    });
    expect(old.statusCode).toBe(401);
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, account.id), eq(auditLog.action, 'account.password_change')));
    expect(audit!.changes.passwordHash).toEqual({ before: '[redacted]', after: '[redacted]' });
    expect(audit!.changes._?.after).toEqual({ otherSessionsRevoked: 1 });
  });

  it('answers a wrong current password with 400 password-wrong naming body/currentPassword', async () => {
    const account = await staff();
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const res = await client.post('/api/v1/me/password', { currentPassword: 'wrong', newPassword: NEW });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('password-wrong');
    expect(fields(res)).toEqual(['body/currentPassword']);
  });

  it('counts wrong current passwords toward lock-out', async () => {
    const account = await staff();
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    let last = await client.post('/api/v1/me/password', { currentPassword: 'wrong', newPassword: NEW });
    for (let i = 1; i < 5; i++)
      last = await client.post('/api/v1/me/password', { currentPassword: 'wrong', newPassword: NEW });
    expect(last.statusCode).toBe(429);
    expect(last.json().code).toBe('account-locked');
    const right = await client.post('/api/v1/me/password', {
      currentPassword: FIXTURE_PASSWORD,
      newPassword: NEW,
    });
    expect(right.statusCode).toBe(429);
  });

  it('refuses the current password as the new one with password-reused', async () => {
    const account = await staff();
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const res = await client.post('/api/v1/me/password', {
      currentPassword: FIXTURE_PASSWORD,
      newPassword: FIXTURE_PASSWORD,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('password-reused');
    expect(fields(res)).toEqual(['body/newPassword']);
  });

  it.each([
    ['short1!', 'password-too-short'],
    ['woaini1314', 'password-too-common'],
    ['1qaz2wsx3edc', 'password-too-common'],
    ['123456789a', 'password-too-common'],
    ['Qwertyuiop', 'password-too-common'],
    ['aaaaaaaaaaaa', 'password-too-common'],
  ])('refuses the weak password %s with %s naming body/newPassword', async (weak, code) => {
    const account = await staff();
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const res = await client.post('/api/v1/me/password', {
      currentPassword: FIXTURE_PASSWORD,
      newPassword: weak,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe(code);
    expect(fields(res)).toEqual(['body/newPassword']);
  });

  it('is for staff only', async () => {
    const client = await residentLogin(t, newPhone());
    const res = await client.post('/api/v1/me/password', { currentPassword: 'x', newPassword: NEW });
    expect(res.statusCode).toBe(403);
  });

  it('refuses a body without the fields with 400 naming them', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const res = await client.post('/api/v1/me/password', {});
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toEqual(expect.arrayContaining(['body/currentPassword', 'body/newPassword']));
  });
});

describe('TOTP enrolment, enabling and disabling', () => {
  it('enrols with a 32-character base32 secret and an otpauth URL naming 邻里+', async () => {
    const account = await staff();
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const res = await client.post('/api/v1/me/totp/enrol');
    expect(res.statusCode).toBe(200);
    const { secret, otpauthUrl } = res.json();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl).toContain(`otpauth://totp/%E9%82%BB%E9%87%8C%2B:${account.username}?secret=${secret}`);
    expect(otpauthUrl).toContain('issuer=%E9%82%BB%E9%87%8C%2B');
    // Pending until confirmed: signing in still needs no code.
    expect((await loginAs(t.app, account.username!, FIXTURE_PASSWORD)).cookies.size).toBe(2);
  });

  it('enables with a right code, then sign-in asks for the code', async () => {
    const account = await staff();
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const { secret } = (await client.post('/api/v1/me/totp/enrol')).json();
    const wrong = await client.post('/api/v1/me/totp/enable', {
      code: [-1, 0, 1].map((o) => codeFor(t.app, secret, o)).includes('000000') ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe('totp-invalid');
    const session = client.cookies.get('linli_session');
    const ok = await client.post('/api/v1/me/totp/enable', { code: codeFor(t.app, secret) });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().totpEnabled).toBe(true);
    // A full session stays as it is.
    expect(client.cookies.get('linli_session')).toBe(session);
    const again = await new Client(t.app).post('/api/v1/auth/login', {
      username: account.username,
      password: FIXTURE_PASSWORD,
    });
    expect(again.json().status).toBe('totp_required');
    expect((await client.post('/api/v1/me/totp/enrol')).json().code).toBe('totp-already-enabled');
  });

  it('refuses to enable before enrolling with 409 totp-not-enrolled', async () => {
    const account = await staff();
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const res = await client.post('/api/v1/me/totp/enable', { code: '123456' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('totp-not-enrolled');
  });

  it('disables with the password, audited without the secret', async () => {
    const account = await staff();
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const { secret } = (await client.post('/api/v1/me/totp/enrol')).json();
    await client.post('/api/v1/me/totp/enable', { code: codeFor(t.app, secret) });
    const wrong = await client.post('/api/v1/me/totp/disable', { password: 'wrong' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().code).toBe('password-wrong');
    expect(fields(wrong)).toEqual(['body/password']);
    const ok = await client.post('/api/v1/me/totp/disable', { password: FIXTURE_PASSWORD });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().totpEnabled).toBe(false);
    const audits = await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, account.id));
    expect(audits.map((a) => a.action)).toEqual(
      expect.arrayContaining(['account.totp_enrol', 'account.totp_enable', 'account.totp_disable']),
    );
    expect(JSON.stringify(audits)).not.toContain(secret);
  });

  it('refuses to disable with 403 totp-required while a held role requires TOTP', async () => {
    const account = await staff({ role: 'squad_member' });
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const { secret } = (await client.post('/api/v1/me/totp/enrol')).json();
    await client.post('/api/v1/me/totp/enable', { code: codeFor(t.app, secret) });
    await setRequireTotp(t.database.db, 'squad_member', true);
    try {
      const res = await client.post('/api/v1/me/totp/disable', { password: FIXTURE_PASSWORD });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('totp-required');
    } finally {
      await setRequireTotp(t.database.db, 'squad_member', false);
    }
  });

  it('is for staff only', async () => {
    const client = await residentLogin(t, newPhone());
    expect((await client.post('/api/v1/me/totp/enrol')).statusCode).toBe(403);
  });
});

describe('sessions', () => {
  it('lists own live sessions with the current one flagged, newest activity first', async () => {
    const account = await staff();
    const first = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    clock.advance(120_000);
    const second = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const gone = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    await gone.post('/api/v1/auth/logout');
    const res = await second.get('/api/v1/me/sessions');
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ current: true, ip: '127.0.0.1' });
    expect(items[1].current).toBe(false);
    expect(
      (await first.get('/api/v1/me/sessions')).json().items.filter((s: { current: boolean }) => s.current),
    ).toHaveLength(1);
  });

  it('leaves expired sessions out of the list', async () => {
    const account = await staff();
    await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    clock.advance(t.config.sessionIdleMinutes * 60_000 + 1000);
    const client = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    expect((await client.get('/api/v1/me/sessions')).json().items).toHaveLength(1);
  });

  it('revokes another own session, which then stops working', async () => {
    const account = await staff();
    const phone = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const laptop = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const items = (await laptop.get('/api/v1/me/sessions')).json().items as {
      id: string;
      current: boolean;
    }[];
    const target = items.find((s) => !s.current)!;
    const res = await laptop.post(`/api/v1/me/sessions/${target.id}/revoke`);
    expect(res.statusCode).toBe(204);
    expect((await phone.get('/api/v1/me')).statusCode).toBe(401);
    expect((await laptop.get('/api/v1/me')).statusCode).toBe(200);
  });

  it('revoking the current session signs this browser out', async () => {
    const client = await residentLogin(t, newPhone());
    const [current] = (await client.get('/api/v1/me/sessions')).json().items;
    expect((await client.post(`/api/v1/me/sessions/${current.id}/revoke`)).statusCode).toBe(204);
    expect(client.cookies.has('linli_session')).toBe(false);
  });

  it("answers 404 for someone else's session and leaves it alone", async () => {
    const victim = await loginAs(t.app, 'hanlin-secretary');
    const [theirs] = (await victim.get('/api/v1/me/sessions')).json().items;
    const client = await loginAs(t.app, 'jiahe-worker');
    const res = await client.post(`/api/v1/me/sessions/${theirs.id}/revoke`);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not-found');
    expect((await victim.get('/api/v1/me')).statusCode).toBe(200);
  });

  it('refuses a malformed session id with 400 naming params/id', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const res = await client.post('/api/v1/me/sessions/not-a-uuid/revoke');
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toEqual(['params/id']);
  });
});

describe('sign-out', () => {
  it('POST /auth/logout revokes the session, clears the cookies and answers 204', async () => {
    const client = await loginAs(t.app, 'jiahe-worker');
    const token = client.cookies.get('linli_session')!;
    const res = await client.post('/api/v1/auth/logout');
    expect(res.statusCode).toBe(204);
    const cleared = (res.cookies as { name: string; value: string }[]).map((c) => [c.name, c.value]);
    expect(cleared).toEqual(
      expect.arrayContaining([
        ['linli_session', ''],
        ['linli_csrf', ''],
      ]),
    );
    const [row] = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.tokenHash, hashToken(token)));
    expect(row!.revokedAt).not.toBeNull();
    expect((await client.get('/api/v1/me')).statusCode).toBe(401);
  });

  it('POST /auth/logout without a session still answers 204', async () => {
    expect((await new Client(t.app).post('/api/v1/auth/logout')).statusCode).toBe(204);
  });

  it('POST /auth/logout ends a half session waiting for TOTP', async () => {
    const account = await staff({ totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' });
    const client = new Client(t.app);
    await client.post('/api/v1/auth/login', { username: account.username, password: FIXTURE_PASSWORD });
    const token = client.cookies.get('linli_session')!;
    expect((await client.post('/api/v1/auth/logout')).statusCode).toBe(204);
    const hash = hashToken(token);
    const [row] = await t.database.db.select().from(sessions).where(eq(sessions.tokenHash, hash));
    expect(row!.revokedAt).not.toBeNull();
  });

  it('POST /auth/logout-all signs every session of the account out, audited', async () => {
    const account = await staff();
    const a = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const b = await loginAs(t.app, account.username!, FIXTURE_PASSWORD);
    const res = await a.post('/api/v1/auth/logout-all');
    expect(res.statusCode).toBe(204);
    expect((await a.get('/api/v1/me')).statusCode).toBe(401);
    expect((await b.get('/api/v1/me')).statusCode).toBe(401);
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.entityId, account.id), eq(auditLog.action, 'auth.sign_out_everywhere')));
    expect(audit!.changes._?.after).toEqual({ sessionsRevoked: 2 });
  });
});
