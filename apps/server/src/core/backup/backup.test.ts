import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../../app';
import { type Client, loginAs, openTestDatabase, residentLogin, type TestApp } from '../../../test/harness';
import { testConfig } from '../../../test/config';
import { withDatabase } from '../../../test/global-setup';
import { JPEG, multipart, PDF, PNG } from '../../modules/cases/fixtures';
import type { LogOtpSender } from '../../modules/identity/otp-sender';
import { linkAuditChain, verifyAuditChain } from '../audit';
import { acquireDataDirLock } from '../data-dir-lock';
import { type Database, openDatabase } from '../db/client';
import { type BackupManifest, createBackup, restoreBackup } from '.';
import { listFiles } from './files';
import { userRelations } from './snapshot';

/**
 * Backup → restore round trip on the database the suite runs on (PGlite in `npm test`,
 * PostgreSQL when DATABASE_URL is set), with uploaded files, compared table by table and file by
 * file with digests computed here, independently of the manifest's.
 */

const tmp = (p: string) => fs.mkdtempSync(path.join(os.tmpdir(), `linli-backup-${p}-`));
const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
const onPostgres = !!inject('pgTemplateUrl');

/** A target to restore into: an empty data dir, and on PostgreSQL also a new empty database. */
async function emptyTarget() {
  const dataDir = tmp('target');
  dirs.push(dataDir);
  if (!onPostgres) return { config: testConfig({ dataDir }), dataDir };
  const name = `linli_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const a = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  });
  return {
    config: testConfig({ dataDir, databaseUrl: withDatabase(inject('pgTemplateUrl'), name) }),
    dataDir,
  };
}

const open = (config: ReturnType<typeof testConfig>) => openDatabase(config);

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];

/** sha256 of every table's rows as text, ordered by primary key (or the whole row without one). */
async function tableDigests(database: Database): Promise<Map<string, { rows: number; sha256: string }>> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL TimeZone = 'UTC'`);
    const tables = rowsOf<{ schema: string; name: string; pk: string[] | null }>(
      await tx.execute(sql`
        SELECT n.nspname AS schema, c.relname AS name,
          (SELECT array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum))
             FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
        ORDER BY 1, 2`),
    );
    const out = new Map<string, { rows: number; sha256: string }>();
    for (const t of tables) {
      const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
      const order = t.pk?.length ? t.pk.map(q).join(', ') : 'r::text';
      const rows = rowsOf<{ line: string }>(
        await tx.execute(
          sql.raw(`SELECT r::text AS line FROM ${q(t.schema)}.${q(t.name)} r ORDER BY ${order}`),
        ),
      );
      const hash = createHash('sha256');
      for (const r of rows) hash.update(`${r.line}\n`);
      out.set(`${t.schema}.${t.name}`, { rows: rows.length, sha256: hash.digest('hex') });
    }
    return out;
  });
}

/** sha256 of every file under DATA_DIR/uploads, and of a development secret.key, by path. */
async function fileDigests(dataDir: string): Promise<Map<string, string>> {
  const { files } = await listFiles(path.join(dataDir, 'uploads'), dataDir);
  if (fs.existsSync(path.join(dataDir, 'secret.key'))) files.push('secret.key');
  return new Map(
    files.map((f) => [
      f,
      createHash('sha256')
        .update(fs.readFileSync(path.join(dataDir, f)))
        .digest('hex'),
    ]),
  );
}

let sourceConfig: ReturnType<typeof testConfig>;
let source: Awaited<ReturnType<typeof openTestDatabase>>;
let backupDir: string;
let manifest: BackupManifest;
let caseIds: string[] = [];
let reopened: Database | null = null;

/** The real app over a database, as buildTestApp builds it, for seeding and reading through HTTP. */
async function appOn(database: Database, config: ReturnType<typeof testConfig>): Promise<TestApp> {
  const app = await buildApp({ config, database, logger: false });
  await app.ready();
  return { app, database, config, otp: app.otpSender as LogOtpSender, close: () => app.close() };
}

beforeAll(async () => {
  const dataDir = tmp('source');
  dirs.push(dataDir);
  // On disk as a server's (DATA_DIR/pglite), or a PostgreSQL copy of the seeded template.
  source = await openTestDatabase({ dataDir });
  sourceConfig = testConfig({ dataDir, databaseUrl: source.url });
  const t = await appOn(source.database, sourceConfig);
  const report = async (c: Client, description: string, photos: { filename: string; data: Buffer }[]) => {
    const body = multipart([
      { name: 'categoryCode', value: '0201' },
      { name: 'description', value: description },
      { name: 'lat', value: '31.3175' },
      { name: 'lng', value: '104.5062' },
      ...photos.map((p) => ({ name: 'photos', filename: p.filename, type: 'image/png', data: p.data })),
    ]);
    const res = await c.post('/api/v1/cases', body.payload, body.headers);
    expect(res.statusCode, res.body).toBe(201);
    return (res.json() as { id: string }).id;
  };
  const a = await residentLogin(t, '13800000001');
  const b = await residentLogin(t, '13900000077');
  caseIds = [
    await report(a, '楼道里堆满杂物，堵住了消防通道', [
      { filename: 'a.png', data: PNG },
      { filename: 'b.jpg', data: JPEG },
    ]),
    await report(b, '路灯不亮已经一周', [{ filename: 'c.png', data: PNG }]),
  ];
  // The trail so far is linked (as a running server's job does); what follows is the unlinked tail.
  await linkAuditChain(source.database.db);
  const secretary = await loginAs(t.app, 'hanlin-secretary');
  expect((await secretary.post(`/api/v1/cases/${caseIds[0]}/register`, {})).statusCode).toBe(200);
  // A PDF and a photo from an earlier month nobody names any more still belong to the store.
  fs.mkdirSync(path.join(dataDir, 'uploads', '2025', '01'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'uploads', '2025', '01', 'orphan.pdf'), PDF);
  // The key a development server generates next to its data (core/secret-box.ts) travels with it.
  fs.writeFileSync(path.join(dataDir, 'secret.key'), `${randomBytes(32).toString('base64')}\n`, {
    mode: 0o600,
  });
  await t.close();
  // The embedded database is one process's: closed before the backup opens it, as a stopped server's is.
  if (!onPostgres) await source.database.close();

  backupDir = path.join(tmp('out'), 'linli-test');
  dirs.push(path.dirname(backupDir));
  manifest = (await createBackup(sourceConfig, { out: backupDir })).manifest;
  if (!onPostgres) {
    reopened = await open(sourceConfig);
    source.database = reopened;
  }
}, 120_000);

afterAll(async () => {
  await reopened?.close();
  await source?.drop();
  for (const c of cleanups) await c();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('npm run backup', () => {
  it('writes the dump, every uploaded file and a manifest of checksums, rows and the migration level', async () => {
    expect(manifest.database.kind).toBe(onPostgres ? 'postgres' : 'pglite');
    expect(fs.existsSync(path.join(backupDir, manifest.database.file))).toBe(true);
    expect(manifest.files.map((f) => f.path)).toEqual([...(await fileDigests(sourceConfig.dataDir)).keys()]);
    expect(manifest.files).toHaveLength(5);
    expect(manifest.files.map((f) => f.path)).toContain('secret.key');
    expect(manifest.namedFiles).toEqual({ rows: 3, missing: [] });
    expect(manifest.migrations.applied).toBeGreaterThan(10);
    expect(manifest.migrations.last).toMatch(/^\d{4}_/);
    expect(manifest.linliVersion).toMatch(/^\d+\.\d+\.\d+/);
    const live = await tableDigests(source.database);
    expect(Object.keys(manifest.tables).sort()).toEqual([...live.keys()].sort());
    for (const [name, t] of live) expect(manifest.tables[name]?.rows, name).toBe(t.rows);
    expect(manifest.tables['public.case_photos']?.rows).toBe(3);
    // `sha256sum -c SHA256SUMS` in the backup directory checks the same files.
    const sums = fs.readFileSync(path.join(backupDir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    expect(sums).toHaveLength(manifest.files.length + 2);
    for (const f of manifest.files) expect(sums).toContain(`${f.sha256}  ${f.path}`);
  });

  it('refuses while the embedded database is held by a server, saying to stop it first', async () => {
    const dataDir = tmp('held');
    dirs.push(dataDir);
    const lock = acquireDataDirLock(dataDir, 'server');
    try {
      await expect(
        createBackup({ dataDir, databaseUrl: null }, { out: path.join(dataDir, '..', 'never') }),
      ).rejects.toThrow(/in use by a running Linli server \(pid \d+.*stop the server first/);
    } finally {
      lock.release();
    }
    expect(fs.existsSync(path.join(dataDir, '..', 'never'))).toBe(false);
  });
});

describe('npm run restore', () => {
  let target: Awaited<ReturnType<typeof emptyTarget>>;

  it('brings back every table row for row, every file byte for byte, and an intact audit chain', async () => {
    target = await emptyTarget();
    const report = await restoreBackup(target.config, backupDir);
    expect(report.files).toBe(5);
    expect(fs.statSync(path.join(target.dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    const restored = await open(target.config);
    try {
      const before = await tableDigests(source.database);
      const after = await tableDigests(restored);
      expect([...after.keys()]).toEqual([...before.keys()]);
      for (const [name, d] of before) expect(after.get(name), name).toEqual(d);
      expect(before.get('public.audit_log')!.rows).toBeGreaterThan(0);
      expect(await fileDigests(target.dataDir)).toEqual(await fileDigests(sourceConfig.dataDir));
      const chain = await verifyAuditChain(restored.db);
      // Every row is in the restored trail: linked and verified, or in the unlinked tail.
      const tail = chain.unlinked.reduce((n, u) => n + u.rows, 0);
      expect(chain.ok).toBe(true);
      expect(chain.checked).toBeGreaterThan(0);
      expect(tail).toBeGreaterThan(0);
      expect(chain.checked + tail).toBe(before.get('public.audit_log')!.rows);
      // The restored server's linker goes on from where the backup's chain ended.
      await linkAuditChain(restored.db);
      expect(await verifyAuditChain(restored.db)).toMatchObject({
        ok: true,
        checked: before.get('public.audit_log')!.rows,
        unlinked: [],
      });
      // And it works: the community's secretary opens the case and its photo on the restored server.
      const t = await appOn(restored, target.config);
      try {
        const secretary = await loginAs(t.app, 'hanlin-secretary');
        const c = await secretary.get(`/api/v1/cases/${caseIds[0]}`);
        expect(c.statusCode).toBe(200);
        const photos = (c.json() as { photos: { url: string }[] }).photos;
        expect(photos).toHaveLength(2);
        const first = await secretary.get(photos[0]!.url);
        expect(first.statusCode).toBe(200);
        expect([PNG.toString('hex'), JPEG.toString('hex')]).toContain(first.rawPayload.toString('hex'));
      } finally {
        await t.close();
      }
    } finally {
      await restored.close();
    }
  }, 120_000);

  it('refuses a target that is not empty and leaves it as it was', async () => {
    // The target restored above: its upload store is not empty.
    const before = await fileDigests(target.dataDir);
    await expect(restoreBackup(target.config, backupDir)).rejects.toThrow(/uploads is not empty/);
    expect(await fileDigests(target.dataDir)).toEqual(before);

    // A data dir (or database) that already holds a database but no files.
    const dataDir = tmp('full');
    dirs.push(dataDir);
    const other = await openTestDatabase({ dataDir });
    cleanups.push(() => other.drop());
    const config = testConfig({ dataDir, databaseUrl: other.url });
    if (!onPostgres) await other.database.close();
    await expect(restoreBackup(config, backupDir)).rejects.toThrow(
      onPostgres ? /database in DATABASE_URL is not empty \(\d+ tables/ : /already holds a database/,
    );
    expect(fs.existsSync(path.join(dataDir, 'uploads'))).toBe(false);
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('.restore-'))).toEqual([]);
  });

  const damaged = async (file: (m: BackupManifest) => string) => {
    const copy = path.join(tmp('damaged'), 'b');
    dirs.push(path.dirname(copy));
    fs.cpSync(backupDir, copy, { recursive: true });
    const victim = path.join(copy, file(manifest));
    const bytes = fs.readFileSync(victim);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = bytes[at]! ^ 0x01;
    fs.writeFileSync(victim, bytes);
    return copy;
  };

  async function expectUntouched(t: Awaited<ReturnType<typeof emptyTarget>>) {
    expect(fs.readdirSync(t.dataDir)).toEqual([]);
    if (onPostgres) {
      const db = await open(t.config);
      try {
        expect(await userRelations(db.db)).toEqual([]);
      } finally {
        await db.close();
      }
    }
  }

  it('refuses a backup with a flipped byte in an uploaded file before writing anything', async () => {
    const copy = await damaged((m) => m.files[1]!.path);
    const t = await emptyTarget();
    await expect(restoreBackup(t.config, copy)).rejects.toThrow(
      new RegExp(`damaged; nothing was restored.*${manifest.files[1]!.path}: checksum differs`),
    );
    await expectUntouched(t);
  });

  it('refuses a backup with a flipped byte in the database dump before writing anything', async () => {
    const copy = await damaged((m) => m.database.file);
    const t = await emptyTarget();
    await expect(restoreBackup(t.config, copy)).rejects.toThrow(
      new RegExp(`${manifest.database.file}: checksum differs`),
    );
    await expectUntouched(t);
  });

  it('refuses a backup whose manifest was edited', async () => {
    const copy = await damaged(() => 'manifest.json');
    const t = await emptyTarget();
    await expect(restoreBackup(t.config, copy)).rejects.toThrow(/manifest.json does not match its checksum/);
    await expectUntouched(t);
  });
});
