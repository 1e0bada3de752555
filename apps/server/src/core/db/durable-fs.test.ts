import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app';
import { openDatabase, type Database } from './client';
import { testConfig } from '../../../test/config';

// The embedded database on disk: commits are synced before a write is acknowledged (decision 20).
let dir: string;
let database: Database;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-durable-'));
  database = await openDatabase({ databaseUrl: null, dataDir: dir, databaseInMemory: false });
  await database.exec('CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL)');
});
afterAll(async () => {
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const insert = (v: string) => database.pglite!.query('INSERT INTO t (v) VALUES ($1)', [v]);

describe('durable commits on the embedded database', () => {
  it('runs PostgreSQL with fsync on', async () => {
    const res = await database.pglite!.query<{ fsync: string }>('SHOW fsync');
    expect(res.rows[0]!.fsync).toBe('on');
  });

  it('syncs the WAL segment a commit wrote before durable() resolves', async () => {
    const ws = database.walSync!;
    const before = ws.rounds;
    await insert('a');
    await database.durable();
    expect(ws.rounds).toBe(before + 1);
    expect(ws.lastFiles.length).toBeGreaterThan(0);
    for (const f of ws.lastFiles) {
      expect(f.startsWith(path.join(dir, 'pglite', 'pg_wal') + path.sep)).toBe(true);
      expect(fs.existsSync(f)).toBe(true);
    }
  });

  it('does no sync when nothing was written since the last one', async () => {
    const ws = database.walSync!;
    await insert('b');
    await database.durable();
    const rounds = ws.rounds;
    await database.pglite!.query('SELECT count(*) FROM t');
    await database.durable();
    expect(ws.rounds).toBe(rounds);
  });

  it('groups the syncs of commits that wait together', async () => {
    const ws = database.walSync!;
    const rounds = ws.rounds;
    await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        await insert(`c${i}`);
        await database.durable();
      }),
    );
    // PGlite runs the eight commits one after another; their syncs share rounds.
    expect(ws.rounds - rounds).toBeGreaterThanOrEqual(1);
    expect(ws.rounds - rounds).toBeLessThan(8);
  });

  it('keeps what was acknowledged across a reopen', async () => {
    await insert('kept');
    await database.durable();
    await database.close();
    database = await openDatabase({ databaseUrl: null, dataDir: dir, databaseInMemory: false });
    const res = await database.pglite!.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM t WHERE v = 'kept'",
    );
    expect(res.rows[0]!.n).toBe(1);
  });

  it('answers a write request only after its commit was synced', async () => {
    const app = await buildApp({ config: testConfig({ dataDir: dir }), database, logger: false });
    try {
      const ws = database.walSync!;
      // A route that writes, registered next to the real ones for this test.
      app.post(
        '/api/v1/test-probe',
        { config: { permission: 'public' }, schema: { hide: true } },
        async () => {
          await insert('probe');
          return { ok: true };
        },
      );
      await database.durable();
      const rounds = ws.rounds;
      const res = await app.inject({ method: 'POST', url: '/api/v1/test-probe' });
      expect(res.statusCode).toBe(200);
      expect(ws.rounds).toBe(rounds + 1);
      // A read acknowledges nothing and waits for no sync.
      await insert('not acknowledged');
      await app.inject('/healthz');
      expect(ws.rounds).toBe(rounds + 1);
    } finally {
      await app.close();
    }
  });
});
