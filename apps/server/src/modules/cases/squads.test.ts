import type { Squad } from '@linli/contracts';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, type TestApp } from '../../../test/harness';
import { uuidv7 } from '../../core/db/columns';
import { auditLog } from '../../core/schema';
import { buildResident, buildStaff, sampleTree, type SampleTree, sessionAs } from '../identity/fixtures';
import { orgUnits } from '../identity/schema';
import { accountByUsername, squadOf } from './fixtures';
import { squads } from './schema';

/**
 * Squad set-up through HTTP: create a community's squad, add a member, change the duty, remove
 * (soft). cases.manage over the squad's community; every change is one audited transaction.
 */

let t: TestApp;
let admin: Client;
let secretary: Client;
let squadMember: Client;
let foreignAdmin: Client;
let anonymous: Client;
let tree: SampleTree;
let hanlinSquad: string;
const ids = {} as Record<
  'secretary' | 'jiaheWorker' | 'townAdmin' | 'squad3' | 'resident' | 'disabled' | 'foreignStaff',
  string
>;

beforeAll(async () => {
  t = await buildTestApp();
  const db = t.database.db;
  tree = await sampleTree(db);
  admin = await loginAs(t.app, 'admin');
  secretary = await loginAs(t.app, 'hanlin-secretary');
  squadMember = await loginAs(t.app, 'hanlin-squad1');
  anonymous = new Client(t.app);
  hanlinSquad = (await squadOf(db, '翰林社区城管中队')).id;
  ids.secretary = (await accountByUsername(db, 'hanlin-secretary')).id;
  ids.jiaheWorker = (await accountByUsername(db, 'jiahe-worker')).id;
  ids.townAdmin = (await accountByUsername(db, 'wanan-admin')).id;
  ids.squad3 = (await accountByUsername(db, 'hanlin-squad3')).id;
  ids.resident = (await buildResident(db, tree.D.districtId, tree.C1)).id;
  ids.disabled = (await buildStaff(db, tree.C1, [], { status: 'disabled' })).id;
  // Another district with its own district administrator: 翰林社区 is outside their scope.
  const otherDistrictId = uuidv7();
  await db.insert(orgUnits).values({
    id: otherDistrictId,
    districtId: otherDistrictId,
    code: `zz-other-${otherDistrictId.slice(-6)}`,
    name: '旌阳区',
    kind: 'district',
    path: `/${otherDistrictId}/`,
    depth: 0,
  });
  const [other] = await db.select().from(orgUnits).where(eq(orgUnits.id, otherDistrictId));
  const otherAdmin = await buildStaff(db, other!, [{ role: 'district_admin', unit: other! }]);
  ids.foreignStaff = (await buildStaff(db, other!)).id;
  foreignAdmin = await sessionAs(t.app, otherAdmin.id);
});
afterAll(() => t.close());

const members = () => `/api/v1/squads/${hanlinSquad}/members`;
const member = (accountId: string) => `/api/v1/squads/${hanlinSquad}/members/${accountId}`;
const patch = (c: Client, url: string, payload: unknown) => c.request({ method: 'PATCH', url, payload });

/** Audit rows of an action about squads, newest first. */
async function auditRows(action: string) {
  return t.database.db.select().from(auditLog).where(eq(auditLog.action, action)).orderBy(desc(auditLog.id));
}

async function auditCount() {
  return (await t.database.db.select({ id: auditLog.id }).from(auditLog)).length;
}

function problem(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }) {
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  return res.json() as { code: string; errors?: { field: string; code?: string }[]; state?: string };
}

const entry = (s: Squad, accountId: string) => s.members.find((m) => m.accountId === accountId);

describe('adding a squad member (POST /squads/:id/members)', () => {
  it('adds a staff account of the community with a duty, in one audited change', async () => {
    const res = await admin.post(members(), { accountId: ids.secretary, duty: 'community_cadre' });
    expect(res.statusCode, res.body).toBe(201);
    const squad = res.json() as Squad;
    expect(squad.id).toBe(hanlinSquad);
    expect(entry(squad, ids.secretary)).toMatchObject({ duty: 'community_cadre', active: true });
    const [row] = await auditRows('squad_member.add');
    expect(row).toMatchObject({ entityType: 'squad_member', orgUnitId: tree.C1.id });
    expect(row!.changes).toMatchObject({
      active: { before: null, after: true },
      duty: { before: null, after: 'community_cadre' },
    });
    expect(row!.changes._).toMatchObject({ after: { squadId: hanlinSquad, accountId: ids.secretary } });
    // GET /squads shows the new member too.
    const list = (await secretary.get('/api/v1/squads')).json() as { items: Squad[] };
    const hanlin = list.items.find((s) => s.id === hanlinSquad)!;
    expect(entry(hanlin, ids.secretary)).toMatchObject({ duty: 'community_cadre', active: true });
  });

  it('refuses the same account twice with 409 naming body/accountId, writing no audit row', async () => {
    const before = await auditCount();
    const res = await admin.post(members(), { accountId: ids.secretary, duty: 'both' });
    expect(res.statusCode).toBe(409);
    const p = problem(res);
    expect(p.code).toBe('conflict');
    expect(p.errors).toEqual([expect.objectContaining({ field: 'body/accountId', code: 'duplicate' })]);
    expect(await auditCount()).toBe(before);
  });

  it('accepts staff of the town above the community (执法队员 of the town)', async () => {
    const res = await admin.post(members(), { accountId: ids.townAdmin, duty: 'enforcement_officer' });
    expect(res.statusCode, res.body).toBe(201);
    expect(entry(res.json(), ids.townAdmin)).toMatchObject({ duty: 'enforcement_officer', active: true });
  });

  it('answers 422 naming body/accountId for residents, other communities, disabled or unknown accounts', async () => {
    const before = await auditCount();
    const cases: [string, string, string][] = [
      [ids.resident, 'staff-only', 'staff-only'],
      [ids.jiaheWorker, 'unprocessable', 'area'],
      [ids.disabled, 'unprocessable', 'disabled'],
      [uuidv7(), 'unprocessable', 'not-found'],
      [ids.foreignStaff, 'unprocessable', 'not-found'],
    ];
    for (const [accountId, code, fieldCode] of cases) {
      const res = await admin.post(members(), { accountId, duty: 'both' });
      expect(res.statusCode, `${fieldCode}: ${res.body}`).toBe(422);
      const p = problem(res);
      expect(p.code).toBe(code);
      expect(p.errors).toEqual([{ field: 'body/accountId', message: expect.any(String), code: fieldCode }]);
    }
    expect(await auditCount()).toBe(before);
  });

  it('answers 400 naming the field for a missing or unknown duty, a malformed id or an extra field', async () => {
    const bad: [unknown, string][] = [
      [{ accountId: ids.jiaheWorker }, 'body/duty'],
      [{ accountId: ids.jiaheWorker, duty: 'captain' }, 'body/duty'],
      [{ duty: 'both' }, 'body/accountId'],
      [{ accountId: 'not-a-uuid', duty: 'both' }, 'body/accountId'],
      [{ accountId: ids.jiaheWorker, duty: 'both', squadId: hanlinSquad }, 'body/squadId'],
    ];
    for (const [payload, field] of bad) {
      const res = await admin.post(members(), payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      const p = problem(res);
      expect(p.code).toBe('validation');
      expect(p.errors?.map((e) => e.field)).toContain(field);
    }
    const res = await admin.post('/api/v1/squads/nope/members', { accountId: ids.jiaheWorker, duty: 'both' });
    expect(res.statusCode).toBe(400);
    expect(problem(res).errors?.map((e) => e.field)).toContain('params/id');
  });
});

describe('changing a duty (PATCH /squads/:id/members/:accountId)', () => {
  it("changes an active member's duty, audited with before and after", async () => {
    const res = await patch(admin, member(ids.secretary), { duty: 'both' });
    expect(res.statusCode, res.body).toBe(200);
    expect(entry(res.json(), ids.secretary)).toMatchObject({ duty: 'both', active: true });
    const [row] = await auditRows('squad_member.update');
    expect(row!.changes).toMatchObject({ duty: { before: 'community_cadre', after: 'both' } });
    expect(row!.orgUnitId).toBe(tree.C1.id);
  });

  it('writes nothing when the duty is unchanged', async () => {
    const before = await auditCount();
    const res = await patch(admin, member(ids.secretary), { duty: 'both' });
    expect(res.statusCode).toBe(200);
    expect(await auditCount()).toBe(before);
  });

  it('answers 404 for someone who is not a member and 400 for a bad duty', async () => {
    const notMember = await patch(admin, member(ids.jiaheWorker), { duty: 'both' });
    expect(notMember.statusCode).toBe(404);
    expect(problem(notMember).code).toBe('not-found');
    const bad = await patch(admin, member(ids.secretary), { duty: 'chief' });
    expect(bad.statusCode).toBe(400);
    expect(problem(bad).errors?.map((e) => e.field)).toContain('body/duty');
    const empty = await patch(admin, member(ids.secretary), {});
    expect(empty.statusCode).toBe(400);
    expect(problem(empty).errors?.map((e) => e.field)).toContain('body/duty');
    const badParam = await patch(admin, `/api/v1/squads/${hanlinSquad}/members/x`, { duty: 'both' });
    expect(badParam.statusCode).toBe(400);
    expect(problem(badParam).errors?.map((e) => e.field)).toContain('params/accountId');
  });
});

describe('removing a member (DELETE /squads/:id/members/:accountId)', () => {
  it('keeps the row as inactive, audited; ends their running patrol; the removed member can no longer patrol for the squad', async () => {
    const squad3 = await loginAs(t.app, 'hanlin-squad3');
    // Out on patrol when removed: the patrol ends with the membership.
    const running = await squad3.post('/api/v1/patrols', {});
    expect(running.statusCode, running.body).toBe(201);
    const res = await admin.delete(member(ids.squad3));
    expect(res.statusCode, res.body).toBe(200);
    const ended = await admin.get(`/api/v1/patrols/${running.json().id}`);
    expect(ended.json()).toMatchObject({ status: 'ended' });
    expect(ended.json().endedAt).toBeTruthy();
    const [stopRow] = await auditRows('patrol.stop');
    expect(stopRow!.entityId).toBe(running.json().id);
    expect(entry(res.json(), ids.squad3)).toMatchObject({ duty: 'both', active: false });
    const [row] = await auditRows('squad_member.remove');
    expect(row!.changes).toMatchObject({ active: { before: true, after: false } });
    expect(row!.changes._).toMatchObject({
      after: { squadId: hanlinSquad, accountId: ids.squad3, duty: 'both' },
    });
    // No longer a member anywhere: starting a patrol is refused.
    const patrol = await squad3.post('/api/v1/patrols', {});
    expect(patrol.statusCode).toBe(403);
  });

  it('answers 404 when removing twice, and 404 for a duty change of a removed member', async () => {
    expect((await admin.delete(member(ids.squad3))).statusCode).toBe(404);
    expect((await patch(admin, member(ids.squad3), { duty: 'both' })).statusCode).toBe(404);
  });

  it('reactivates a removed member when added again, with the new duty', async () => {
    const res = await admin.post(members(), { accountId: ids.squad3, duty: 'enforcement_officer' });
    expect(res.statusCode, res.body).toBe(201);
    const squad = res.json() as Squad;
    expect(squad.members.filter((m) => m.accountId === ids.squad3)).toEqual([
      expect.objectContaining({ duty: 'enforcement_officer', active: true }),
    ]);
    const [row] = await auditRows('squad_member.add');
    expect(row!.changes).toMatchObject({
      active: { before: false, after: true },
      duty: { before: 'both', after: 'enforcement_officer' },
    });
    const squad3 = await loginAs(t.app, 'hanlin-squad3');
    const patrol = await squad3.post('/api/v1/patrols', {});
    expect(patrol.statusCode, patrol.body).toBe(201);
    await squad3.post(`/api/v1/patrols/${patrol.json().id}/stop`, {});
  });
});

describe('who sees squads (GET /squads)', () => {
  it("lists the squads of the caller's cases.read scope only, members included", async () => {
    const names = async (c: Client) =>
      ((await c.get('/api/v1/squads')).json().items as Squad[]).map((s) => s.community.name);
    expect(await names(admin)).toEqual(expect.arrayContaining(['翰林社区', '家和社区']));
    // 翰林社区 (万安镇) and 家和社区 (金山镇): neither community's staff see the other's squad.
    expect(new Set(await names(secretary))).toEqual(new Set(['翰林社区']));
    expect(new Set(await names(squadMember))).toEqual(new Set(['翰林社区']));
    expect(new Set(await names(await loginAs(t.app, 'jiahe-worker')))).toEqual(new Set(['家和社区']));
    // A town administrator of 万安镇 sees none of 金山镇's.
    expect(await names(await loginAs(t.app, 'wanan-admin'))).not.toContain('家和社区');
    const jiahe = (await admin.get('/api/v1/squads'))
      .json()
      .items.find((s: Squad) => s.community.name === '家和社区');
    const seenBySecretary = await secretary.get('/api/v1/squads');
    for (const m of jiahe.members as Squad['members'])
      expect(seenBySecretary.body).not.toContain(m.accountId);
  });
});

describe('who may manage squads', () => {
  it('needs a session (401) and squads.manage (403 for squad members)', async () => {
    const calls = (c: Client) => [
      c.post(members(), { accountId: ids.jiaheWorker, duty: 'both' }),
      patch(c, member(ids.secretary), { duty: 'community_cadre' }),
      c.delete(member(ids.secretary)),
      c.post('/api/v1/squads', { communityId: tree.C1b.id, name: '测试中队' }),
    ];
    for (const res of await Promise.all(calls(anonymous))) expect(res.statusCode).toBe(401);
    for (const res of await Promise.all(calls(squadMember))) {
      expect(res.statusCode).toBe(403);
      expect(problem(res).code).toBe('forbidden');
    }
    // Nothing changed.
    const list = (await admin.get('/api/v1/squads')).json() as { items: Squad[] };
    const hanlin = list.items.find((s) => s.id === hanlinSquad)!;
    expect(entry(hanlin, ids.secretary)).toMatchObject({ duty: 'both', active: true });
  });

  it("lets a community's secretary manage their own community's squad, and no other (404, 422)", async () => {
    const changed = await patch(secretary, member(ids.secretary), { duty: 'community_cadre' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(entry(changed.json(), ids.secretary)).toMatchObject({ duty: 'community_cadre', active: true });
    expect((await patch(secretary, member(ids.secretary), { duty: 'both' })).statusCode).toBe(200);
    const before = await auditCount();
    const seen = (await secretary.get('/api/v1/squads')).json() as { items: Squad[] };
    expect(seen.items.find((s) => s.id === hanlinSquad)!.canManage).toBe(true);
    // A member sees their squad but may not manage it; another community's squad is not listed.
    const asMember = (await squadMember.get('/api/v1/squads')).json() as { items: Squad[] };
    expect(asMember.items.find((s) => s.id === hanlinSquad)!.canManage).toBe(false);
    const all = ((await admin.get('/api/v1/squads')).json() as { items: Squad[] }).items;
    expect(all.every((s) => s.canManage)).toBe(true);
    const other = all.find((s) => s.community.id !== tree.C1.id)!;
    expect(seen.items.map((s) => s.id)).not.toContain(other.id);
    const foreign = await secretary.post(`/api/v1/squads/${other.id}/members`, {
      accountId: ids.secretary,
      duty: 'both',
    });
    expect(foreign.statusCode).toBe(404);
    const create = await secretary.post('/api/v1/squads', { communityId: tree.C1b.id, name: '越界中队' });
    expect(create.statusCode).toBe(422);
    expect(problem(create).errors).toEqual([expect.objectContaining({ field: 'body/communityId' })]);
    expect(await auditCount()).toBe(before);
  });

  it("answers 404 to an administrator of another district for this district's squad", async () => {
    const before = await auditCount();
    const add = await foreignAdmin.post(members(), { accountId: ids.jiaheWorker, duty: 'both' });
    expect(add.statusCode).toBe(404);
    expect(problem(add).code).toBe('not-found');
    expect((await patch(foreignAdmin, member(ids.secretary), { duty: 'community_cadre' })).statusCode).toBe(
      404,
    );
    expect((await foreignAdmin.delete(member(ids.secretary))).statusCode).toBe(404);
    const create = await foreignAdmin.post('/api/v1/squads', { communityId: tree.C1b.id, name: '越界中队' });
    expect(create.statusCode).toBe(422);
    expect(problem(create).errors).toEqual([expect.objectContaining({ field: 'body/communityId' })]);
    expect(await auditCount()).toBe(before);
  });

  it('answers 404 for an unknown squad', async () => {
    const res = await admin.post(`/api/v1/squads/${uuidv7()}/members`, {
      accountId: ids.jiaheWorker,
      duty: 'both',
    });
    expect(res.statusCode).toBe(404);
  });
});

describe('creating a squad (POST /squads)', () => {
  it('creates the squad of a community without one, audited, and lists it', async () => {
    const res = await admin.post('/api/v1/squads', {
      communityId: tree.C1b.id,
      name: `${tree.C1b.name}城管中队`,
    });
    expect(res.statusCode, res.body).toBe(201);
    const squad = res.json() as Squad;
    expect(squad).toMatchObject({
      name: `${tree.C1b.name}城管中队`,
      community: { id: tree.C1b.id, name: tree.C1b.name },
      members: [],
    });
    const [row] = await auditRows('squad.create');
    expect(row).toMatchObject({ entityType: 'squad', entityId: squad.id, orgUnitId: tree.C1b.id });
    const list = (await admin.get('/api/v1/squads')).json() as { items: Squad[] };
    expect(list.items.map((s) => s.id)).toContain(squad.id);
    // Members of that community can now be added to it.
    const staff = await buildStaff(t.database.db, tree.C1b);
    const added = await admin.post(`/api/v1/squads/${squad.id}/members`, {
      accountId: staff.id,
      duty: 'both',
    });
    expect(added.statusCode, added.body).toBe(201);
  });

  it('refuses member changes in a retired squad (409) and lets the community have a new one', async () => {
    const [old] = await t.database.db.select().from(squads).where(eq(squads.orgUnitId, tree.C1b.id));
    await t.database.db.update(squads).set({ status: 'retired' }).where(eq(squads.id, old!.id));
    const staff = await buildStaff(t.database.db, tree.C1b);
    const res = await admin.post(`/api/v1/squads/${old!.id}/members`, { accountId: staff.id, duty: 'both' });
    expect(res.statusCode).toBe(409);
    expect(problem(res)).toMatchObject({ code: 'conflict', state: 'retired' });
    const again = await admin.post('/api/v1/squads', { communityId: tree.C1b.id, name: '新组建中队' });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().id).not.toBe(old!.id);
  });

  it('refuses a second squad for the same community with 409', async () => {
    const res = await admin.post('/api/v1/squads', { communityId: tree.C1.id, name: '第二中队' });
    expect(res.statusCode).toBe(409);
    expect(problem(res).errors).toEqual([
      expect.objectContaining({ field: 'body/communityId', code: 'duplicate' }),
    ]);
  });

  it('refuses a town (422 org-unit-kind), an unknown unit (422) and bad names (400)', async () => {
    const town = await admin.post('/api/v1/squads', { communityId: tree.T1.id, name: '镇中队' });
    expect(town.statusCode).toBe(422);
    expect(problem(town)).toMatchObject({ code: 'org-unit-kind', errors: [{ field: 'body/communityId' }] });
    const unknown = await admin.post('/api/v1/squads', { communityId: uuidv7(), name: '无名中队' });
    expect(unknown.statusCode).toBe(422);
    expect(problem(unknown).errors).toEqual([expect.objectContaining({ field: 'body/communityId' })]);
    for (const name of ['', 'x', ' '.repeat(3), 'y'.repeat(41)]) {
      const res = await admin.post('/api/v1/squads', { communityId: tree.C2.id, name });
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(problem(res).errors?.map((e) => e.field)).toContain('body/name');
    }
    const missing = await admin.post('/api/v1/squads', { name: '中队' });
    expect(missing.statusCode).toBe(400);
    expect(problem(missing).errors?.map((e) => e.field)).toContain('body/communityId');
    // Nothing was created by the refusals: 家和社区 still has its one squad, the town none.
    const rows = await t.database.db.select().from(squads).where(eq(squads.orgUnitId, tree.C2.id));
    expect(rows).toHaveLength(1);
    expect(await t.database.db.select().from(squads).where(eq(squads.orgUnitId, tree.T1.id))).toHaveLength(0);
  });
});
