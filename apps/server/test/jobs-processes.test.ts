import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/core/db/client';
import { runMigrations } from '../src/core/db/migrate';
import { enqueueJob } from '../src/core/jobs/queue';
import { TEST_SECRET_KEY } from './config';
import { openTestDatabase } from './harness';
import { inject } from 'vitest';
import { startThrowawayPostgres } from './postgres-server';

/**
 * Two server processes on one PostgreSQL (the real app, started as main.ts starts it, with a test
 * module's jobs beside the product's): each job runs once, a scheduled job once per slot, and a
 * job whose process was killed (kill -9) is run by the other after its lease. On the PostgreSQL
 * run (DATABASE_URL) it uses the test database copy; otherwise it starts a throwaway server.
 */
const cwd = path.resolve(import.meta.dirname, '..');
const N = 200;
let database: Database;
let url: string;
let cleanup: () => Promise<void>;
const workers: Worker[] = [];
const dirs: string[] = [];

interface Worker {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
  ready: Promise<void>;
}

function startWorker(name: string): Worker {
  let out = '';
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `linli-jobs-${name}-`));
  dirs.push(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/jobs-server.ts'], {
    cwd,
    env: {
      ...process.env,
      // As `npm start` runs it (the runner does not start itself under NODE_ENV=test).
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      LINLI_DEMO: 'off',
      SERVE_WEB: 'off',
      LOG_LEVEL: 'warn',
      LINLI_SECRET_KEY: TEST_SECRET_KEY,
      DATA_DIR: dataDir,
      DATABASE_URL: url,
      WORKER_NAME: name,
      JOBS_POLL_MS: '50',
      JOBS_LEASE_SECONDS: '3',
      JOBS_CONCURRENCY: '4',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let ready: () => void = () => {};
  const readyP = new Promise<void>((r) => (ready = r));
  child.stdout!.on('data', (d) => {
    out += d;
    if (out.includes(`ready ${name}`)) ready();
  });
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const w = {
    name,
    child,
    exited,
    output: () => out,
    ready: Promise.race([
      readyP,
      exited.then((code) => {
        throw new Error(`worker ${name} exited (${code}) before it was ready:\n${out}`);
      }),
    ]),
  };
  workers.push(w);
  return w;
}

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];
const query = async <T>(q: ReturnType<typeof sql>) => rowsOf<T>(await database.db.execute(q));

async function until(check: () => Promise<boolean>, what: string, ms = 120_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end)
      throw new Error(`${what}: not reached in ${ms} ms\n${workers.map((w) => w.output()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (inject('pgTemplateUrl')) {
    const copy = await openTestDatabase();
    database = copy.database;
    url = copy.url!;
    cleanup = copy.drop;
  } else {
    const server = await startThrowawayPostgres();
    url = server.url;
    database = await openDatabase({ databaseUrl: url, dataDir: '', databaseInMemory: false });
    await runMigrations(database);
    cleanup = async () => {
      await database.close();
      await server.stop();
    };
  }
  await database.exec(
    'CREATE TABLE test_job_runs (job_id uuid NOT NULL, worker text NOT NULL, attempt int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())',
  );
  await database.exec('DELETE FROM jobs');
}, 180_000);

afterAll(async () => {
  for (const w of workers)
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await cleanup?.();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('two server processes on one PostgreSQL', () => {
  it('run each job once, each schedule slot once, and take over the jobs of a killed process', async () => {
    // One after the other: on an empty database the first migrates and seeds it.
    await startWorker('a').ready;
    await startWorker('b').ready;

    // N jobs committed at once: both processes see them at their next poll.
    const ids = await database.db.transaction(async (tx) => {
      const out: string[] = [];
      for (let n = 0; n < N; n++)
        out.push((await enqueueJob(tx, { name: 'test.record', payload: { n } })).id);
      return out;
    });
    await until(async () => {
      const [r] = await query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM jobs WHERE name = 'test.record' AND state = 'done'`,
      );
      return r!.n === N;
    }, 'all jobs done');

    const runs = await query<{ job_id: string; worker: string; attempt: number }>(
      sql`SELECT job_id, worker, attempt FROM test_job_runs WHERE job_id IN (SELECT id FROM jobs WHERE name = 'test.record')`,
    );
    expect(runs).toHaveLength(N);
    expect(new Set(runs.map((r) => r.job_id))).toEqual(new Set(ids));
    expect(runs.every((r) => r.attempt === 1)).toBe(true);
    const byWorker = { a: 0, b: 0 } as Record<string, number>;
    for (const r of runs) byWorker[r.worker]!++;
    // Both took part: the claims really competed.
    expect(byWorker.a).toBeGreaterThan(0);
    expect(byWorker.b).toBeGreaterThan(0);

    // The every-second schedule: both processes enqueue each slot, one row and one run per slot.
    await until(async () => {
      const [r] = await query<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM jobs WHERE name = 'test.tick' AND state = 'done'`,
      );
      return r!.n >= 3;
    }, 'three ticks');
    const ticks = await query<{ slot: string; runs: number }>(sql`
      SELECT j.slot::text AS slot, count(r.job_id)::int AS runs FROM jobs j
      LEFT JOIN test_job_runs r ON r.job_id = j.id
      WHERE j.name = 'test.tick' AND j.state = 'done' GROUP BY j.slot`);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every((t) => t.runs === 1)).toBe(true);

    // The product's own scheduled job ran there too, once per slot: the SLA sweep.
    const sweeps = await query<{ state: string; attempts: number }>(
      sql`SELECT state, attempts FROM jobs WHERE name = 'cases.slaSweep'`,
    );
    expect(sweeps.filter((s) => s.state === 'done').length).toBeGreaterThanOrEqual(1);
    expect(sweeps.every((s) => ['queued', 'running', 'done'].includes(s.state) && s.attempts <= 1)).toBe(
      true,
    );

    // A process killed in the middle of a job: the other runs it after the lease (3 s).
    const { id: held } = await enqueueJob(database.db, { name: 'test.hold', maxAttempts: 3 });
    await until(async () => {
      const r = await query<{ worker: string }>(sql`SELECT worker FROM test_job_runs WHERE job_id = ${held}`);
      return r.length === 1;
    }, 'the held job started');
    const [first] = await query<{ worker: string }>(
      sql`SELECT worker FROM test_job_runs WHERE job_id = ${held}`,
    );
    const victim = workers.find((w) => w.name === first!.worker)!;
    const survivor = workers.find((w) => w !== victim)!;
    victim.child.kill('SIGKILL');
    await victim.exited;
    await until(async () => {
      const [r] = await query<{ state: string }>(sql`SELECT state FROM jobs WHERE id = ${held}`);
      return r!.state === 'done';
    }, 'the held job taken over');
    const held2 = await query<{ worker: string; attempt: number }>(
      sql`SELECT worker, attempt FROM test_job_runs WHERE job_id = ${held} ORDER BY attempt`,
    );
    expect(held2).toEqual([
      { worker: victim.name, attempt: 1 },
      { worker: survivor.name, attempt: 2 },
    ]);
    const [job] = await query<{ attempts: number; last_error: string }>(
      sql`SELECT attempts, last_error FROM jobs WHERE id = ${held}`,
    );
    expect(job).toEqual({ attempts: 2, last_error: 'lease expired: the worker running attempt 1 stopped' });

    // The survivor stops cleanly on SIGTERM.
    survivor.child.kill('SIGTERM');
    expect(await survivor.exited).toBe(0);
    // Nothing ran twice anywhere.
    const dup = await query<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM (
        SELECT job_id, attempt FROM test_job_runs GROUP BY job_id, attempt HAVING count(*) > 1) d`);
    expect(dup[0]!.n).toBe(0);
  }, 420_000);
});
