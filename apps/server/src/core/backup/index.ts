import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Config } from '../../config';
import { verifyAuditChain } from '../audit';
import { type Database, openDatabase, type Tx } from '../db/client';
import { acquireDataDirLock, DataDirBusyError, type DataDirLock } from '../data-dir-lock';
import { KEY_FILE as SECRET_KEY_FILE } from '../secret-box';
import { copyAndHash, type FileSum, hashFile, listFiles, syncDirs, writeSynced } from './files';
import { findPgTool, libpqTarget, PgToolError, runPgTool } from './pg-tools';
import {
  fixRowText,
  migrationLevel,
  type NamedFile,
  namedFiles,
  serverVersion,
  shippedMigrations,
  type TableFigure,
  tableFigures,
  userRelations,
} from './snapshot';

/**
 * `npm run backup` and `npm run restore` (decision in docs/decisions.md, "Backups").
 *
 * A backup is a directory:
 *   manifest.json      what is in it: Linli version, time, database kind and version, migration
 *                      level, rows and a digest per table, every file with its size and sha256
 *   SHA256SUMS         the same checksums in `sha256sum -c` format, manifest.json included
 *   database.tar.gz    the embedded database: PGlite's own dump of its data directory
 *   database.pgdump    or PostgreSQL's: pg_dump custom format (-Fc)
 *   uploads/…          the upload store as it was (DATA_DIR/uploads)
 *
 * It is written as `<dir>.partial` and renamed when complete, every file fsynced. A restore
 * checks every checksum before it writes anything, refuses a target that is not empty, stages
 * what it writes and checks the restored tables against the manifest.
 */

export const BACKUP_FORMAT = 'linli-backup';
export const BACKUP_FORMAT_VERSION = 1;

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  linliVersion: string;
  createdAt: string;
  database: {
    kind: 'pglite' | 'postgres';
    file: string;
    size: number;
    sha256: string;
    serverVersion: string;
    /** pg_dump's version line, or `PGlite dumpDataDir`. */
    dumpedWith: string;
    /** Major version of the pg_dump that wrote the archive (pg_restore must be at least this). */
    dumpMajor: number | null;
  };
  migrations: { applied: number; last: string | null };
  tables: Record<string, TableFigure>;
  files: ({ path: string } & FileSum)[];
  /** Rows that name a stored file, and the named files that were missing when the backup was made. */
  namedFiles: { rows: number; missing: string[] };
}

/** A backup or restore refused for a reason the operator can act on; exit code 1. */
export class BackupError extends Error {
  override name = 'BackupError';
}

const repoRoot = path.resolve(import.meta.dirname, '../../../../..');

function linliVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** `backups/linli-2026-11-28T031500Z` under the repository, the default output. */
export function defaultBackupDir(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '');
  return path.join(repoRoot, 'backups', `linli-${stamp}`);
}

type Log = (line: string) => void;

function lockEmbedded(config: Pick<Config, 'dataDir'>, purpose: string, advice: string): DataDirLock {
  try {
    return acquireDataDirLock(config.dataDir, purpose);
  } catch (err) {
    if (err instanceof DataDirBusyError) throw new BackupError(`${err.message}. ${advice}`);
    throw err;
  }
}

const list = (items: string[], n = 10) =>
  items.slice(0, n).join(', ') + (items.length > n ? ` and ${items.length - n} more` : '');

export interface BackupOptions {
  /** The directory to create (must not exist); default `defaultBackupDir()`. */
  out?: string;
  /** Write the backup even when rows name files that are missing (listed in the manifest). */
  allowMissingFiles?: boolean;
  log?: Log;
}

/**
 * Backs up the configured database (DATABASE_URL, else DATA_DIR/pglite) and DATA_DIR/uploads.
 *
 * Embedded: refused while a server (or anything else) holds DATA_DIR — PGlite is one process's
 * database; the backup holds the lock itself so no server starts meanwhile. PostgreSQL: the
 * server may keep running; the table figures and the files rows name are read in the very
 * snapshot pg_dump dumps (`pg_export_snapshot` → `pg_dump --snapshot`), and the upload store is
 * copied after it, so every file a dumped row names was already written (files are written
 * before the row that names them commits); files newer than the snapshot come along unnamed.
 */
export async function createBackup(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
  opts: BackupOptions = {},
): Promise<{ dir: string; manifest: BackupManifest }> {
  const log = opts.log ?? (() => {});
  const out = path.resolve(opts.out ?? defaultBackupDir());
  if (fs.existsSync(out))
    throw new BackupError(`${out} already exists: give a new directory for the backup.`);
  const dataDir = path.resolve(config.dataDir);
  if (out === dataDir || out.startsWith(dataDir + path.sep))
    throw new BackupError(`${out} is inside DATA_DIR (${dataDir}): put backups somewhere else.`);
  const partial = `${out}.partial`;
  if (fs.existsSync(partial))
    throw new BackupError(
      `${partial} exists (an unfinished backup?): remove it or choose another directory.`,
    );
  const kind = config.databaseUrl ? 'postgres' : 'pglite';
  const lock =
    kind === 'pglite'
      ? lockEmbedded(
          config,
          'backup',
          'The embedded database is one process’s: stop the server first (SIGTERM), then run the backup, then start it again.',
        )
      : null;
  try {
    if (kind === 'pglite' && !fs.existsSync(path.join(config.dataDir, 'pglite', 'PG_VERSION')))
      throw new BackupError(`There is no embedded database in ${path.join(config.dataDir, 'pglite')}.`);
    fs.mkdirSync(path.dirname(partial), { recursive: true });
    fs.mkdirSync(partial, { mode: 0o700 });
    try {
      const manifest = await writeBackup(config, kind, partial, opts, log);
      await syncDirs(partial);
      fs.renameSync(partial, out);
      await syncDirs(path.dirname(out)).catch(() => {});
      return { dir: out, manifest };
    } catch (err) {
      fs.rmSync(partial, { recursive: true, force: true });
      throw err;
    }
  } finally {
    lock?.release();
  }
}

async function writeBackup(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
  kind: 'pglite' | 'postgres',
  dir: string,
  opts: BackupOptions,
  log: Log,
): Promise<BackupManifest> {
  const createdAt = new Date().toISOString();
  const database = await openDatabase({ ...config, databaseInMemory: false });
  let figures: Record<string, TableFigure>;
  let named: NamedFile[];
  let migrations: BackupManifest['migrations'];
  let version: { version: string; major: number };
  let dbFile: string;
  let dumpedWith: string;
  let dumpMajor: number | null = null;
  try {
    version = await serverVersion(database.db);
    const read = async (tx: Tx) => {
      await fixRowText(tx);
      figures = await tableFigures(tx);
      named = await namedFiles(tx);
      migrations = await migrationLevel(tx);
    };
    if (kind === 'postgres') {
      const tool = findPgTool('pg_dump', version.major, `the PostgreSQL server's (${version.version})`);
      dumpedWith = tool.version;
      dumpMajor = tool.major;
      dbFile = 'database.pgdump';
      const target = libpqTarget(config.databaseUrl!);
      log(`dumping PostgreSQL ${version.version} with ${tool.path} (${tool.major})`);
      await database.db.transaction(
        async (tx) => {
          const { rows } = (await tx.execute(sql`SELECT pg_export_snapshot() AS s`)) as unknown as {
            rows: { s: string }[];
          };
          const snapshot = rows[0]!.s;
          await read(tx);
          // pg_dump reads the very snapshot the figures above were read in.
          await runPgTool(
            tool,
            [
              '--format=custom',
              `--snapshot=${snapshot}`,
              `--file=${path.join(dir, dbFile)}`,
              `--dbname=${target.dbname}`,
            ],
            target.env,
          );
        },
        { isolationLevel: 'repeatable read', accessMode: 'read only' },
      );
      const fh = await fs.promises.open(path.join(dir, dbFile), 'r+');
      await fh.sync();
      await fh.close();
    } else {
      await database.db.transaction(read, { isolationLevel: 'repeatable read', accessMode: 'read only' });
      dbFile = 'database.tar.gz';
      dumpedWith = 'PGlite dumpDataDir';
      log(`dumping the embedded database (PGlite, PostgreSQL ${version.version})`);
      const dump = await database.pglite!.dumpDataDir('gzip');
      await writeSynced(path.join(dir, dbFile), Buffer.from(await dump.arrayBuffer()));
    }
  } finally {
    await database.close();
  }
  const dbSum = await hashFile(path.join(dir, dbFile!));

  // The upload store, after the dump: files a dumped row names were written before it.
  const { files, skipped } = await listFiles(path.join(config.dataDir, 'uploads'), config.dataDir);
  if (skipped.length) log(`skipped (not regular files): ${list(skipped)}`);
  const copied: BackupManifest['files'] = [];
  let bytes = 0;
  for (const rel of files) {
    const sum = await copyAndHash(path.join(config.dataDir, rel), path.join(dir, rel));
    copied.push({ path: rel, ...sum });
    bytes += sum.size;
  }
  log(`copied ${copied.length} uploaded files (${(bytes / 1048576).toFixed(1)} MB)`);
  // A development server's generated secret key (core/secret-box.ts): without it the restored
  // TOTP secrets could not be opened. A production key comes from LINLI_SECRET_KEY instead, and
  // is kept apart from the backups by whoever runs them.
  if (fs.existsSync(path.join(config.dataDir, SECRET_KEY_FILE))) {
    const sum = await copyAndHash(
      path.join(config.dataDir, SECRET_KEY_FILE),
      path.join(dir, SECRET_KEY_FILE),
    );
    copied.push({ path: SECRET_KEY_FILE, ...sum });
    log(`copied ${SECRET_KEY_FILE} (this data dir's generated key; keep the backup private)`);
  }

  const byPath = new Map(copied.map((f) => [f.path, f]));
  const missing: string[] = [];
  const changed: string[] = [];
  for (const n of named!) {
    const f = byPath.get(n.path);
    if (!f) missing.push(n.path);
    else if (n.sha256 && n.sha256 !== f.sha256) changed.push(`${n.path} (${n.table})`);
  }
  if (changed.length)
    throw new BackupError(
      `${changed.length} stored files differ from the checksum their row recorded: ${list(changed)}. The upload store is damaged; no backup written.`,
    );
  if (missing.length && !opts.allowMissingFiles)
    throw new BackupError(
      `${missing.length} files named by rows are missing from ${path.join(config.dataDir, 'uploads')}: ${list(missing)}. ` +
        'No backup written; run again with --allow-missing-files to back up without them (they are listed in the manifest).',
    );

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    linliVersion: linliVersion(),
    createdAt,
    database: {
      kind,
      file: dbFile!,
      ...dbSum,
      serverVersion: version!.version,
      dumpedWith: dumpedWith!,
      dumpMajor,
    },
    migrations: migrations!,
    tables: figures!,
    files: copied,
    namedFiles: { rows: named!.length, missing },
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  const manifestSum = await writeSynced(path.join(dir, 'manifest.json'), manifestText);
  const sums = [
    [dbSum.sha256, dbFile!],
    ...copied.map((f) => [f.sha256, f.path]),
    [manifestSum.sha256, 'manifest.json'],
  ]
    .map(([h, p]) => `${h}  ${p}\n`)
    .join('');
  await writeSynced(path.join(dir, 'SHA256SUMS'), sums);
  return manifest;
}

/**
 * Reads a backup's manifest and checks every file against it (and the manifest against
 * SHA256SUMS). Throws BackupError listing every problem; nothing is written.
 */
export async function verifyBackup(dir: string): Promise<BackupManifest> {
  const at = path.resolve(dir);
  const manifestFile = path.join(at, 'manifest.json');
  if (!fs.existsSync(manifestFile))
    throw new BackupError(`${at} is not a Linli backup (no manifest.json), or an unfinished one.`);
  const sumsFile = path.join(at, 'SHA256SUMS');
  if (!fs.existsSync(sumsFile)) throw new BackupError(`${at} has no SHA256SUMS: the backup is incomplete.`);
  const sums = new Map<string, string>();
  for (const line of fs.readFileSync(sumsFile, 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (m) sums.set(m[2]!, m[1]!);
  }
  const manifestSum = await hashFile(manifestFile);
  if (sums.get('manifest.json') !== manifestSum.sha256)
    throw new BackupError(
      `${manifestFile} does not match its checksum in SHA256SUMS: the backup is damaged.`,
    );
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
  } catch {
    throw new BackupError(`${manifestFile} is not valid JSON: the backup is damaged.`);
  }
  if (manifest.format !== BACKUP_FORMAT || manifest.formatVersion > BACKUP_FORMAT_VERSION)
    throw new BackupError(
      `${at} is a backup of format ${manifest.format} ${manifest.formatVersion}; this Linli reads ${BACKUP_FORMAT} ${BACKUP_FORMAT_VERSION}.`,
    );
  const problems: string[] = [];
  const expect = [
    { path: manifest.database.file, size: manifest.database.size, sha256: manifest.database.sha256 },
    ...manifest.files,
  ];
  for (const f of expect) {
    const abs = path.resolve(at, f.path);
    if (!abs.startsWith(at + path.sep)) {
      problems.push(`${f.path}: outside the backup`);
      continue;
    }
    if (!fs.existsSync(abs)) {
      problems.push(`${f.path}: missing`);
      continue;
    }
    const sum = await hashFile(abs);
    if (sum.size !== f.size || sum.sha256 !== f.sha256)
      problems.push(`${f.path}: checksum differs (damaged)`);
    if (sums.get(f.path) !== f.sha256) problems.push(`${f.path}: SHA256SUMS disagrees with the manifest`);
  }
  if (problems.length)
    throw new BackupError(
      `The backup in ${at} is damaged; nothing was restored. ${problems.length} problem(s): ${list(problems)}.`,
    );
  return manifest;
}

export interface RestoreOptions {
  log?: Log;
}

export interface RestoreReport {
  manifest: BackupManifest;
  tables: number;
  rows: number;
  files: number;
  auditRows: number;
}

/**
 * Restores a backup into the configured target: an empty DATA_DIR (embedded) or an empty
 * PostgreSQL database (DATABASE_URL), plus DATA_DIR/uploads. Every checksum is checked first;
 * a target that is not empty is refused; the database and the files are staged inside DATA_DIR
 * and moved into place once the restored tables match the manifest and the audit chain verifies.
 */
export async function restoreBackup(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
  dir: string,
  opts: RestoreOptions = {},
): Promise<RestoreReport> {
  const log = opts.log ?? (() => {});
  const manifest = await verifyBackup(dir);
  log(`backup checked: ${manifest.database.file} and ${manifest.files.length} files match their checksums`);
  const kind = config.databaseUrl ? 'postgres' : 'pglite';
  if (manifest.database.kind !== kind)
    throw new BackupError(
      manifest.database.kind === 'pglite'
        ? 'This is a backup of the embedded database: restore it with DATABASE_URL unset (into an empty DATA_DIR).'
        : 'This is a backup of a PostgreSQL database: restore it with DATABASE_URL set to an empty database.',
    );
  const shipped = shippedMigrations().length;
  if (manifest.migrations.applied > shipped)
    throw new BackupError(
      `The backup is at migration ${manifest.migrations.applied} (${manifest.migrations.last ?? 'unknown to this code'}), ` +
        `newer than this Linli (${shipped}): restore it with Linli ${manifest.linliVersion} or newer.`,
    );

  const lock =
    kind === 'pglite'
      ? lockEmbedded(config, 'restore', 'Stop the server first, and restore into an empty DATA_DIR.')
      : null;
  try {
    return await restoreInto(config, kind, path.resolve(dir), manifest, log);
  } finally {
    lock?.release();
  }
}

async function hasAnyFile(dir: string): Promise<boolean> {
  const { files, skipped } = await listFiles(dir, dir);
  return files.length + skipped.length > 0;
}

async function restoreInto(
  config: Pick<Config, 'dataDir' | 'databaseUrl'>,
  kind: 'pglite' | 'postgres',
  from: string,
  manifest: BackupManifest,
  log: Log,
): Promise<RestoreReport> {
  const uploads = path.join(config.dataDir, 'uploads');
  const pgliteDir = path.join(config.dataDir, 'pglite');
  // Every check of the target before anything is written.
  if (await hasAnyFile(uploads))
    throw new BackupError(`${uploads} is not empty: restore into an empty DATA_DIR (nothing was written).`);
  const keyFile = path.join(config.dataDir, SECRET_KEY_FILE);
  const keyInBackup = manifest.files.find((f) => f.path === SECRET_KEY_FILE);
  if (keyInBackup && fs.existsSync(keyFile) && (await hashFile(keyFile)).sha256 !== keyInBackup.sha256)
    throw new BackupError(
      `${keyFile} holds another secret key than the backup's: restore into an empty DATA_DIR (nothing was written).`,
    );
  let pgTarget: Database | null = null;
  let restoreTool: ReturnType<typeof findPgTool> | null = null;
  if (kind === 'pglite') {
    if (await hasAnyFile(pgliteDir))
      throw new BackupError(
        `${pgliteDir} already holds a database: restore into an empty DATA_DIR (nothing was written).`,
      );
  } else {
    pgTarget = await openDatabase({ ...config, databaseInMemory: false });
    try {
      const existing = await userRelations(pgTarget.db);
      if (existing.length)
        throw new BackupError(
          `The database in DATABASE_URL is not empty (${existing.length} tables and other relations, e.g. ${list(existing, 3)}): ` +
            'restore into a new empty database (createdb), nothing was written.',
        );
      const version = await serverVersion(pgTarget.db);
      restoreTool = findPgTool(
        'pg_restore',
        Math.max(manifest.database.dumpMajor ?? 0, version.major),
        `the newer of the pg_dump that wrote the backup (${manifest.database.dumpMajor}) and the target server (${version.version})`,
        version.major,
      );
    } catch (err) {
      await pgTarget.close();
      throw err;
    }
  }

  fs.mkdirSync(config.dataDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(config.dataDir, '.restore-'));
  try {
    // 1. The files, copied and checked again as they are copied.
    for (const f of manifest.files) {
      const sum = await copyAndHash(path.join(from, f.path), path.join(staging, f.path));
      if (sum.sha256 !== f.sha256) throw new BackupError(`${f.path} changed while it was being restored.`);
    }
    log(`staged ${manifest.files.length} files`);
    // 2. The database.
    let restored: Database;
    if (kind === 'pglite') {
      const data = await fs.promises.readFile(path.join(from, manifest.database.file));
      if (createHash('sha256').update(data).digest('hex') !== manifest.database.sha256)
        throw new BackupError(`${manifest.database.file} changed while it was being restored.`);
      restored = await openDatabase(
        { databaseUrl: null, dataDir: staging, databaseInMemory: false },
        { loadDataDir: new Blob([data]) },
      );
    } else {
      await pgTarget!.close();
      const target = libpqTarget(config.databaseUrl!);
      log(`restoring with ${restoreTool!.path} (${restoreTool!.major})`);
      // One transaction: a failure leaves the database as empty as it was.
      await runPgTool(
        restoreTool!,
        [
          '--single-transaction',
          '--exit-on-error',
          '--no-owner',
          '--no-acl',
          `--dbname=${target.dbname}`,
          path.join(from, manifest.database.file),
        ],
        target.env,
      );
      restored = await openDatabase({ ...config, databaseInMemory: false });
    }
    // 3. Check the result against the manifest before it goes live.
    let auditRows = 0;
    try {
      const figures = await restored.db.transaction(async (tx) => {
        await fixRowText(tx);
        return tableFigures(tx);
      });
      const differ: string[] = [];
      for (const name of new Set([...Object.keys(figures), ...Object.keys(manifest.tables)])) {
        const a = manifest.tables[name];
        const b = figures[name];
        if (!a || !b || a.rows !== b.rows || a.digest !== b.digest)
          differ.push(`${name} (backup ${a ? a.rows : 'none'} rows, restored ${b ? b.rows : 'none'})`);
      }
      if (differ.length)
        throw new BackupError(
          `The restored tables differ from the backup's manifest: ${list(differ)}.` +
            (kind === 'postgres' ? ' Drop the database and restore again into a new one.' : ''),
        );
      const chain = await verifyAuditChain(restored.db);
      if (!chain.ok)
        throw new BackupError(
          `The restored audit chain is broken at row ${chain.firstBad!.id}: ${chain.firstBad!.reason}.` +
            (kind === 'postgres' ? ' Drop the database and restore again into a new one.' : ''),
        );
      auditRows = chain.checked;
    } finally {
      await restored.close();
    }
    // 4. Into place: the database directory, then the files.
    if (kind === 'pglite') {
      fs.rmSync(pgliteDir, { recursive: true, force: true });
      fs.renameSync(path.join(staging, 'pglite'), pgliteDir);
    }
    if (keyInBackup && !fs.existsSync(keyFile)) {
      fs.renameSync(path.join(staging, SECRET_KEY_FILE), keyFile);
      fs.chmodSync(keyFile, 0o600);
    }
    const stagedUploads = path.join(staging, 'uploads');
    if (fs.existsSync(stagedUploads)) {
      fs.rmSync(uploads, { recursive: true, force: true });
      fs.renameSync(stagedUploads, uploads);
    }
    await syncDirs(config.dataDir);
    const rows = Object.values(manifest.tables).reduce((n, t) => n + t.rows, 0);
    return {
      manifest,
      tables: Object.keys(manifest.tables).length,
      rows,
      files: manifest.files.length,
      auditRows,
    };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export { PgToolError };
