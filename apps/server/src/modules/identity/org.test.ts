import { and, desc, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, type TestApp } from '../../../test/harness';
import { auditLog } from '../../core/schema';
import { buildStaff, sampleTree, type SampleTree, sessionAs } from './fixtures';
import { orgUnits } from './schema';

let t: TestApp;
let tree: SampleTree;
let anon: Client;
let admin: Client;
let hanlin: Client;
let jiahe: Client;
/** community_secretary at 翰林社区 and community_worker at 家和社区: in scope of 家和 without org.manage. */
let mixed: Client;
/** town_admin at 万安镇 (翰林社区's town). */
let wanan: Client;

beforeAll(async () => {
  t = await buildTestApp();
  tree = await sampleTree(t.database.db);
  anon = new Client(t.app);
  admin = await loginAs(t.app, 'admin');
  hanlin = await loginAs(t.app, 'hanlin-secretary');
  jiahe = await loginAs(t.app, 'jiahe-worker');
  const m = await buildStaff(t.database.db, tree.C1, [
    { role: 'community_secretary', unit: tree.C1 },
    { role: 'community_worker', unit: tree.C2 },
  ]);
  mixed = await sessionAs(t.app, m.id);
  const w = await buildStaff(t.database.db, tree.T1, [{ role: 'town_admin', unit: tree.T1 }]);
  wanan = await sessionAs(t.app, w.id);
});
afterAll(() => t.close());

const api = (path: string) => `/api/v1${path}`;

async function lastAudit(action: string, entityId: string) {
  const [row] = await t.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.entityId, entityId)))
    .orderBy(desc(auditLog.id))
    .limit(1);
  return row;
}

async function unit(id: string) {
  const [row] = await t.database.db.select().from(orgUnits).where(eq(orgUnits.id, id));
  return row!;
}

describe('GET /org-units', () => {
  it('lists the towns publicly, sorted by sort then code, with child counts', async () => {
    const res = await anon.get(api('/org-units?kind=town'));
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { name: string; code: string; childCount: number }[];
    expect(items).toHaveLength(7);
    expect(items.map((i) => i.code)).toEqual([...items.map((i) => i.code)].sort());
    expect(items.find((i) => i.name === '万安镇')!.childCount).toBe(25);
    expect(items.find((i) => i.name === '金山镇')!.childCount).toBe(14);
  });

  it('lists the children of a unit', async () => {
    const res = await anon.get(api(`/org-units?parentId=${tree.C2.id}`));
    expect(res.json().items.map((i: { name: string }) => i.name)).toEqual([
      '第一网格',
      '第二网格',
      '第三网格',
    ]);
    expect(res.json().items.every((i: { childCount: number }) => i.childCount === 0)).toBe(true);
  });

  it('searches by name, full name and code, with LIKE wildcards taken literally', async () => {
    const byName = await anon.get(api(`/org-units?q=${encodeURIComponent('家和')}`));
    expect(byName.json().items.map((i: { name: string }) => i.name)).toContain('家和社区');
    const byFullName = await anon.get(api(`/org-units?q=${encodeURIComponent('居民委员会')}&kind=community`));
    expect(byFullName.json().items.length).toBeGreaterThan(0);
    const byCode = await anon.get(api(`/org-units?q=${tree.C2.code}`));
    const codes = byCode.json().items.map((i: { code: string }) => i.code);
    expect(codes).toEqual([tree.C2.code, `${tree.C2.code}-G1`, `${tree.C2.code}-G2`, `${tree.C2.code}-G3`]);
    const wildcard = await anon.get(api('/org-units?q=%25'));
    expect(wildcard.json().items).toEqual([]);
  });

  it('finds a unit by the pinyin or the initials of its name, as the service guide finds items', async () => {
    const names = async (q: string) =>
      (await anon.get(api(`/org-units?q=${encodeURIComponent(q)}&kind=community`)))
        .json()
        .items.map((i: { name: string }) => i.name);
    expect(await names('hanlin')).toContain('翰林社区');
    expect(await names('Han Lin')).toContain('翰林社区');
    expect(await names('hlsq')).toContain('翰林社区');
    expect(await names('jiahe')).toContain('家和社区');
    expect(await names('jiahe')).not.toContain('翰林社区');
    // a syllable boundary is kept: "anlin" is not 翰林
    expect(await names('anlin')).not.toContain('翰林社区');
  });

  it('costs one query whatever the number of units (child counts come from one grouped subquery)', async () => {
    const before = t.database.queryCount();
    const res = await anon.get(api('/org-units?limit=500'));
    expect(res.json().items.length).toBeGreaterThan(100);
    expect(t.database.queryCount() - before).toBe(1);
  });

  it('keeps to the caller’s org.read scope with scope=mine', async () => {
    const mine = await jiahe.get(api('/org-units?scope=mine'));
    const ids = mine
      .json()
      .items.map((i: { id: string }) => i.id)
      .sort();
    const expected = (
      await t.database.db
        .select()
        .from(orgUnits)
        .where(like(orgUnits.path, `${tree.C2.path}%`))
    )
      .map((u) => u.id)
      .sort();
    expect(ids).toEqual(expected);
    expect(expected).toHaveLength(4);
    expect((await anon.get(api('/org-units?scope=mine'))).json().items).toEqual([]);
  });

  it('answers 400 naming the field for a malformed query', async () => {
    const res = await anon.get(api('/org-units?parentId=nope'));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('querystring/parentId');
  });
});

describe('GET /org-units/:id', () => {
  it('gives anyone the unit with its ancestors and no abilities', async () => {
    const res = await anon.get(api(`/org-units/${tree.G2.id}`));
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.ancestors.map((a: { name: string }) => a.name)).toEqual(['罗江区', '金山镇', '家和社区']);
    expect(body.abilities).toEqual({
      create: false,
      rename: false,
      move: false,
      retire: false,
      reinstate: false,
    });
  });

  it('computes abilities from the permission table', async () => {
    const res = await admin.get(api(`/org-units/${tree.C2.id}`));
    expect(res.json().abilities).toEqual({
      create: true,
      rename: true,
      move: true,
      retire: false,
      reinstate: false,
    });
    expect(res.json().childCount).toBe(3);
    const root = await admin.get(api(`/org-units/${tree.D.id}`));
    expect(root.json().abilities).toEqual({
      create: true,
      rename: true,
      move: false,
      retire: false,
      reinstate: false,
    });
    expect(root.json().ancestors).toEqual([]);
    const grid = await hanlin.get(api(`/org-units/${tree.G1.id}`));
    expect(grid.json().abilities).toEqual({
      create: false,
      rename: true,
      move: true,
      retire: true,
      reinstate: false,
    });
    const outside = await hanlin.get(api(`/org-units/${tree.G2.id}`));
    expect(Object.values(outside.json().abilities).some(Boolean)).toBe(false);
  });

  it('answers 404 for an unknown unit and 400 for a malformed id', async () => {
    expect((await anon.get(api('/org-units/01a2a9a0-0000-7000-8000-000000000000'))).statusCode).toBe(404);
    const bad = await anon.get(api('/org-units/xyz'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params/id');
  });
});

describe('POST /org-units', () => {
  const grid = (parentId: string, code: string) => ({ parentId, name: '第九网格', code, kind: 'grid' });

  it('answers 401 without a session', async () => {
    expect((await anon.post(api('/org-units'), grid(tree.C1.id, 'T-401'))).statusCode).toBe(401);
  });

  it('answers 403 to a caller without org.manage, in scope', async () => {
    expect((await jiahe.post(api('/org-units'), grid(tree.C2.id, 'T-403'))).statusCode).toBe(403);
    // Holds org.manage elsewhere (翰林社区), only org.read over 家和社区.
    const res = await mixed.post(api('/org-units'), grid(tree.C2.id, 'T-403b'));
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('forbidden');
  });

  it('answers 404 under a parent outside the caller’s scope', async () => {
    const res = await hanlin.post(api('/org-units'), grid(tree.C2.id, 'T-404'));
    expect(res.statusCode).toBe(404);
  });

  it('answers 400 naming a missing or malformed field', async () => {
    const res = await hanlin.post(api('/org-units'), {
      parentId: tree.C1.id,
      code: 'bad code!',
      kind: 'grid',
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body/name', 'body/code']));
  });

  it('answers 422 org-unit-kind unless the kind is the next level', async () => {
    const res = await admin.post(api('/org-units'), { ...grid(tree.T1.id, 'T-422'), kind: 'grid' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('org-unit-kind');
    expect(res.json().errors[0].field).toBe('body/kind');
    const underGrid = await admin.post(api('/org-units'), grid(tree.G1.id, 'T-422b'));
    expect(underGrid.json().code).toBe('org-unit-kind');
  });

  it('answers 409 org-unit-code-taken for a used code', async () => {
    const res = await hanlin.post(api('/org-units'), grid(tree.C1.id, tree.C2.code));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('org-unit-code-taken');
    expect(res.json().errors[0].field).toBe('body/code');
  });

  it('creates a grid under the secretary’s community, with its path, and audits it', async () => {
    const res = await hanlin.post(api('/org-units'), {
      ...grid(tree.C1.id, 'HL-G4'),
      name: '第四网格',
      subtype: '网格',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: '第四网格',
      kind: 'grid',
      depth: 3,
      parentId: tree.C1.id,
      status: 'active',
    });
    expect(body.ancestors.map((a: { id: string }) => a.id)).toEqual([tree.D.id, tree.T1.id, tree.C1.id]);
    const row = await unit(body.id);
    expect(row.path).toBe(`${tree.C1.path}${body.id}/`);
    expect(row.sort).toBe(3);
    const audit = await lastAudit('org_unit.create', body.id);
    expect(audit?.orgUnitId).toBe(body.id);
    expect(audit?.changes.name).toEqual({ before: null, after: '第四网格' });
  });

  it('answers 409 org-unit-retired under a retired parent', async () => {
    const c = await admin.post(api('/org-units'), {
      parentId: tree.T2.id,
      name: '临时社区',
      code: 'TMP-RET',
      kind: 'community',
    });
    await admin.post(api(`/org-units/${c.json().id}/retire`), { reason: '撤并' });
    const res = await admin.post(api('/org-units'), grid(c.json().id, 'TMP-RET-G1'));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('org-unit-retired');
  });
});

describe('PATCH /org-units/:id', () => {
  it('renames a unit and audits before and after', async () => {
    const res = await hanlin.patch(api(`/org-units/${tree.G1b.id}`), { name: '第二网格（东）' });
    expect(res.statusCode).toBe(200);
    expect(res.json().name).toBe('第二网格（东）');
    const audit = await lastAudit('org_unit.rename', tree.G1b.id);
    expect(audit?.changes.name).toEqual({ before: '第二网格', after: '第二网格（东）' });
  });

  it('answers 401, 403, 404 and 400 as it should', async () => {
    expect((await anon.patch(api(`/org-units/${tree.G1.id}`), { name: 'x' })).statusCode).toBe(401);
    expect((await mixed.patch(api(`/org-units/${tree.G2.id}`), { name: 'x' })).statusCode).toBe(403);
    expect((await hanlin.patch(api(`/org-units/${tree.G2.id}`), { name: 'x' })).statusCode).toBe(404);
    const bad = await hanlin.patch(api(`/org-units/${tree.G1.id}`), { name: '' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body/name');
  });
});

describe('POST /org-units/:id/move', () => {
  it('moves a community with its grids to another town, rewriting every descendant path', async () => {
    const before = await t.database.db
      .select()
      .from(orgUnits)
      .where(like(orgUnits.path, `${tree.C1.path}%`));
    expect(before.length).toBeGreaterThanOrEqual(4);
    const res = await admin.post(api(`/org-units/${tree.C1.id}/move`), { parentId: tree.T2.id });
    expect(res.statusCode).toBe(200);
    expect(res.json().ancestors.map((a: { id: string }) => a.id)).toEqual([tree.D.id, tree.T2.id]);
    expect(res.json().parentId).toBe(tree.T2.id);
    const newRoot = `${tree.T2.path}${tree.C1.id}/`;
    for (const old of before) {
      const now = await unit(old.id);
      expect(now.path).toBe(newRoot + old.path.slice(tree.C1.path.length));
      expect(now.depth).toBe(old.depth);
      expect(now.parentId).toBe(old.id === tree.C1.id ? tree.T2.id : old.parentId);
    }
    expect(
      await t.database.db
        .select()
        .from(orgUnits)
        .where(like(orgUnits.path, `${tree.C1.path}%`)),
    ).toEqual([]);
    const audit = await lastAudit('org_unit.move', tree.C1.id);
    expect(audit?.changes.parentId).toEqual({ before: tree.T1.id, after: tree.T2.id });
    expect(audit?.changes._).toEqual({ before: null, after: { descendantsMoved: before.length - 1 } });
    // The secretary's grant follows the unit: it is by id, and the scope is read from the new path.
    const mine = await hanlin.get(api('/org-units?scope=mine'));
    expect(
      mine
        .json()
        .items.map((i: { id: string }) => i.id)
        .sort(),
    ).toEqual(before.map((u) => u.id).sort());
    const back = await admin.post(api(`/org-units/${tree.C1.id}/move`), { parentId: tree.T1.id });
    expect(back.statusCode).toBe(200);
    expect((await unit(tree.G1.id)).path).toBe(tree.G1.path);
  });

  it('costs the same number of statements for a subtree as for a leaf (one UPDATE)', async () => {
    const n0 = t.database.queryCount();
    await admin.post(api(`/org-units/${tree.G1b.id}/move`), { parentId: tree.C1b.id });
    const leaf = t.database.queryCount() - n0;
    const n1 = t.database.queryCount();
    await admin.post(api(`/org-units/${tree.C1.id}/move`), { parentId: tree.T2.id });
    const subtree = t.database.queryCount() - n1;
    expect(subtree).toBe(leaf);
    await admin.post(api(`/org-units/${tree.C1.id}/move`), { parentId: tree.T1.id });
    await admin.post(api(`/org-units/${tree.G1b.id}/move`), { parentId: tree.C1.id });
    expect((await unit(tree.G1b.id)).path).toBe(tree.G1b.path);
  });

  it('refuses cycles with 422 org-unit-cycle', async () => {
    for (const parentId of [tree.C1.id, tree.G1.id]) {
      const res = await admin.post(api(`/org-units/${tree.C1.id}/move`), { parentId });
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('org-unit-cycle');
    }
    const town = await admin.post(api(`/org-units/${tree.T1.id}/move`), { parentId: tree.C1.id });
    expect(town.json().code).toBe('org-unit-cycle');
  });

  it('refuses a parent of the wrong level with 422 org-unit-kind', async () => {
    const res = await admin.post(api(`/org-units/${tree.G1.id}/move`), { parentId: tree.T2.id });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('org-unit-kind');
    expect(res.json().errors[0].field).toBe('body/parentId');
  });

  it('answers 400 naming body/parentId and 409 org-unit-retired under a retired parent', async () => {
    const bad = await admin.post(api(`/org-units/${tree.G1.id}/move`), {});
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body/parentId');
    const c = await admin.post(api('/org-units'), {
      parentId: tree.T1.id,
      name: '待撤社区',
      code: 'TMP-MV',
      kind: 'community',
    });
    await admin.post(api(`/org-units/${c.json().id}/retire`), { reason: '撤并' });
    const res = await admin.post(api(`/org-units/${tree.G1.id}/move`), { parentId: c.json().id });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('org-unit-retired');
    expect((await unit(tree.G1.id)).path).toBe(tree.G1.path);
  });

  it('never moves the district root', async () => {
    const res = await admin.post(api(`/org-units/${tree.D.id}/move`), { parentId: tree.T1.id });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('org-unit-root');
  });

  it('needs org.manage over the unit and over the new parent', async () => {
    expect(
      (await anon.post(api(`/org-units/${tree.G1.id}/move`), { parentId: tree.C1b.id })).statusCode,
    ).toBe(401);
    expect(
      (await jiahe.post(api(`/org-units/${tree.G2.id}/move`), { parentId: tree.C2.id })).statusCode,
    ).toBe(403);
    // The secretary manages G1 but not 家和社区 (outside) nor 万安镇's other community.
    expect(
      (await hanlin.post(api(`/org-units/${tree.G1.id}/move`), { parentId: tree.C2.id })).statusCode,
    ).toBe(404);
    expect(
      (await hanlin.post(api(`/org-units/${tree.G2.id}/move`), { parentId: tree.C1.id })).statusCode,
    ).toBe(404);
    // In scope of 家和社区 (as a worker) without org.manage there.
    expect(
      (await mixed.post(api(`/org-units/${tree.G1.id}/move`), { parentId: tree.C2.id })).statusCode,
    ).toBe(403);
    // The town admin of 万安镇 manages both ends.
    const ok = await wanan.post(api(`/org-units/${tree.G1.id}/move`), { parentId: tree.C1b.id });
    expect(ok.statusCode).toBe(200);
    await wanan.post(api(`/org-units/${tree.G1.id}/move`), { parentId: tree.C1.id });
    expect((await unit(tree.G1.id)).path).toBe(tree.G1.path);
  });
});

describe('retire and reinstate', () => {
  it('refuses to retire a unit with active children, saying how many', async () => {
    const res = await admin.post(api(`/org-units/${tree.C2.id}/retire`), { reason: '测试撤销' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'org-unit-has-children', activeChildren: 3 });
    expect(res.json().detail).toContain('3');
  });

  it('never retires the district root', async () => {
    const res = await admin.post(api(`/org-units/${tree.D.id}/retire`), { reason: '测试撤销' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('org-unit-root');
  });

  it('answers 400 without a reason, 401/403/404 to the wrong callers', async () => {
    const bad = await admin.post(api(`/org-units/${tree.G2.id}/retire`), {});
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('body/reason');
    expect((await anon.post(api(`/org-units/${tree.G2.id}/retire`), { reason: '撤销' })).statusCode).toBe(
      401,
    );
    expect((await mixed.post(api(`/org-units/${tree.G2.id}/retire`), { reason: '撤销' })).statusCode).toBe(
      403,
    );
    expect((await hanlin.post(api(`/org-units/${tree.G2.id}/retire`), { reason: '撤销' })).statusCode).toBe(
      404,
    );
  });

  it('retires a grid (kept, not deleted), hides it from the public list, and reinstates it', async () => {
    const res = await admin.post(api(`/org-units/${tree.G2.id}/retire`), { reason: '网格调整' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'retired', abilities: { reinstate: true, retire: false } });
    expect(res.json().retiredAt).toBeTruthy();
    const row = await unit(tree.G2.id);
    expect(row).toMatchObject({ status: 'retired', retiredReason: '网格调整' });
    expect((await lastAudit('org_unit.retire', tree.G2.id))?.changes.status).toEqual({
      before: 'active',
      after: 'retired',
    });
    const again = await admin.post(api(`/org-units/${tree.G2.id}/retire`), { reason: '网格调整' });
    expect(again.json().code).toBe('invalid-transition');

    // Retired units: only for callers holding org.read over them, and only when asked.
    const ids = (r: { json(): { items: { id: string }[] } }) => r.json().items.map((i) => i.id);
    expect(ids(await anon.get(api(`/org-units?parentId=${tree.C2.id}&includeRetired=true`)))).not.toContain(
      tree.G2.id,
    );
    expect(ids(await jiahe.get(api(`/org-units?parentId=${tree.C2.id}`)))).not.toContain(tree.G2.id);
    expect(ids(await jiahe.get(api(`/org-units?parentId=${tree.C2.id}&includeRetired=true`)))).toContain(
      tree.G2.id,
    );
    expect(ids(await hanlin.get(api(`/org-units?parentId=${tree.C2.id}&includeRetired=true`)))).not.toContain(
      tree.G2.id,
    );
    const counts = async (c: Client) =>
      (await c.get(api(`/org-units?parentId=${tree.T2.id}&includeRetired=true&q=${tree.C2.code}`))).json()
        .items[0].childCount;
    expect(await counts(anon)).toBe(2);
    expect(await counts(jiahe)).toBe(3);

    const back = await admin.post(api(`/org-units/${tree.G2.id}/reinstate`));
    expect(back.statusCode).toBe(200);
    expect(back.json().status).toBe('active');
    expect((await unit(tree.G2.id)).retiredReason).toBeNull();
    expect((await lastAudit('org_unit.reinstate', tree.G2.id))?.changes.status).toEqual({
      before: 'retired',
      after: 'active',
    });
    const twice = await admin.post(api(`/org-units/${tree.G2.id}/reinstate`));
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('invalid-transition');
  });

  it('reinstates a unit only while its parent is active', async () => {
    const c = await admin.post(api('/org-units'), {
      parentId: tree.T2.id,
      name: '试点社区',
      code: 'TMP-C',
      kind: 'community',
    });
    const g = await admin.post(api('/org-units'), {
      parentId: c.json().id,
      name: '试点网格',
      code: 'TMP-C-G',
      kind: 'grid',
    });
    expect(
      (await admin.post(api(`/org-units/${g.json().id}/retire`), { reason: '撤销网格' })).statusCode,
    ).toBe(200);
    expect(
      (await admin.post(api(`/org-units/${c.json().id}/retire`), { reason: '撤销社区' })).statusCode,
    ).toBe(200);
    const refused = await admin.post(api(`/org-units/${g.json().id}/reinstate`));
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('org-unit-retired');
    const detail = await admin.get(api(`/org-units/${g.json().id}`));
    expect(detail.json().abilities.reinstate).toBe(false);
    expect((await admin.post(api(`/org-units/${c.json().id}/reinstate`))).statusCode).toBe(200);
    expect((await admin.post(api(`/org-units/${g.json().id}/reinstate`))).statusCode).toBe(200);
  });

  it('answers 401, 403 and 404 on reinstate to the wrong callers', async () => {
    expect((await anon.post(api(`/org-units/${tree.G2.id}/reinstate`))).statusCode).toBe(401);
    expect((await mixed.post(api(`/org-units/${tree.G2.id}/reinstate`))).statusCode).toBe(403);
    expect((await hanlin.post(api(`/org-units/${tree.G2.id}/reinstate`))).statusCode).toBe(404);
  });
});
