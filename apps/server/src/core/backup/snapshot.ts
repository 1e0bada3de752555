import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { migrationsFolder } from '../db/migrate';

/**
 * What a backup records about the database it dumped, read inside the dump's own snapshot:
 * rows and a digest of every table, the migration level, and the files that rows name.
 * The same reads check a restored database against the manifest.
 */

export interface TableFigure {
  rows: number;
  /**
   * Sum over the rows of the first 60 bits of md5(row as text), as a decimal: any changed, lost
   * or added row changes it, and it needs no ordering or memory beyond one row at a time.
   */
  digest: string;
}

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];

async function query<T>(db: Executor, text: string): Promise<T[]> {
  return rowsOf<T>(await db.execute(sql.raw(text)));
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Row text must not depend on the session: the backup and the restore compare it. */
export async function fixRowText(db: Executor): Promise<void> {
  for (const s of [
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    'SET LOCAL extra_float_digits = 1',
    "SET LOCAL bytea_output = 'hex'",
  ])
    await db.execute(sql.raw(s));
}

const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/** Every ordinary table outside the system schemas, as `schema.table`. */
export async function userTables(db: Executor): Promise<{ schema: string; name: string }[]> {
  return query<{ schema: string; name: string }>(
    db,
    `SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMAS} ORDER BY 1, 2`,
  );
}

/** Relations of any kind outside the system schemas: a database with none is empty. */
export async function userRelations(db: Executor): Promise<string[]> {
  const rows = await query<{ name: string }>(
    db,
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_SCHEMAS} ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** Rows and digest of every table (run inside a transaction after `fixRowText`). */
export async function tableFigures(db: Executor): Promise<Record<string, TableFigure>> {
  const out: Record<string, TableFigure> = {};
  for (const t of await userTables(db)) {
    const [r] = await query<{ rows: string; digest: string }>(
      db,
      `SELECT count(*)::text AS rows,
              coalesce(sum(('x' || substr(md5(linli_row__::text), 1, 15))::bit(60)::int8), 0)::text AS digest
       FROM ${ident(t.schema)}.${ident(t.name)} linli_row__`,
    );
    out[`${t.schema}.${t.name}`] = { rows: Number(r!.rows), digest: r!.digest };
  }
  return out;
}

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

/** The migrations this code ships (drizzle's journal). */
export function shippedMigrations(): JournalEntry[] {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta/_journal.json'), 'utf8')) as {
    entries: JournalEntry[];
  };
  return journal.entries;
}

/** How many migrations the database has applied, and the tag of the last one when this code knows it. */
export async function migrationLevel(db: Executor): Promise<{ applied: number; last: string | null }> {
  const [exists] = await query<{ t: string | null }>(
    db,
    `SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t`,
  );
  if (!exists?.t) return { applied: 0, last: null };
  const rows = await query<{ created_at: string }>(
    db,
    'SELECT created_at::text AS created_at FROM drizzle.__drizzle_migrations ORDER BY created_at',
  );
  const byWhen = new Map(shippedMigrations().map((e) => [String(e.when), e.tag]));
  const last = rows.at(-1);
  return { applied: rows.length, last: last ? (byWhen.get(last.created_at) ?? null) : null };
}

export interface NamedFile {
  table: string;
  path: string;
  /** The checksum the row recorded, when its table keeps one. */
  sha256: string | null;
}

/**
 * Files named by rows: every `stored_path` column of every table (the upload store's
 * convention, core/files.ts), with the row's `sha256` when the table has that column.
 */
export async function namedFiles(db: Executor): Promise<NamedFile[]> {
  const cols = await query<{ schema: string; name: string; has_sha: boolean }>(
    db,
    `SELECT c.table_schema AS schema, c.table_name AS name,
            EXISTS (SELECT 1 FROM information_schema.columns s
                    WHERE s.table_schema = c.table_schema AND s.table_name = c.table_name
                      AND s.column_name = 'sha256') AS has_sha
     FROM information_schema.columns c JOIN information_schema.tables t
       ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
     WHERE c.column_name = 'stored_path' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
     ORDER BY 1, 2`,
  );
  const out: NamedFile[] = [];
  for (const c of cols) {
    const table = `${c.schema}.${c.name}`;
    const rows = await query<{ path: string; sha256: string | null }>(
      db,
      `SELECT stored_path AS path, ${c.has_sha ? 'sha256' : 'NULL::text'} AS sha256
       FROM ${ident(c.schema)}.${ident(c.name)} WHERE stored_path IS NOT NULL`,
    );
    for (const r of rows) out.push({ table, path: r.path, sha256: r.sha256 });
  }
  return out;
}

/** `15.18` → 15 */
export async function serverVersion(db: Executor): Promise<{ version: string; major: number }> {
  const [r] = await query<{ v: string; n: string }>(
    db,
    "SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n",
  );
  return { version: r!.v, major: Math.floor(Number(r!.n) / 10000) };
}
