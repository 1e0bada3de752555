import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildTestApp, loginAs, openTestDatabase } from '../../test/harness';
import { testConfig } from '../../test/config';
import { startThrowawayPostgres } from '../../test/postgres-server';
import { prepareDatabase } from '../boot';
import { FakeClock } from './clock';
import { systemContext } from './context';
import { type Database, openDatabase } from './db/client';
import { runMigrations } from './db/migrate';
import {
  AUDIT_LINK_EVERY_MS,
  AUDIT_LINK_KEEP_DONE,
  canonicalJson,
  diff,
  GENESIS_HASH,
  hashRow,
  linkAuditChain,
  verifyAuditChain,
  writeAudit,
  writeAuditBatch,
} from './audit';
import { enforceAuditCatalogue, mergeAuditCatalogue } from './audit-catalogue';
import { auditLog } from './schema';

// This file's own audit rows, declared like a module's (writeAudit refuses undeclared codes under test).
const label = (en: string) => ({ 'zh-CN': `测试：${en}`, en });
enforceAuditCatalogue(
  mergeAuditCatalogue([
    {
      owner: 'core/audit.test.ts',
      audit: {
        actions: Object.fromEntries(
          ['test.write', 'test.late', 'test.bulk', 'test.a', 'test.b'].map((a) => [a, label(a)]),
        ),
        entityTypes: { thing: label('thing') },
        fields: { name: label('name'), phone: label('phone') },
      },
    },
  ]),
);

const run = promisify(execFile);
let database: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ database, drop } = await openTestDatabase());
});
afterAll(() => drop());

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];

async function query<T>(db: Database, text: string): Promise<T[]> {
  return rowsOf<T>(await db.db.execute(sql.raw(text)));
}

/** Appends n audit rows, each in its own transaction as a request would; answers their ids. */
async function append(n: number, db: Database = database, districtId: string | null = null) {
  for (let i = 0; i < n; i++) {
    await db.db.transaction((tx) =>
      writeAudit(tx, systemContext(districtId), {
        action: 'test.write',
        entityType: 'thing',
        entityId: String(i),
        before: { name: `old ${i}` },
        after: { name: `new ${i}`, phone: '13912345678' },
      }),
    );
  }
  const rows = await query<{ id: string }>(db, `SELECT id FROM audit_log ORDER BY id DESC LIMIT ${n}`);
  return rows.map((r) => Number(r.id)).reverse();
}

/** Runs SQL with the append-only trigger off: what someone with the database's superuser could do. */
async function behindTheBack(db: Database, statements: string) {
  await db.exec(`ALTER TABLE audit_log DISABLE TRIGGER USER;
    ${statements};
    ALTER TABLE audit_log ENABLE TRIGGER USER;`);
}

const linkOf = async (db: Database, id: number) =>
  (
    await db.db
      .select({ linkSeq: auditLog.linkSeq, prevHash: auditLog.prevHash, hash: auditLog.hash })
      .from(auditLog)
      .where(eq(auditLog.id, id))
  )[0]!;

describe('audit diff', () => {
  it('keeps only changed fields and masks personal data', () => {
    expect(
      diff(
        { name: 'a', phone: '13800001111', passwordHash: 'x', same: 1, updatedAt: new Date(0) },
        { name: 'b', phone: '13900002222', passwordHash: 'y', same: 1, updatedAt: new Date(1) },
      ),
    ).toEqual({
      name: { before: 'a', after: 'b' },
      passwordHash: { before: '[redacted]', after: '[redacted]' },
      phone: { before: '138****1111', after: '139****2222' },
    });
  });

  it('serialises objects canonically whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [2, { e: 0, f: 1 }] }, b: 1 }),
    );
  });
});

describe('audit chain', () => {
  it('appends unlinked, then the linker links every row and the chain verifies', async () => {
    const ids = await append(5);
    for (const id of ids)
      expect(await linkOf(database, id)).toEqual({ linkSeq: null, prevHash: null, hash: null });
    const before = await verifyAuditChain(database.db, 2);
    expect(before.ok).toBe(true);
    expect(before.unlinked.reduce((n, u) => n + u.rows, 0)).toBeGreaterThanOrEqual(5);
    // A run stops after its budget (whole batches) and says there is more …
    expect(await linkAuditChain(database.db, { batch: 2, maxRows: 3 })).toEqual({ linked: 4, more: true });
    // … and batches of 3: the rows of one batch and the next continue one chain.
    const { linked } = await linkAuditChain(database.db, { batch: 3 });
    expect(linked).toBeGreaterThanOrEqual(1);
    const [total] = await query<{ n: number }>(database, 'SELECT count(*)::int AS n FROM audit_log');
    const report = await verifyAuditChain(database.db, 2);
    expect(report).toMatchObject({ ok: true, checked: total!.n, earlier: 0, unlinked: [], firstBad: null });
    // Each row links to the previous row of its district.
    const [a, b] = [await linkOf(database, ids[3]!), await linkOf(database, ids[4]!)];
    expect(b.linkSeq).toBe(a.linkSeq! + 1);
    expect(b.prevHash).toBe(a.hash);
    expect(await linkAuditChain(database.db)).toEqual({ linked: 0, more: false });
  });

  it('keeps one chain per district, each starting at the genesis hash', async () => {
    const district = (
      await query<{ id: string }>(
        database,
        "SELECT id FROM org_units WHERE kind = 'district' ORDER BY code LIMIT 1",
      )
    )[0]!.id;
    const [x] = await append(1, database, district);
    const [y] = await append(1, database, null);
    const [z] = await append(1, database, district);
    await linkAuditChain(database.db);
    const [lx, ly, lz] = [await linkOf(database, x!), await linkOf(database, y!), await linkOf(database, z!)];
    expect(lz.prevHash).toBe(lx.hash);
    expect(ly.prevHash).not.toBe(lx.hash);
    const report = await verifyAuditChain(database.db);
    expect(report.ok).toBe(true);
    expect(report.heads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ districtId: district, linkSeq: lz.linkSeq, hash: lz.hash }),
        expect.objectContaining({ districtId: null, linkSeq: ly.linkSeq, hash: ly.hash }),
      ]),
    );
    const genesis = await query<{ district_id: string | null; prev_hash: string }>(
      database,
      'SELECT DISTINCT ON (district_id) district_id, prev_hash FROM audit_log WHERE link_seq IS NOT NULL ORDER BY district_id, link_seq',
    );
    for (const g of genesis) expect(g.prev_hash).toBe('0'.repeat(64));
  });

  it('appends a row that commits after higher ids were linked behind them (PGlite: one connection)', async () => {
    // A transaction that took its id first and committed last: its id is reserved now, the row
    // arrives after later ids were linked.
    const late = (
      await query<{ id: string }>(database, "SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) AS id")
    )[0]!.id;
    const ids = await append(2);
    await linkAuditChain(database.db);
    await database.db.insert(auditLog).values({
      id: Number(late),
      at: new Date(),
      action: 'test.late',
      entityType: 'thing',
      entityId: 'late',
      changes: {},
    });
    await linkAuditChain(database.db);
    const lateLink = await linkOf(database, Number(late));
    const last = await linkOf(database, ids[1]!);
    expect(Number(late)).toBeLessThan(ids[1]!);
    expect(lateLink.linkSeq).toBe(last.linkSeq! + 1);
    expect(lateLink.prevHash).toBe(last.hash);
    expect(await verifyAuditChain(database.db, 3)).toMatchObject({ ok: true, unlinked: [] });
  });

  it('links a bulk batch in the order given, after its transaction commits', async () => {
    const at = (m: number) => new Date(Date.UTC(2026, 0, 1, 0, m));
    const entries = [1, 2, 3].map((m) => ({
      action: 'test.bulk',
      entityType: 'thing',
      entityId: `b${m}`,
      at: at(m),
      actorId: null,
      note: { m },
    }));
    await database.db.transaction((tx) => writeAuditBatch(tx, entries, 'test-batch'));
    await linkAuditChain(database.db);
    const rows = await database.db
      .select({ entityId: auditLog.entityId, linkSeq: auditLog.linkSeq })
      .from(auditLog)
      .where(eq(auditLog.requestId, 'test-batch'))
      .orderBy(auditLog.linkSeq);
    expect(rows.map((r) => r.entityId)).toEqual(['b1', 'b2', 'b3']);
    expect(rows[2]!.linkSeq! - rows[0]!.linkSeq!).toBe(2);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });

  it('refuses UPDATE and DELETE from the application, but for linking an unlinked row once', async () => {
    await expect(database.exec("UPDATE audit_log SET action = 'x'")).rejects.toThrow(/append-only/);
    await expect(database.exec('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(database.exec('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    const [linked] = await query<{ id: string }>(
      database,
      'SELECT id FROM audit_log WHERE hash IS NOT NULL LIMIT 1',
    );
    // A linked row cannot be linked again (re-hashed) …
    await expect(
      database.exec(
        `UPDATE audit_log SET hash = 'f', prev_hash = 'f', link_seq = -1 WHERE id = ${linked!.id}`,
      ),
    ).rejects.toThrow(/append-only/);
    // … and linking cannot change anything else about a row.
    const [id] = await append(1);
    await expect(
      database.exec(
        `UPDATE audit_log SET hash = 'f', prev_hash = 'f', link_seq = -1, action = 'forged' WHERE id = ${id}`,
      ),
    ).rejects.toThrow(/append-only/);
    await expect(database.exec(`UPDATE audit_log SET action = 'forged' WHERE id = ${id}`)).rejects.toThrow(
      /append-only/,
    );
    await linkAuditChain(database.db);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });
});

describe('tampering with the linked chain', () => {
  let t: { database: Database; drop(): Promise<void> };
  let ids: number[];

  beforeAll(async () => {
    t = await openTestDatabase();
    await append(6, t.database);
    await linkAuditChain(t.database.db);
    ids = (await query<{ id: string }>(t.database, 'SELECT id FROM audit_log ORDER BY link_seq')).map((r) =>
      Number(r.id),
    );
    expect(ids.length).toBeGreaterThanOrEqual(6);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });
  afterAll(() => t.drop());

  /** Tampers, verifies, and puts the rows back (from a copy taken first) for the next test. */
  async function tampered(statements: string) {
    await t.database.exec('CREATE TEMP TABLE saved AS SELECT * FROM audit_log');
    try {
      await behindTheBack(t.database, statements);
      return await verifyAuditChain(t.database.db, 4);
    } finally {
      await behindTheBack(t.database, 'DELETE FROM audit_log; INSERT INTO audit_log SELECT * FROM saved');
      await t.database.exec('DROP TABLE saved');
      expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
    }
  }

  it('names a row whose content was changed', async () => {
    const victim = ids[Math.floor(ids.length / 2)]!;
    const report = await tampered(
      `UPDATE audit_log SET changes = '{"name":{"before":"old","after":"forged"}}' WHERE id = ${victim}`,
    );
    expect(report.ok).toBe(false);
    expect(report.firstBad).toEqual({ id: victim, reason: expect.stringMatching(/changed/) });
  });

  it('names the row after a removed one', async () => {
    const report = await tampered(`DELETE FROM audit_log WHERE id = ${ids[1]}`);
    expect(report.firstBad).toEqual({ id: ids[2], reason: expect.stringMatching(/removed or reordered/) });
  });

  it('names a row whose predecessor was removed, even when the link positions are closed up', async () => {
    const report = await tampered(
      `DELETE FROM audit_log WHERE id = ${ids[1]};
       UPDATE audit_log SET link_seq = 1 - link_seq WHERE link_seq > (SELECT link_seq FROM saved WHERE id = ${ids[1]});
       UPDATE audit_log SET link_seq = -link_seq WHERE link_seq < 0`,
    );
    expect(report.firstBad).toEqual({ id: ids[2], reason: expect.stringMatching(/removed or reordered/) });
  });

  it('names a chain whose newest linked rows were removed, by the head the linker recorded', async () => {
    const report = await tampered(`DELETE FROM audit_log WHERE id IN (${ids.at(-1)}, ${ids.at(-2)})`);
    expect(report.firstBad).toEqual({
      id: ids.at(-3),
      reason: expect.stringMatching(/newest rows were removed/),
    });
  });

  it('names rows put in another order', async () => {
    const [a, b] = [ids[2]!, ids[3]!];
    const report = await tampered(`UPDATE audit_log SET link_seq = -link_seq WHERE id IN (${a}, ${b});
      UPDATE audit_log SET link_seq = CASE id WHEN ${a} THEN (SELECT link_seq FROM saved WHERE id = ${b})
        ELSE (SELECT link_seq FROM saved WHERE id = ${a}) END WHERE id IN (${a}, ${b})`);
    expect(report.firstBad).toEqual({ id: b, reason: expect.stringMatching(/removed or reordered/) });
  });

  it('names a row whose id was swapped with another’s', async () => {
    const [a, b] = [ids[2]!, ids[3]!];
    const report = await tampered(`UPDATE audit_log SET id = -id WHERE id IN (${a}, ${b});
      UPDATE audit_log SET id = CASE id WHEN ${-a} THEN ${b} ELSE ${a} END WHERE id IN (${-a}, ${-b})`);
    expect(report.ok).toBe(false);
    expect(report.firstBad?.reason).toMatch(/changed/);
  });

  it('names a linked row made to look unlinked', async () => {
    const report = await tampered(
      `UPDATE audit_log SET link_seq = NULL, prev_hash = NULL, hash = NULL WHERE id = ${ids[2]}`,
    );
    expect(report.firstBad).toEqual({ id: ids[3], reason: expect.stringMatching(/removed or reordered/) });
  });

  it('keeps verifying a chain written before the linker, which new rows continue', async () => {
    const fresh = await openTestDatabase();
    try {
      // The earlier chain: rows linked in id order by the old writer (no link position in the hash).
      await append(3, fresh.database);
      const rows = await fresh.database.db.select().from(auditLog).orderBy(auditLog.id);
      let prev = GENESIS_HASH;
      const updates: string[] = [];
      for (const r of rows) {
        const hash = hashRow({ ...r, linkSeq: null, prevHash: prev });
        updates.push(`UPDATE audit_log SET prev_hash = '${prev}', hash = '${hash}' WHERE id = ${r.id}`);
        prev = hash;
      }
      await behindTheBack(fresh.database, updates.join(';\n'));
      const [next] = await append(1, fresh.database);
      await linkAuditChain(fresh.database.db);
      expect((await linkOf(fresh.database, next!)).prevHash).toBe(prev);
      const report = await verifyAuditChain(fresh.database.db, 2);
      expect(report).toMatchObject({ ok: true, earlier: rows.length, checked: rows.length + 1 });
      // Removing the earlier chain's newest row breaks the first link after it.
      await behindTheBack(fresh.database, `DELETE FROM audit_log WHERE id = ${rows.at(-1)!.id}`);
      const broken = await verifyAuditChain(fresh.database.db, 2);
      expect(broken.firstBad).toEqual({ id: next, reason: expect.stringMatching(/removed or reordered/) });
    } finally {
      await fresh.drop();
    }
  });
});

describe('two transactions interleaved on PostgreSQL', () => {
  let pg: Database;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    if (inject('pgTemplateUrl')) {
      const copy = await openTestDatabase();
      pg = copy.database;
      cleanup = copy.drop;
    } else {
      const server = await startThrowawayPostgres();
      pg = await openDatabase({ databaseUrl: server.url, dataDir: '', databaseInMemory: false });
      await runMigrations(pg);
      cleanup = async () => {
        await pg.close();
        await server.stop();
      };
    }
  }, 120_000);
  afterAll(() => cleanup?.());

  it('links in commit order: a lower id that commits later is linked after, and neither waits', async () => {
    let release: () => void = () => {};
    let written: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const aWritten = new Promise<void>((r) => (written = r));
    // A: writes its audit row (the lower id) and stays open.
    const a = pg.db.transaction(async (tx) => {
      await writeAudit(tx, systemContext(), { action: 'test.a', entityType: 'thing', entityId: 'a' });
      written();
      await held;
    });
    await aWritten;
    // B: writes and commits while A is open; with a lock it would wait for A's commit.
    await pg.db.transaction((tx) =>
      writeAudit(tx, systemContext(), { action: 'test.b', entityType: 'thing', entityId: 'b' }),
    );
    const id = async (action: string) =>
      Number(
        (await pg.db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.action, action)))[0]!.id,
      );
    const idB = await id('test.b');
    // The linker sees B (committed), not A (open).
    await linkAuditChain(pg.db);
    expect((await linkOf(pg, idB)).hash).not.toBeNull();
    expect((await verifyAuditChain(pg.db)).unlinked).toEqual([]);
    release();
    await a;
    const idA = await id('test.a');
    expect(idA).toBeLessThan(idB);
    expect((await linkOf(pg, idA)).linkSeq).toBeNull();
    await linkAuditChain(pg.db);
    const [la, lb] = [await linkOf(pg, idA), await linkOf(pg, idB)];
    expect(la.linkSeq).toBe(lb.linkSeq! + 1);
    expect(la.prevHash).toBe(lb.hash);
    expect(await verifyAuditChain(pg.db)).toMatchObject({ ok: true, unlinked: [] });
  });

  it('two linkers at once link each row once', async () => {
    await append(40, pg);
    const [x, y] = await Promise.all([
      linkAuditChain(pg.db, { batch: 7 }),
      linkAuditChain(pg.db, { batch: 7 }),
    ]);
    expect(x.linked + y.linked).toBe(40);
    expect(await verifyAuditChain(pg.db)).toMatchObject({ ok: true, unlinked: [] });
  });
});

describe('core.linkAudit on the job runner', () => {
  it('links a request’s audit row at the next slot, and keeps only its newest done runs', async () => {
    const clock = new FakeClock(new Date('2026-11-27T02:00:00.500Z'));
    const t = await buildTestApp({}, { clock });
    try {
      // The first slot links what the seed wrote.
      expect((await t.app.jobs.runDue()).filter((r) => r.name === 'core.linkAudit')).toMatchObject([
        { state: 'done' },
      ]);
      // A request: signing in is audited, in the request's transaction, unlinked.
      await loginAs(t.app, 'admin');
      const [row] = await t.database.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.action, 'auth.sign_in'))
        .orderBy(desc(auditLog.id))
        .limit(1);
      expect(row).toMatchObject({ linkSeq: null, prevHash: null, hash: null });
      // Same slot: nothing runs again.
      expect((await t.app.jobs.runDue()).filter((r) => r.name === 'core.linkAudit')).toEqual([]);
      expect((await linkOf(t.database, row!.id)).hash).toBeNull();
      // The next slot, AUDIT_LINK_EVERY_MS later, links it.
      clock.advance(AUDIT_LINK_EVERY_MS);
      const runs = (await t.app.jobs.runDue()).filter((r) => r.name === 'core.linkAudit');
      expect(runs).toMatchObject([{ state: 'done' }]);
      expect((await linkOf(t.database, row!.id)).hash).toMatch(/^[0-9a-f]{64}$/);
      expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true, unlinked: [] });
      // Running every two seconds, it does not fill the jobs table.
      for (let i = 0; i < AUDIT_LINK_KEEP_DONE + 5; i++) {
        clock.advance(AUDIT_LINK_EVERY_MS);
        await t.app.jobs.runDue();
      }
      const done = await query<{ n: number }>(
        t.database,
        "SELECT count(*)::int AS n FROM jobs WHERE name = 'core.linkAudit' AND state = 'done'",
      );
      expect(done[0]!.n).toBeLessThanOrEqual(AUDIT_LINK_KEEP_DONE + 1);
      expect(done[0]!.n).toBeGreaterThanOrEqual(AUDIT_LINK_KEEP_DONE);
    } finally {
      await t.close();
    }
  });
});

describe('npm run audit:verify', () => {
  const cwd = path.resolve(import.meta.dirname, '../..');
  const verify = (env: NodeJS.ProcessEnv) =>
    run(process.execPath, ['--import', 'tsx', 'src/scripts/audit-verify.ts'], { cwd, env }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  const tamper = `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
    UPDATE audit_log SET action = 'org.forged' WHERE id = (SELECT min(id) FROM audit_log);
    ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;`;

  it('reports the unlinked tail, exits 0 on an intact database and 1 naming the row after tampering', async () => {
    const fresh = await openTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-audit-'));
    try {
      let env: NodeJS.ProcessEnv;
      // Runs `work` on the database the script reads, then closes it if it was opened here.
      let onTarget: (work: (db: Database) => Promise<unknown>) => Promise<void>;
      if (fresh.url) {
        // PostgreSQL: the script reads DATABASE_URL, like the server.
        env = { ...process.env, DATABASE_URL: fresh.url };
        onTarget = async (work) => void (await work(fresh.database));
      } else {
        // Embedded: the script opens DATA_DIR/pglite, like the server.
        env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' };
        const { database: db } = await prepareDatabase(testConfig({ dataDir, demo: false }));
        await db.close();
        onTarget = async (work) => {
          const again = await prepareDatabase(testConfig({ dataDir, demo: false }));
          try {
            await work(again.database);
          } finally {
            await again.database.close();
          }
        };
      }
      // Seeded, no server ran yet: nothing linked, the whole trail is the unlinked tail.
      const unlinked = await verify(env);
      expect(unlinked.code).toBe(0);
      expect(unlinked.stdout).toMatch(/intact: 0 rows/);
      expect(unlinked.stdout).toMatch(/unlinked tail: [1-9]\d* rows/);
      await onTarget((db) => linkAuditChain(db.db));
      const ok = await verify(env);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/intact: [1-9]\d* rows/);
      expect(ok.stdout).toMatch(
        /head of (district [0-9a-f-]+|no district): [1-9]\d* rows, link \d+, [0-9a-f]{64}/,
      );
      expect(ok.stdout).toMatch(/unlinked tail: 0 rows/);
      await onTarget((db) => db.exec(tamper));
      const bad = await verify(env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/BROKEN at row id \d+/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await fresh.drop();
    }
  }, 120_000);
});
