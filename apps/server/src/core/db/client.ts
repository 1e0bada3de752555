import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { Config } from '../../config';
import * as schema from '../../schema';
import { openDurablePglite, type WalSync } from './durable-fs';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Queries take either the database or a transaction: `(db | tx, params) => rows`. */
export type Executor = Db | Tx;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Runs raw SQL (migrations, health checks, tests). */
  exec(sqlText: string): Promise<void>;
  close(): Promise<void>;
  /** The PGlite instance, when embedded (tests dump and clone it). */
  pglite: PGlite | null;
  /** Counts statements sent, so tests can check that a list costs a bounded number of queries. */
  queryCount(): number;
  /**
   * Calls `fn` with the text of every statement sent from now on, until the returned function is
   * called: tests count and name what a route costs. BEGIN and COMMIT are not among them.
   */
  watchQueries(fn: (sqlText: string) => void): () => void;
  /**
   * Resolves once every commit made before the call is on stable storage: the server awaits it
   * before acknowledging a write. PostgreSQL's own commit already is (synchronous_commit); the
   * embedded database on disk syncs its WAL here (core/db/durable-fs.ts, decision 20).
   */
  durable(): Promise<void>;
  /** The embedded database's WAL syncer (on disk only), for tests and the bench to observe. */
  walSync: WalSync | null;
  /** Connections now, for `/metrics` (core/metrics.ts). */
  connections(): ConnectionStats;
}

/**
 * A pool's use: `total` connections open, `idle` of them free, `waiting` queries queued for one.
 * PGlite has one connection, busy while a query or transaction runs; the calls behind it wait.
 */
export interface ConnectionStats {
  max: number;
  total: number;
  idle: number;
  waiting: number;
}

/** In-flight calls on each PGlite instance (one counter per instance, however often it is opened). */
const pgliteCalls = new WeakMap<PGlite, { inFlight: number }>();

/**
 * Counts the calls Drizzle and our own code make on a PGlite instance (`query`, `exec`,
 * `transaction`) while they run: PGlite serialises them on its one connection, so one runs and
 * the rest wait. A transaction counts once however many statements it sends.
 */
function countPgliteCalls(client: PGlite): { inFlight: number } {
  const known = pgliteCalls.get(client);
  if (known) return known;
  const calls = { inFlight: 0 };
  const done = () => {
    calls.inFlight--;
  };
  for (const name of ['query', 'exec', 'transaction'] as const) {
    const inner = (client[name] as (...args: unknown[]) => Promise<unknown>).bind(client);
    (client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      calls.inFlight++;
      const p = inner(...args);
      p.then(done, done);
      return p;
    };
  }
  pgliteCalls.set(client, calls);
  return calls;
}

const settled = Promise.resolve();
const TX_CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

/**
 * The one database client factory: node-postgres when DATABASE_URL is set, else PGlite persisted
 * under DATA_DIR/pglite (or in memory for tests); `loadDataDir` loads a dump into either.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databaseInMemory'>,
  options: { loadDataDir?: Blob; pglite?: PGlite } = {},
): Promise<Database> {
  let count = 0;
  const watchers = new Set<(sqlText: string) => void>();
  const logger = {
    logQuery(sqlText: string) {
      count++;
      // node-postgres sends a transaction's BEGIN and COMMIT as statements, PGlite does not:
      // watchers see the same statements on both.
      if (watchers.size && !TX_CONTROL.test(sqlText)) for (const w of watchers) w(sqlText);
    },
  };
  const watchQueries = (fn: (sqlText: string) => void) => {
    watchers.add(fn);
    return () => {
      watchers.delete(fn);
    };
  };
  if (config.databaseUrl) {
    const max = 10;
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max });
    // A dropped idle connection must not take the process down; the pool replaces it.
    pool.on('error', () => {});
    const db = drizzlePg(pool, { schema, casing: 'snake_case', logger }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      pglite: null,
      async exec(sqlText) {
        await pool.query(sqlText);
      },
      async close() {
        await pool.end();
      },
      queryCount: () => count,
      watchQueries,
      durable: () => settled,
      walSync: null,
      connections: () => ({
        max,
        total: pool.totalCount,
        idle: pool.idleCount,
        waiting: pool.waitingCount,
      }),
    };
  }
  let client = options.pglite;
  let walSync: WalSync | null = null;
  if (!client) {
    if (config.databaseInMemory) {
      client = new PGlite({ loadDataDir: options.loadDataDir });
    } else {
      // With loadDataDir, a dump is written into an empty DATA_DIR/pglite (restore, test copies).
      ({ client, walSync } = openDurablePglite(path.join(config.dataDir, 'pglite'), options.loadDataDir));
    }
  }
  await client.waitReady;
  const pgl = client;
  const calls = countPgliteCalls(pgl);
  const db = drizzlePglite(pgl, { schema, casing: 'snake_case', logger }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    pglite: pgl,
    async exec(sqlText) {
      await pgl.exec(sqlText);
    },
    async close() {
      if (!pgl.closed) await pgl.close();
    },
    queryCount: () => count,
    watchQueries,
    durable: walSync ? () => walSync.sync() : () => settled,
    walSync,
    connections: () => ({
      max: 1,
      total: 1,
      idle: calls.inFlight > 0 ? 0 : 1,
      waiting: Math.max(0, calls.inFlight - 1),
    }),
  };
}
