import { type SQL, sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './client';

/** Rows per statement: one JSON parameter each, a few MB at most. */
const CHUNK = 4000;

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const jsonValue = (v: unknown) => (v instanceof Date ? v.toISOString() : v === undefined ? null : v);

/**
 * Inserts many rows of `table` with one statement per few thousand rows: the rows travel as one
 * JSON parameter and `json_to_recordset` turns them into typed columns
 * (`INSERT … SELECT … FROM json_to_recordset($1)`), so PGlite parses one parameter instead of a
 * value per cell, and no statement comes near PostgreSQL's 65,535-parameter limit. Every row
 * names the same columns (those of the first row); columns left out take their defaults.
 * `onConflict` is appended as written (`ON CONFLICT (…) DO UPDATE SET …`).
 * For generated and imported data (demo history, bulk loads); services insert through Drizzle.
 */
export async function bulkInsert<T extends PgTable>(
  db: Executor,
  table: T,
  rows: readonly T['$inferInsert'][],
  options: { onConflict?: SQL } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const config = getTableConfig(table);
  const keys = Object.keys(rows[0]!);
  for (const r of rows)
    for (const k of new Set([...keys, ...Object.keys(r)]))
      if (!(k in r) || !(k in rows[0]!))
        throw new Error(`bulkInsert: every row of ${config.name} must name the same columns (${k})`);
  const columns = keys.map((key) => {
    const column = config.columns.find((c) => c.name === key || snake(c.name) === key);
    if (!column) throw new Error(`bulkInsert: ${config.name} has no column ${key}`);
    const name = (column as { keyAsName?: boolean }).keyAsName ? snake(column.name) : column.name;
    // Serial types are not types outside CREATE TABLE.
    const type = column
      .getSQLType()
      .replace(/^bigserial$/, 'bigint')
      .replace(/^serial$/, 'integer');
    return { key, name, type };
  });
  const names = sql.raw(columns.map((c) => `"${c.name}"`).join(', '));
  const shape = sql.raw(columns.map((c) => `"${c.key}" ${c.type}`).join(', '));
  for (let i = 0; i < rows.length; i += CHUNK) {
    const json = JSON.stringify(
      rows.slice(i, i + CHUNK).map((r) => {
        const out: Record<string, unknown> = {};
        for (const k of keys) out[k] = jsonValue((r as Record<string, unknown>)[k]);
        return out;
      }),
    );
    await db.execute(
      sql`INSERT INTO ${sql.raw(`"${config.name}"`)} (${names}) SELECT * FROM json_to_recordset(${json}::json) AS x(${shape})${options.onConflict ? sql` ${options.onConflict}` : sql``}`,
    );
  }
  return rows.length;
}
