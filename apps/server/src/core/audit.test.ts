import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/harness';
import { testConfig } from '../../test/config';
import { prepareDatabase } from '../boot';
import { systemContext } from './context';
import type { Database } from './db/client';
import { canonicalJson, diff, verifyAuditChain, writeAudit } from './audit';

const run = promisify(execFile);
let database: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ database, drop } = await openTestDatabase());
});
afterAll(() => drop());

async function append(n: number) {
  for (let i = 0; i < n; i++) {
    await database.db.transaction((tx) =>
      writeAudit(tx, systemContext(), {
        action: 'test.write',
        entityType: 'thing',
        entityId: String(i),
        before: { name: `old ${i}` },
        after: { name: `new ${i}`, phone: '13912345678' },
      }),
    );
  }
}

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
  it('verifies an intact chain', async () => {
    await append(5);
    const report = await verifyAuditChain(database.db, 2);
    expect(report.ok).toBe(true);
    expect(report.checked).toBeGreaterThanOrEqual(5);
  });

  it('refuses UPDATE and DELETE from the application', async () => {
    await expect(database.exec("UPDATE audit_log SET action = 'x'")).rejects.toThrow(/append-only/);
    await expect(database.exec('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  });

  it('names the first row changed behind the application’s back', async () => {
    await append(3);
    const rows = await database.db.execute<{ id: number }>(sql`SELECT id FROM audit_log ORDER BY id`);
    const ids = (Array.isArray(rows) ? rows : (rows as { rows: { id: number }[] }).rows).map((r) =>
      Number(r.id),
    );
    const victim = ids[Math.floor(ids.length / 2)]!;
    await database.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
      UPDATE audit_log SET changes = '{"name":{"before":"old","after":"forged"}}' WHERE id = ${victim};
      ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;`);
    const report = await verifyAuditChain(database.db, 4);
    expect(report.ok).toBe(false);
    expect(report.firstBad).toEqual({ id: victim, reason: expect.stringMatching(/changed/) });
  });

  it('names a row whose predecessor was deleted', async () => {
    const fresh = await openTestDatabase();
    try {
      const rows = await fresh.database.db.execute<{ id: number }>(sql`SELECT id FROM audit_log ORDER BY id`);
      const ids = (Array.isArray(rows) ? rows : (rows as { rows: { id: number }[] }).rows).map((r) =>
        Number(r.id),
      );
      expect(ids.length).toBeGreaterThanOrEqual(3);
      await fresh.database.exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
        DELETE FROM audit_log WHERE id = ${ids[1]};
        ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;`);
      const report = await verifyAuditChain(fresh.database.db);
      expect(report.firstBad?.id).toBe(ids[2]);
      expect(report.firstBad?.reason).toMatch(/removed or reordered/);
    } finally {
      await fresh.drop();
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

  it('exits 0 on an intact database and 1 naming the row after tampering', async () => {
    const fresh = await openTestDatabase();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-audit-'));
    try {
      let env: NodeJS.ProcessEnv;
      let target: Database;
      if (fresh.url) {
        // PostgreSQL: the script reads DATABASE_URL, like the server.
        env = { ...process.env, DATABASE_URL: fresh.url };
        target = fresh.database;
      } else {
        // Embedded: the script opens DATA_DIR/pglite, like the server.
        env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' };
        const { database: db } = await prepareDatabase(testConfig({ dataDir, demo: false }));
        await db.close();
        target = database;
      }
      const ok = await verify(env);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toMatch(/intact: [1-9]\d* rows/);
      if (fresh.url) {
        await target.exec(tamper);
      } else {
        const again = await prepareDatabase(testConfig({ dataDir, demo: false }));
        await again.database.exec(tamper);
        await again.database.close();
      }
      const bad = await verify(env);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/BROKEN at row id \d+/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await fresh.drop();
    }
  }, 120_000);
});
