import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, type TestApp } from '../../../test/harness';
import { systemContext } from '../../core/context';
import { auditLog } from '../../core/schema';
import { disableAccount } from './accounts-service';
import { buildResident, buildStaff, sampleTree, type SampleTree, sessionAs } from './fixtures';
import { accounts, roleGrants, sessions } from './schema';

let t: TestApp;
let tree: SampleTree;
let anon: Client;
let admin: Client;
let hanlin: Client;
let jiahe: Client;
/** Signed-in resident (13800000001, 家和社区). */
let resident: Client;
/** community_secretary at 翰林社区 + community_worker at 家和社区. */
let mixed: Client;
/** grid_worker at 翰林社区 (org.read only) + community_secretary at 家和社区. */
let gridSecretary: Client;
/** town_admin at 万安镇. */
let wanan: Client;
/** district_office at 罗江区: reads everything, manages nothing. */
let office: Client;
const ids = {} as Record<'admin' | 'hanlin-secretary' | 'jiahe-worker' | 'resident', string>;

const api = (path: string) => `/api/v1${path}`;
const MASKED = /^1[3-9][0-9]\*{4}[0-9]{4}$/;

async function idOf(username: string) {
  const [a] = await t.database.db.select().from(accounts).where(eq(accounts.username, username));
  return a!.id;
}

async function lastAudit(action: string, entityId: string) {
  const [row] = await t.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.entityId, entityId)))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return row;
}

async function countAudit(action: string, entityId: string) {
  return (
    await t.database.db
      .select({ id: auditLog.id })
      .from(auditLog)
      .where(and(eq(auditLog.action, action), eq(auditLog.entityId, entityId)))
  ).length;
}

beforeAll(async () => {
  t = await buildTestApp();
  const db = t.database.db;
  tree = await sampleTree(db);
  anon = new Client(t.app);
  admin = await loginAs(t.app, 'admin');
  hanlin = await loginAs(t.app, 'hanlin-secretary');
  jiahe = await loginAs(t.app, 'jiahe-worker');
  for (const u of ['admin', 'hanlin-secretary', 'jiahe-worker'] as const) ids[u] = await idOf(u);
  const [r] = await db.select().from(accounts).where(eq(accounts.phone, '13800000001'));
  ids.resident = r!.id;
  resident = await sessionAs(t.app, r!.id);
  mixed = await sessionAs(
    t.app,
    (
      await buildStaff(db, tree.C1, [
        { role: 'community_secretary', unit: tree.C1 },
        { role: 'community_worker', unit: tree.C2 },
      ])
    ).id,
  );
  gridSecretary = await sessionAs(
    t.app,
    (
      await buildStaff(db, tree.C2, [
        { role: 'grid_worker', unit: tree.C1 },
        { role: 'community_secretary', unit: tree.C2 },
      ])
    ).id,
  );
  wanan = await sessionAs(t.app, (await buildStaff(db, tree.T1, [{ role: 'town_admin', unit: tree.T1 }])).id);
  office = await sessionAs(
    t.app,
    (await buildStaff(db, tree.D, [{ role: 'district_office', unit: tree.D }])).id,
  );
});
afterAll(() => t.close());

describe('acceptance', () => {
  it('jiahe-worker gets 404 for a 翰林社区 account', async () => {
    const res = await jiahe.get(api(`/accounts/${ids['hanlin-secretary']}`));
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('not-found');
  });

  it('jiahe-worker sees only 家和社区 accounts', async () => {
    const res = await jiahe.get(api('/accounts?limit=200'));
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: string; orgUnit: { id: string } | null }[];
    expect(items.map((i) => i.id)).toEqual(expect.arrayContaining([ids['jiahe-worker'], ids.resident]));
    expect(items.map((i) => i.id)).not.toContain(ids['hanlin-secretary']);
    for (const i of items) expect([tree.C2.id, tree.G2.id]).toContain(i.orgUnit?.id);
  });

  it('admin sees every account, with masked phones', async () => {
    const res = await admin.get(api('/accounts?limit=200'));
    const items = res.json().items as { id: string; phone: string | null }[];
    const all = await t.database.db.select({ id: accounts.id }).from(accounts);
    expect(items.map((i) => i.id).sort()).toEqual(all.map((a) => a.id).sort());
    for (const i of items) if (i.phone !== null) expect(i.phone).toMatch(MASKED);
    expect(items.find((i) => i.id === ids.resident)!.phone).toBe('138****0001');
  });
});

describe('GET /accounts', () => {
  it('answers 401 without a session and 403 without accounts.read', async () => {
    expect((await anon.get(api('/accounts'))).statusCode).toBe(401);
    expect((await resident.get(api('/accounts'))).statusCode).toBe(403);
    const gw = await sessionAs(
      t.app,
      (await buildStaff(t.database.db, tree.G1, [{ role: 'grid_worker', unit: tree.G1 }])).id,
    );
    expect((await gw.get(api('/accounts'))).statusCode).toBe(403);
  });

  it('shows residents without a home community only to holders at the district root', async () => {
    const homeless = await buildResident(t.database.db, tree.D.id, null);
    const see = async (c: Client) =>
      ((await c.get(api('/accounts?limit=200&kind=resident'))).json().items as { id: string }[]).some(
        (i) => i.id === homeless.id,
      );
    expect(await see(admin)).toBe(true);
    expect(await see(office)).toBe(true);
    expect(await see(wanan)).toBe(false);
    expect(await see(hanlin)).toBe(false);
    expect((await office.get(api(`/accounts/${homeless.id}`))).statusCode).toBe(200);
    expect((await wanan.get(api(`/accounts/${homeless.id}`))).statusCode).toBe(404);
  });

  it('filters by kind, status, org subtree, role and text (name, username, phone digits)', async () => {
    const list = async (q: string) =>
      ((await admin.get(api(`/accounts?limit=200&${q}`))).json().items as { id: string; kind: string }[]).map(
        (i) => i.id,
      );
    expect(await list('kind=resident')).toContain(ids.resident);
    expect(await list('kind=resident')).not.toContain(ids.admin);
    expect(await list(`orgUnitId=${tree.T1.id}`)).toContain(ids['hanlin-secretary']);
    expect(await list(`orgUnitId=${tree.T1.id}`)).not.toContain(ids['jiahe-worker']);
    expect(await list('role=community_secretary')).toContain(ids['hanlin-secretary']);
    expect(await list('role=community_secretary')).not.toContain(ids['jiahe-worker']);
    expect(await list(`q=${encodeURIComponent('李书记')}`)).toEqual([ids['hanlin-secretary']]);
    expect(await list('q=jiahe')).toEqual([ids['jiahe-worker']]);
    expect(await list('q=00000102')).toEqual([ids['jiahe-worker']]);
    expect(await list('q=%25')).toEqual([]);
    const disabled = await buildStaff(t.database.db, tree.C1, [], { status: 'disabled' });
    expect(await list('status=disabled')).toEqual([disabled.id]);
    // Filters never widen the scope: jiahe-worker asking for 翰林社区 gets nothing.
    const theirs = await jiahe.get(api(`/accounts?orgUnitId=${tree.C1.id}`));
    expect(theirs.json().items).toEqual([]);
  });

  it('answers 400 naming the field for a bad role, cursor or limit', async () => {
    for (const [q, field] of [
      ['role=mayor', 'querystring/role'],
      ['cursor=abc', 'querystring/cursor'],
      ['limit=201', 'querystring/limit'],
      ['kind=robot', 'querystring/kind'],
    ]) {
      const res = await admin.get(api(`/accounts?${q}`));
      expect(res.statusCode, q).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('pages by id, newest first, with no gaps or repeats', async () => {
    for (let i = 0; i < 5; i++) await buildStaff(t.database.db, tree.C2);
    const all = (await admin.get(api('/accounts?limit=200'))).json().items.map((i: { id: string }) => i.id);
    expect(all).toEqual([...all].sort().reverse());
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin.get(api(`/accounts?limit=3${cursor ? `&cursor=${cursor}` : ''}`));
      const body = res.json();
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((i: { id: string }) => i.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('costs a bounded number of queries whatever the page size (roles in one query)', async () => {
    for (let i = 0; i < 60; i++) {
      await buildStaff(t.database.db, tree.C2, [
        { role: 'community_worker', unit: tree.C2 },
        { role: 'grid_worker', unit: tree.G2 },
      ]);
    }
    await admin.get(api('/accounts?limit=1'));
    const cost = async (limit: number) => {
      const before = t.database.queryCount();
      const res = await admin.get(api(`/accounts?limit=${limit}`));
      expect(res.json().items).toHaveLength(limit);
      return t.database.queryCount() - before;
    };
    const small = await cost(5);
    const large = await cost(50);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(5);
    const page = (await admin.get(api('/accounts?limit=50'))).json().items as { roles: string[] }[];
    expect(page.filter((i) => i.roles.join() === 'community_worker,grid_worker').length).toBeGreaterThan(40);
  });
});

describe('GET /accounts/:id', () => {
  it('answers 401, 404 outside scope, 403 in scope without accounts.read, 400 for a bad id', async () => {
    expect((await anon.get(api(`/accounts/${ids.admin}`))).statusCode).toBe(401);
    expect((await hanlin.get(api(`/accounts/${ids['jiahe-worker']}`))).statusCode).toBe(404);
    expect((await gridSecretary.get(api(`/accounts/${ids['hanlin-secretary']}`))).statusCode).toBe(403);
    const bad = await admin.get(api('/accounts/42'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params/id');
  });

  it('shows the full phone to pii.read holders only, and audits each full view', async () => {
    const before = await countAudit('account.pii_view', ids.resident);
    const full = await admin.get(api(`/accounts/${ids.resident}`));
    expect(full.json().phone).toBe('13800000001');
    expect(await countAudit('account.pii_view', ids.resident)).toBe(before + 1);
    const audit = await lastAudit('account.pii_view', ids.resident);
    expect(audit?.actorId).toBe(ids.admin);
    expect(audit?.orgUnitId).toBe(tree.C2.id);

    const masked = await jiahe.get(api(`/accounts/${ids.resident}`));
    expect(masked.statusCode).toBe(200);
    expect(masked.json().phone).toBe('138****0001');
    const townMasked = await wanan.get(api(`/accounts/${ids['hanlin-secretary']}`));
    expect(townMasked.json().phone).toBe('138****0101');
    expect(await countAudit('account.pii_view', ids.resident)).toBe(before + 1);
    expect(await countAudit('account.pii_view', ids['hanlin-secretary'])).toBe(0);
  });

  it('carries grants and abilities from the permission table', async () => {
    const res = await admin.get(api(`/accounts/${ids['hanlin-secretary']}`));
    const body = res.json();
    expect(body.grants).toEqual([
      expect.objectContaining({
        roleCode: 'community_secretary',
        roleName: '社区书记',
        orgUnit: expect.objectContaining({ id: tree.C1.id }),
      }),
    ]);
    expect(body.roles).toEqual(['community_secretary']);
    expect(body.abilities).toEqual({
      manage: true,
      grant: true,
      disable: true,
      enable: false,
      resetPassword: true,
    });
    const self = await admin.get(api(`/accounts/${ids.admin}`));
    expect(self.json().abilities).toEqual({
      manage: true,
      grant: true,
      disable: false,
      enable: false,
      resetPassword: false,
    });
    const worker = await jiahe.get(api(`/accounts/${ids.resident}`));
    expect(Object.values(worker.json().abilities).some(Boolean)).toBe(false);
    // The town admin lacks pii.read, which the secretary holds: no managing that account.
    const town = await wanan.get(api(`/accounts/${ids['hanlin-secretary']}`));
    expect(town.json().abilities).toMatchObject({
      manage: false,
      disable: false,
      resetPassword: false,
      grant: true,
    });
  });
});

describe('POST /accounts', () => {
  const body = (over: Record<string, unknown> = {}) => ({
    username: 'hl-new-worker',
    displayName: '新社工',
    phone: '13900001111',
    orgUnitId: tree.C1.id,
    ...over,
  });

  it('answers 401, 403 without accounts.manage, 404 outside scope, 403 in scope', async () => {
    expect((await anon.post(api('/accounts'), body())).statusCode).toBe(401);
    expect((await jiahe.post(api('/accounts'), body({ orgUnitId: tree.C2.id }))).statusCode).toBe(403);
    expect((await hanlin.post(api('/accounts'), body({ orgUnitId: tree.C2.id }))).statusCode).toBe(404);
    expect((await mixed.post(api('/accounts'), body({ orgUnitId: tree.C2.id }))).statusCode).toBe(403);
  });

  it('answers 400 naming the field', async () => {
    const res = await hanlin.post(api('/accounts'), body({ username: 'X', phone: '123' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['body/username', 'body/phone']),
    );
    const weak = await hanlin.post(api('/accounts'), body({ password: 'short' }));
    expect(weak.statusCode).toBe(400);
    expect(weak.json().code).toBe('password-too-short');
    expect(weak.json().errors[0].field).toBe('body/password');
  });

  it('answers 409 org-unit-retired for a retired unit', async () => {
    const g = await admin.post(api('/org-units'), {
      parentId: tree.C1.id,
      name: '撤销网格',
      code: 'HL-RET',
      kind: 'grid',
    });
    await admin.post(api(`/org-units/${g.json().id}/retire`), { reason: '网格撤销' });
    const res = await hanlin.post(api('/accounts'), body({ username: 'hl-retired', orgUnitId: g.json().id }));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('org-unit-retired');
  });

  it('answers 409 username-taken', async () => {
    const res = await hanlin.post(api('/accounts'), body({ username: 'admin' }));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('username-taken');
    expect(res.json().errors[0].field).toBe('body/username');
  });

  it('creates a staff account with a temporary password returned once, and audits it', async () => {
    const res = await hanlin.post(api('/accounts'), body());
    expect(res.statusCode).toBe(201);
    const { account, temporaryPassword } = res.json();
    expect(temporaryPassword).toMatch(/^.{13,}$/);
    expect(account).toMatchObject({
      kind: 'staff',
      username: 'hl-new-worker',
      mustChangePassword: true,
      phone: '139****1111',
      orgUnit: { id: tree.C1.id },
      roles: [],
      status: 'active',
    });
    const [row] = await t.database.db.select().from(accounts).where(eq(accounts.id, account.id));
    expect(row!.passwordHash).not.toContain(temporaryPassword);
    const audit = await lastAudit('account.create', account.id);
    expect(audit?.changes.username).toEqual({ before: null, after: 'hl-new-worker' });
    expect(audit?.changes.phone).toEqual({ before: null, after: '139****1111' });
    expect(JSON.stringify(audit?.changes)).not.toContain(temporaryPassword);
    const login = await new Client(t.app).post(api('/auth/login'), {
      username: 'hl-new-worker',
      password: temporaryPassword,
    });
    expect(login.statusCode).toBe(200);
  });

  it('takes an initial password that passes the policy, without a temporary one', async () => {
    const res = await hanlin.post(
      api('/accounts'),
      body({ username: 'hl-second', password: 'Hanlin-Garden-2026' }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.json().temporaryPassword).toBeNull();
    expect(res.json().account.mustChangePassword).toBe(false);
  });
});

describe('grants', () => {
  let staffId: string;
  beforeAll(async () => {
    staffId = (await buildStaff(t.database.db, tree.C1)).id;
  });

  it('answers 401, 403 without roles.grant, 404 for an account or unit outside scope', async () => {
    const g = { roleCode: 'grid_worker', orgUnitId: tree.G1.id };
    expect((await anon.post(api(`/accounts/${staffId}/grants`), g)).statusCode).toBe(401);
    expect((await jiahe.post(api(`/accounts/${staffId}/grants`), g)).statusCode).toBe(403);
    expect(
      (await hanlin.post(api(`/accounts/${ids['jiahe-worker']}/grants`), { ...g, orgUnitId: tree.G2.id }))
        .statusCode,
    ).toBe(404);
    expect(
      (await hanlin.post(api(`/accounts/${staffId}/grants`), { ...g, orgUnitId: tree.G2.id })).statusCode,
    ).toBe(404);
  });

  it('answers 403 when the unit is in scope but the caller cannot grant there', async () => {
    const res = await mixed.post(api(`/accounts/${ids['jiahe-worker']}/grants`), {
      roleCode: 'grid_worker',
      orgUnitId: tree.G2.id,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });

  it('answers 400 naming body/roleCode for an unknown role', async () => {
    const res = await hanlin.post(api(`/accounts/${staffId}/grants`), {
      roleCode: 'mayor',
      orgUnitId: tree.G1.id,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body/roleCode');
  });

  it('answers 422 org-unit-kind for a role not grantable at that kind', async () => {
    const res = await admin.post(api(`/accounts/${staffId}/grants`), {
      roleCode: 'town_admin',
      orgUnitId: tree.C1.id,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('org-unit-kind');
    expect(res.json().errors[0].field).toBe('body/orgUnitId');
  });

  it('refuses escalation with 403 grant-escalation', async () => {
    // The town admin lacks pii.read, which a community secretary holds.
    const res = await wanan.post(api(`/accounts/${staffId}/grants`), {
      roleCode: 'community_secretary',
      orgUnitId: tree.C1.id,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('grant-escalation');
  });

  it('lets residents only be deliberation representatives', async () => {
    const refused = await admin.post(api(`/accounts/${ids.resident}/grants`), {
      roleCode: 'community_worker',
      orgUnitId: tree.C2.id,
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('role-not-for-residents');
    expect(refused.json().errors[0].field).toBe('body/roleCode');
    const ok = await admin.post(api(`/accounts/${ids.resident}/grants`), {
      roleCode: 'deliberation_rep',
      orgUnitId: tree.C2.id,
    });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().roles).toEqual(['deliberation_rep']);
  });

  it('grants, refuses a duplicate with 409 grant-exists, revokes, and audits both', async () => {
    const res = await hanlin.post(api(`/accounts/${staffId}/grants`), {
      roleCode: 'grid_worker',
      orgUnitId: tree.G1.id,
    });
    expect(res.statusCode).toBe(201);
    const grant = res.json().grants.find((g: { roleCode: string }) => g.roleCode === 'grid_worker');
    expect(grant.orgUnit.id).toBe(tree.G1.id);
    const granted = await lastAudit('account.grant', staffId);
    expect(granted?.orgUnitId).toBe(tree.G1.id);
    expect(granted?.changes.grant?.after).toMatchObject({ roleCode: 'grid_worker', orgUnitId: tree.G1.id });

    const dup = await hanlin.post(api(`/accounts/${staffId}/grants`), {
      roleCode: 'grid_worker',
      orgUnitId: tree.G1.id,
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('grant-exists');

    const revoked = await hanlin.post(api(`/accounts/${staffId}/grants/${grant.id}/revoke`));
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().grants).toEqual([]);
    const [row] = await t.database.db.select().from(roleGrants).where(eq(roleGrants.id, grant.id));
    expect(row!.revokedAt).toBeTruthy();
    expect(row!.revokedBy).toBe(ids['hanlin-secretary']);
    expect((await lastAudit('account.revoke_grant', staffId))?.changes.grant?.before).toMatchObject({
      id: grant.id,
    });
    const again = await hanlin.post(api(`/accounts/${staffId}/grants/${grant.id}/revoke`));
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('invalid-transition');
  });

  it('answers 409 org-unit-retired for a grant at a retired unit', async () => {
    const g = await admin.post(api('/org-units'), {
      parentId: tree.C1.id,
      name: '临时网格',
      code: 'HL-TMP',
      kind: 'grid',
    });
    await admin.post(api(`/org-units/${g.json().id}/retire`), { reason: '临时撤销' });
    const res = await hanlin.post(api(`/accounts/${staffId}/grants`), {
      roleCode: 'grid_worker',
      orgUnitId: g.json().id,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('org-unit-retired');
  });

  it('answers 401, 403 and 404 on revoke to the wrong callers', async () => {
    const [grant] = await t.database.db
      .select()
      .from(roleGrants)
      .where(eq(roleGrants.accountId, ids['jiahe-worker']));
    const url = api(`/accounts/${ids['jiahe-worker']}/grants/${grant!.id}/revoke`);
    expect((await anon.post(url)).statusCode).toBe(401);
    expect((await jiahe.post(url)).statusCode).toBe(403);
    expect((await hanlin.post(url)).statusCode).toBe(404);
    expect((await mixed.post(url)).statusCode).toBe(403);
    // A grant id that belongs to another account.
    const other = await admin.post(api(`/accounts/${ids.admin}/grants/${grant!.id}/revoke`));
    expect(other.statusCode).toBe(404);
  });

  it('never revokes the last active district admin', async () => {
    const [own] = await t.database.db
      .select()
      .from(roleGrants)
      .where(and(eq(roleGrants.accountId, ids.admin), eq(roleGrants.roleCode, 'district_admin')));
    const res = await admin.post(api(`/accounts/${ids.admin}/grants/${own!.id}/revoke`));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('last-admin');

    // With a second admin, either grant may go.
    const second = await buildStaff(t.database.db, tree.D);
    const made = await admin.post(api(`/accounts/${second.id}/grants`), {
      roleCode: 'district_admin',
      orgUnitId: tree.D.id,
    });
    expect(made.statusCode).toBe(201);
    const grantId = made.json().grants[0].id;
    expect((await admin.get(api(`/accounts/${ids.admin}`))).json().abilities.disable).toBe(false);
    const gone = await admin.post(api(`/accounts/${second.id}/grants/${grantId}/revoke`));
    expect(gone.statusCode).toBe(200);
  });
});

describe('disable, enable, reset password', () => {
  it('answers 401, 403, 404 and 403 in scope', async () => {
    const url = api(`/accounts/${ids['jiahe-worker']}/disable`);
    expect((await anon.post(url)).statusCode).toBe(401);
    expect((await jiahe.post(api(`/accounts/${ids.resident}/disable`))).statusCode).toBe(403);
    expect((await hanlin.post(url)).statusCode).toBe(404);
    expect((await mixed.post(url)).statusCode).toBe(403);
    expect((await mixed.post(api(`/accounts/${ids['jiahe-worker']}/reset-password`))).statusCode).toBe(403);
    expect((await hanlin.post(api(`/accounts/${ids['jiahe-worker']}/enable`))).statusCode).toBe(404);
  });

  it.each(['disable', 'enable', 'reset-password'])(
    '%s: 401 signed out, 403 without the permission, 404 outside, 400 bad id',
    async (step) => {
      const url = (id: string) => api(`/accounts/${id}/${step}`);
      expect((await anon.post(url(ids['jiahe-worker']))).statusCode).toBe(401);
      expect((await jiahe.post(url(ids.resident))).statusCode).toBe(403);
      expect((await hanlin.post(url(ids['jiahe-worker']))).statusCode).toBe(404);
      expect((await mixed.post(url(ids['jiahe-worker']))).statusCode).toBe(403);
      const bad = await admin.post(url('nope'));
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].field).toBe('params/id');
    },
  );

  it('answers 400 naming params/grantId for a malformed grant id', async () => {
    const res = await admin.post(api(`/accounts/${ids['jiahe-worker']}/grants/nope/revoke`));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('params/grantId');
  });

  it('refuses to act on an account holding roles the caller does not hold (403 grant-escalation)', async () => {
    const res = await wanan.post(api(`/accounts/${ids['hanlin-secretary']}/disable`));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('grant-escalation');
  });

  it('refuses to disable yourself', async () => {
    const res = await admin.post(api(`/accounts/${ids.admin}/disable`));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('self-action');
  });

  it('never disables the last active district admin', async () => {
    await expect(
      disableAccount({ db: t.database.db, clock: t.app.clock }, systemContext(tree.D.id), ids.admin),
    ).rejects.toMatchObject({ status: 409, code: 'last-admin' });
  });

  it('disables an account, signs it out everywhere, and enables it again', async () => {
    const worker = await loginAs(t.app, 'jiahe-worker');
    expect((await worker.get(api('/accounts'))).statusCode).toBe(200);
    const res = await admin.post(api(`/accounts/${ids['jiahe-worker']}/disable`));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'disabled', abilities: { enable: true, disable: false } });
    expect((await worker.get(api('/accounts'))).statusCode).toBe(401);
    const open = await t.database.db
      .select()
      .from(sessions)
      .where(eq(sessions.accountId, ids['jiahe-worker']));
    expect(open.every((s) => s.revokedAt !== null)).toBe(true);
    const audit = await lastAudit('account.disable', ids['jiahe-worker']);
    expect(audit?.changes.status).toEqual({ before: 'active', after: 'disabled' });
    expect(audit?.changes._?.after).toEqual({ sessionsRevoked: expect.any(Number) });
    expect((audit!.changes._!.after as { sessionsRevoked: number }).sessionsRevoked).toBeGreaterThanOrEqual(
      2,
    );
    const twice = await admin.post(api(`/accounts/${ids['jiahe-worker']}/disable`));
    expect(twice.json().code).toBe('invalid-transition');

    const back = await admin.post(api(`/accounts/${ids['jiahe-worker']}/enable`));
    expect(back.statusCode).toBe(200);
    expect(back.json().status).toBe('active');
    expect((await lastAudit('account.enable', ids['jiahe-worker']))?.changes.status).toEqual({
      before: 'disabled',
      after: 'active',
    });
    const again = await admin.post(api(`/accounts/${ids['jiahe-worker']}/enable`));
    expect(again.statusCode).toBe(409);
    jiahe = await loginAs(t.app, 'jiahe-worker');
  });

  it('lets a town admin disable plain staff of the town', async () => {
    const staff = await buildStaff(t.database.db, tree.C1b, [{ role: 'grid_worker', unit: tree.C1b }]);
    const res = await wanan.post(api(`/accounts/${staff.id}/disable`));
    expect(res.statusCode).toBe(200);
  });

  it('resets a staff password: a new temporary one, unlocked, signed out, audited with the hash redacted', async () => {
    const staff = await buildStaff(t.database.db, tree.C1, [{ role: 'grid_worker', unit: tree.G1 }], {
      lockedUntil: new Date(Date.now() + 3_600_000),
      failedLogins: 7,
    });
    const client = await sessionAs(t.app, staff.id);
    const res = await hanlin.post(api(`/accounts/${staff.id}/reset-password`));
    expect(res.statusCode).toBe(200);
    const { temporaryPassword } = res.json();
    expect(typeof temporaryPassword).toBe('string');
    const [row] = await t.database.db.select().from(accounts).where(eq(accounts.id, staff.id));
    expect(row).toMatchObject({ mustChangePassword: true, lockedUntil: null, failedLogins: 0 });
    expect((await client.get(api('/org-units?scope=mine'))).json().items).toEqual([]);
    const audit = await lastAudit('account.reset_password', staff.id);
    expect(audit?.changes.passwordHash).toEqual({ before: null, after: '[redacted]' });
    expect(audit?.changes.mustChangePassword).toEqual({ before: false, after: true });
    expect(JSON.stringify(audit?.changes)).not.toContain(temporaryPassword);
    const login = await new Client(t.app).post(api('/auth/login'), {
      username: row!.username,
      password: temporaryPassword,
    });
    expect(login.statusCode).toBe(200);
  });

  it('resets staff passwords only, and never your own', async () => {
    const res = await admin.post(api(`/accounts/${ids.resident}/reset-password`));
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('staff-only');
    const self = await admin.post(api(`/accounts/${ids.admin}/reset-password`));
    expect(self.statusCode).toBe(409);
    expect(self.json().code).toBe('self-action');
  });
});

describe('roles', () => {
  it('lists every role with its requireTotp setting, for staff only', async () => {
    expect((await anon.get(api('/roles'))).statusCode).toBe(401);
    expect((await resident.get(api('/roles'))).statusCode).toBe(403);
    const res = await jiahe.get(api('/roles'));
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toHaveLength(12);
    expect(res.json().items[0]).toMatchObject({
      code: 'district_admin',
      name: '区级管理员',
      requireTotp: false,
    });
  });

  it('changes requireTotp with roles.manage over the district root, audited', async () => {
    expect((await anon.patch(api('/roles/reviewer'), { requireTotp: true })).statusCode).toBe(401);
    expect((await hanlin.patch(api('/roles/reviewer'), { requireTotp: true })).statusCode).toBe(403);
    expect((await wanan.patch(api('/roles/reviewer'), { requireTotp: true })).statusCode).toBe(403);
    const bad = await admin.patch(api('/roles/reviewer'), {});
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body/requireTotp');
    expect((await admin.patch(api('/roles/mayor'), { requireTotp: true })).statusCode).toBe(404);
    const res = await admin.patch(api('/roles/reviewer'), { requireTotp: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ code: 'reviewer', requireTotp: true });
    const listed = (await jiahe.get(api('/roles')))
      .json()
      .items.find((r: { code: string }) => r.code === 'reviewer');
    expect(listed.requireTotp).toBe(true);
    const audit = await lastAudit('role.update', 'reviewer');
    expect(audit?.changes.requireTotp).toEqual({ before: false, after: true });
    expect(audit?.orgUnitId).toBe(tree.D.id);
  });
});
