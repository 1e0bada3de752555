import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, type TestApp } from '../../../test/harness';
import { writeAudit } from '../../core/audit';
import { enforceAuditCatalogue, mergeAuditCatalogue } from '../../core/audit-catalogue';
import { systemContext } from '../../core/context';
import { auditLog } from '../../core/schema';
import { buildStaff, sampleTree, type SampleTree, sessionAs } from './fixtures';
import { accounts, orgUnits } from './schema';

let t: TestApp;
let tree: SampleTree;
let anon: Client;
let admin: Client;
let hanlin: Client;
let jiahe: Client;
/** grid_worker at 翰林社区 (in scope, no audit.read) + community_secretary at 家和社区. */
let gridSecretary: Client;
let adminId: string;
/** Entries made for these tests: one in each community, one without an org unit. */
const entry: Record<'hanlin' | 'jiahe' | 'unowned', number> = { hanlin: 0, jiahe: 0, unowned: 0 };

const api = (path: string) => `/api/v1${path}`;
type Item = {
  id: string;
  action: string;
  orgUnit: { id: string } | null;
  actor: { displayName: string } | null;
};

async function seedEntry(action: string, orgUnitId: string | null, entityId = 'x') {
  await t.database.db.transaction(async (tx) => {
    await writeAudit(tx, systemContext(tree.D.id), { action, entityType: 'test', entityId, orgUnitId });
  });
  const [row] = await t.database.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  return row!.id;
}

// This file's own audit rows, declared like a module's (writeAudit refuses undeclared codes under test).
const label = (en: string) => ({ 'zh-CN': `测试：${en}`, en });
enforceAuditCatalogue(
  mergeAuditCatalogue([
    {
      owner: 'identity/audit.test.ts',
      audit: {
        actions: {
          'test.hanlin': label('hanlin'),
          'test.jiahe': label('jiahe'),
          'test.unowned': label('unowned'),
        },
        entityTypes: { test: label('test') },
      },
    },
  ]),
);

beforeAll(async () => {
  t = await buildTestApp();
  tree = await sampleTree(t.database.db);
  anon = new Client(t.app);
  admin = await loginAs(t.app, 'admin');
  hanlin = await loginAs(t.app, 'hanlin-secretary');
  jiahe = await loginAs(t.app, 'jiahe-worker');
  const gs = await buildStaff(t.database.db, tree.C2, [
    { role: 'grid_worker', unit: tree.C1 },
    { role: 'community_secretary', unit: tree.C2 },
  ]);
  gridSecretary = await sessionAs(t.app, gs.id);
  const [a] = await t.database.db.select().from(accounts).where(eq(accounts.username, 'admin'));
  adminId = a!.id;
  entry.hanlin = await seedEntry('test.hanlin', tree.G1.id);
  entry.jiahe = await seedEntry('test.jiahe', tree.C2.id);
  entry.unowned = await seedEntry('test.unowned', null);
});
afterAll(() => t.close());

/** Every entry the client can list, walking all pages. */
async function listAll(c: Client, query = '') {
  const items: Item[] = [];
  let cursor: string | null = null;
  do {
    const res = await c.get(api(`/audit?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`));
    expect(res.statusCode).toBe(200);
    items.push(...res.json().items);
    cursor = res.json().nextCursor;
  } while (cursor);
  return items;
}

describe('GET /audit', () => {
  it('answers 401 without a session and 403 without audit.read', async () => {
    expect((await anon.get(api('/audit'))).statusCode).toBe(401);
    expect((await jiahe.get(api('/audit'))).statusCode).toBe(403);
  });

  it('keeps to the caller’s audit.read scope; entries without a unit only at the district root', async () => {
    const mine = await listAll(hanlin);
    const units = await t.database.db.select().from(orgUnits);
    const inHanlin = new Set(units.filter((u) => u.path.startsWith(tree.C1.path)).map((u) => u.id));
    expect(mine.length).toBeGreaterThan(0);
    for (const i of mine) expect(inHanlin.has(i.orgUnit?.id ?? 'none')).toBe(true);
    expect(mine.map((i) => i.id)).toContain(String(entry.hanlin));
    expect(mine.map((i) => i.id)).not.toContain(String(entry.jiahe));
    expect(mine.map((i) => i.id)).not.toContain(String(entry.unowned));

    const everything = await listAll(admin);
    const total = await t.database.db.select({ id: auditLog.id }).from(auditLog);
    expect(everything.map((i) => i.id).sort()).toEqual(total.map((r) => String(r.id)).sort());
    expect(everything.map((i) => i.id)).toContain(String(entry.unowned));
  });

  it('joins the actor’s display name', async () => {
    await admin.patch(api(`/org-units/${tree.G1.id}`), { name: '第一网格（北）' });
    const res = await admin.get(api(`/audit?action=org_unit.rename&entityId=${tree.G1.id}`));
    const [item] = res.json().items;
    expect(item).toMatchObject({
      action: 'org_unit.rename',
      entityType: 'org_unit',
      actor: { id: adminId, displayName: '区级管理员' },
      orgUnit: { id: tree.G1.id, name: '第一网格（北）' },
      changes: { name: { before: '第一网格', after: '第一网格（北）' } },
    });
  });

  it('filters by entity, actor, action, org subtree and time', async () => {
    const ids = async (q: string) => (await listAll(admin, q)).map((i) => i.id);
    expect(await ids('&entityType=test')).toEqual([entry.unowned, entry.jiahe, entry.hanlin].map(String));
    expect(await ids('&action=test.jiahe')).toEqual([String(entry.jiahe)]);
    expect(await ids(`&orgUnitId=${tree.T1.id}&entityType=test`)).toEqual([String(entry.hanlin)]);
    const byAdmin = await listAll(admin, `&actorId=${adminId}`);
    expect(byAdmin.length).toBeGreaterThan(0);
    for (const i of byAdmin) expect(i.actor?.displayName).toBe('区级管理员');
    const [hanlinRow] = await t.database.db.select().from(auditLog).where(eq(auditLog.id, entry.hanlin));
    const at = hanlinRow!.at.toISOString();
    expect(await ids(`&entityType=test&from=${encodeURIComponent(at)}&to=${encodeURIComponent(at)}`)).toEqual(
      [],
    );
    const later = new Date(hanlinRow!.at.getTime() + 1).toISOString();
    expect(
      await ids(`&action=test.hanlin&from=${encodeURIComponent(at)}&to=${encodeURIComponent(later)}`),
    ).toEqual([String(entry.hanlin)]);
  });

  it('pages by id, newest first, with no gaps or repeats', async () => {
    const all = (await listAll(admin)).map((i) => Number(i.id));
    expect(all).toEqual([...all].sort((a, b) => b - a));
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin.get(api(`/audit?limit=4${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...res.json().items.map((i: Item) => Number(i.id)));
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('answers 400 naming the field for a bad cursor or time', async () => {
    for (const [q, field] of [
      ['cursor=abc', 'querystring/cursor'],
      ['from=yesterday', 'querystring/from'],
      ['actorId=me', 'querystring/actorId'],
    ]) {
      const res = await admin.get(api(`/audit?${q}`));
      expect(res.statusCode, q).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('costs a bounded number of queries whatever the page size (names joined in the same query)', async () => {
    for (let i = 0; i < 60; i++) await admin.patch(api(`/org-units/${tree.G2.id}`), { name: `第一网格${i}` });
    await admin.get(api('/audit?limit=1'));
    const cost = async (limit: number) => {
      const before = t.database.queryCount();
      const res = await admin.get(api(`/audit?limit=${limit}`));
      expect(res.json().items).toHaveLength(limit);
      return t.database.queryCount() - before;
    };
    const small = await cost(5);
    const large = await cost(50);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(4);
  });
});

describe('GET /audit/:id', () => {
  it('returns an entry in scope and 404 outside it', async () => {
    const ok = await hanlin.get(api(`/audit/${entry.hanlin}`));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      id: String(entry.hanlin),
      action: 'test.hanlin',
      orgUnit: { id: tree.G1.id },
    });
    expect((await hanlin.get(api(`/audit/${entry.jiahe}`))).statusCode).toBe(404);
    expect((await hanlin.get(api(`/audit/${entry.unowned}`))).statusCode).toBe(404);
    expect((await admin.get(api(`/audit/${entry.unowned}`))).statusCode).toBe(200);
    expect((await admin.get(api('/audit/999999999'))).statusCode).toBe(404);
  });

  it('answers 401, 403 in scope without audit.read, and 400 for a malformed id', async () => {
    expect((await anon.get(api(`/audit/${entry.hanlin}`))).statusCode).toBe(401);
    expect((await jiahe.get(api(`/audit/${entry.jiahe}`))).statusCode).toBe(403);
    expect((await gridSecretary.get(api(`/audit/${entry.hanlin}`))).statusCode).toBe(403);
    expect((await gridSecretary.get(api(`/audit/${entry.jiahe}`))).statusCode).toBe(200);
    const bad = await admin.get(api('/audit/abc'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params/id');
  });
});
