import { type SQL, sql } from 'drizzle-orm';
import type { Db, Executor } from './db/client';
import type { JobDefinition } from './jobs/types';

/**
 * Rollup deltas: the one way a module keeps statistics (docs/architecture.md, "Statistics").
 *
 * A request never updates a shared rollup row (a district's week is the same row for every report
 * of the district: every write would queue on its lock). Its transaction appends a row to an
 * append-only delta table instead; a job folds the deltas into the rollup table in batches, each
 * batch one transaction that adds them to the rollup rows and deletes them. Reads take the rollup
 * rows plus the deltas not yet folded (`source`), in one statement, so they are exact at any
 * moment: a fold commits its additions and its deletions together.
 */
export interface RollupSpec {
  /** The folded table. */
  table: string;
  /** Its key columns: the columns of its unique index, the conflict target of the fold. */
  keys: readonly string[];
  /** Its measure columns: summed. */
  measures: readonly string[];
  /** The delta table: append-only, with an `id bigserial` primary key. */
  deltas: string;
  /**
   * Rows in the folded table's shape (the key columns, then the measures, by name) made from
   * the delta rows of relation `d`. Default: the delta rows' own columns.
   */
  expand?: (d: SQL) => SQL;
  /** Runs in the fold's transaction after each batch with the keys it touched (derived flags). */
  afterFold?: (tx: Executor, touched: Record<string, unknown>[]) => Promise<void>;
}

export interface Rollup {
  readonly spec: RollupSpec;
  /** The rollup rows plus the expanded unfolded deltas: read statistics `FROM ${source} AS x`. */
  readonly source: SQL;
  /** The expanded unfolded deltas alone. */
  readonly unfolded: SQL;
  /**
   * Folds up to `batch` deltas in one transaction; answers how many. Folds of one rollup take
   * turns (a transaction-level advisory lock); a fold that finds another running answers 0.
   */
  foldBatch(db: Db, batch?: number): Promise<number>;
  /** Empties the deltas (a rebuild from the raw rows counts them: call it before counting). */
  discardDeltas(db: Executor): Promise<void>;
}

const cols = (names: readonly string[]) => sql.raw(names.join(', '));

/** A stable lock key per rollup table (FNV-1a of its name, in int4 range). */
function lockKey(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h | 0;
}

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : ((r as { rows?: T[] }).rows ?? [])) as T[];

/** A rollup kept by deltas. The tables exist in the module's schema.ts; this only reads names. */
export function defineRollup(spec: RollupSpec): Rollup {
  const all = [...spec.keys, ...spec.measures];
  const expand = spec.expand ?? ((d: SQL) => sql`SELECT ${cols(all)} FROM ${d}`);
  const unfolded = expand(sql.raw(spec.deltas));
  const source = sql`(SELECT ${cols(all)} FROM ${sql.raw(spec.table)} UNION ALL SELECT ${cols(all)} FROM (${unfolded}) unfolded_deltas)`;
  const key = lockKey(spec.table);
  return {
    spec,
    source,
    unfolded,
    async foldBatch(db, batch = 5_000) {
      return db.transaction(async (tx) => {
        const [got] = rowsOf<{ ok: boolean }>(
          await tx.execute(sql`SELECT pg_try_advisory_xact_lock(${key}) AS ok`),
        );
        if (!got?.ok) return 0;
        // One statement: take a batch (oldest first), delete it, add it up into the rollup rows
        // in key order (two folds never wait on each other's rows in opposite orders).
        const touched = rowsOf<Record<string, unknown> & { n: number }>(
          await tx.execute(sql`
            WITH d AS (
              DELETE FROM ${sql.raw(spec.deltas)} WHERE id IN (
                SELECT id FROM ${sql.raw(spec.deltas)} ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED
              ) RETURNING *
            ), x AS (${expand(sql`d`)}), n AS (SELECT count(*)::int AS n FROM d)
            INSERT INTO ${sql.raw(spec.table)} (${cols(all)})
            SELECT ${cols(spec.keys)}, ${sql.raw(spec.measures.map((m) => `sum(${m})`).join(', '))}
            FROM x GROUP BY ${cols(spec.keys)} ORDER BY ${cols(spec.keys)}
            ON CONFLICT (${cols(spec.keys)}) DO UPDATE SET
            ${sql.raw(spec.measures.map((m) => `${m} = ${spec.table}.${m} + excluded.${m}`).join(', '))}
            RETURNING ${cols(spec.keys)}, (SELECT n FROM n) AS n`),
        );
        if (touched.length && spec.afterFold) await spec.afterFold(tx, touched);
        return touched[0]?.n ?? 0;
      });
    },
    async discardDeltas(db) {
      await db.execute(sql`TRUNCATE ${sql.raw(spec.deltas)}`);
    },
  };
}

/**
 * A job that folds every rollup given until no delta is left (or `maxBatches` batches each), for
 * a module's manifest `jobs`. Scheduled every `everyMs`; the statistics stay exact between runs.
 */
export function foldRollupsJob(
  name: string,
  rollups: readonly Rollup[],
  opts: { everyMs: number; batch?: number; maxBatches?: number },
): JobDefinition {
  return {
    name,
    schedule: { every: opts.everyMs },
    // A fold a minute is 1,440 runs a day: the newest few say enough (core/jobs keepDone).
    keepDone: 20,
    async run(ctx) {
      const folded: Record<string, number> = {};
      for (const r of rollups) {
        let total = 0;
        for (let i = 0; i < (opts.maxBatches ?? 100) && !ctx.signal.aborted; i++) {
          const n = await r.foldBatch(ctx.db, opts.batch);
          total += n;
          if (n < (opts.batch ?? 5_000)) break;
        }
        folded[r.spec.table] = total;
      }
      return { folded };
    },
  };
}

/** Folds every rollup completely (tests, scripts, and after a restart before comparing). */
export async function foldAll(db: Db, rollups: readonly Rollup[]): Promise<number> {
  let total = 0;
  for (const r of rollups) {
    for (;;) {
      const n = await r.foldBatch(db);
      total += n;
      if (n === 0) break;
    }
  }
  return total;
}
