/**
 * `npm run bench:seed-cases -w bench`: fills a PostgreSQL database with a district's worth of
 * 城社共治 cases (default 1,000,000 over two years, with their history rows) so the dispatch board
 * and the statistics can be measured at the size a district reaches (see cases.ts).
 *
 * DATABASE_URL must point at an empty database or one Linli has already migrated. The script
 * starts Linli on it once with demo data (migrations, the org tree, categories, squads), stops it,
 * then inserts in batches with set-based SQL (generate_series), so a million rows take minutes,
 * not hours. Ids are UUIDv7 built from each case's creation time, as the app makes them, so
 * "newest first" is still "id descending".
 *
 * The cases go in behind the workflow's back, so the statistics rollups are rebuilt from them at
 * the end (`rebuildCaseStats`); `CASES=0` does only that (and the migrations) on a filled database.
 *
 * Env: CASES (default 1000000), BATCH (default 100000).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
// The server's Fastify augmentations, for type-checking the modules imported below.
import type {} from '../apps/server/src/app';
import { openDatabase } from '../apps/server/src/core/db/client';
import { rebuildCaseStats } from '../apps/server/src/modules/cases/rollups';

const ROOT = path.resolve(import.meta.dirname, '..');
const TOTAL = Number(process.env.CASES ?? 1_000_000);
const BATCH = Number(process.env.BATCH ?? 100_000);
const DATABASE_URL = process.env.DATABASE_URL;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts Linli once on the database (migrate + seed the demo district), then stops it. */
async function prepareSchema(url: string) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-seed-'));
  let out = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LINLI_DEMO: 'on',
      LINLI_DEMO_HISTORY: 'off',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: url,
      SERVE_WEB: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Linli exited:\n${out}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`Linli did not become ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const UUIDV7 = `
CREATE OR REPLACE FUNCTION pg_temp.uuidv7_at(ts timestamptz) RETURNS uuid AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
        placing substring(int8send(floor(extract(epoch FROM ts) * 1000)::bigint) FROM 3)
        FROM 1 FOR 6),
      52, 1), 53, 1), 'hex')::uuid
$$ LANGUAGE sql VOLATILE;`;

// Status by share of all cases: most are long closed, a few per cent are being worked on.
const STATUSES: [string, number][] = [
  ['rated', 0.55],
  ['closed', 0.3],
  ['not_registered', 0.03],
  ['reported', 0.01],
  ['registered', 0.01],
  ['dispatched', 0.02],
  ['accepted', 0.02],
  ['handling', 0.03],
  ['handled', 0.03],
];
/** How many history rows each status implies (reported → … → closed → rated). */
const STEPS: Record<string, number> = {
  reported: 1,
  not_registered: 2,
  registered: 2,
  dispatched: 3,
  accepted: 4,
  handling: 5,
  handled: 6,
  closed: 7,
  rated: 8,
};
const STEP_NAMES = ['report', 'register', 'dispatch', 'accept', 'start', 'handle', 'verify_pass', 'rate'];

function statusCase(r: string): string {
  let acc = 0;
  const arms = STATUSES.map(([s, share]) => {
    acc += share;
    return `WHEN ${r} < ${acc.toFixed(4)} THEN '${s}'`;
  });
  return `CASE ${arms.join(' ')} ELSE 'closed' END`;
}

async function main() {
  if (!DATABASE_URL) throw new Error('Set DATABASE_URL to the PostgreSQL database to fill.');
  const started = Date.now();
  await prepareSchema(DATABASE_URL);
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(UUIDV7);
  const { rows: districts } = await client.query<{ id: string }>(
    `SELECT id FROM org_units WHERE kind = 'district' ORDER BY created_at LIMIT 1`,
  );
  const district = districts[0]?.id;
  if (!district) throw new Error('No district: did the demo seed run?');
  const before = Number((await client.query('SELECT count(*) FROM cases')).rows[0].count);
  console.log(`district ${district}; ${before} cases already; adding ${TOTAL}`);

  // Where cases land: every village or community (and the grid under it, when there is one).
  await client.query(`
    CREATE TEMP TABLE seed_units AS
    SELECT row_number() OVER (ORDER BY c.id) AS n, c.id AS community_id,
           coalesce((SELECT g.id FROM org_units g WHERE g.parent_id = c.id AND g.kind = 'grid' LIMIT 1), c.id) AS unit_id,
           (SELECT s.id FROM squads s WHERE s.org_unit_id = c.id LIMIT 1) AS squad_id
    FROM org_units c WHERE c.kind = 'community' AND c.status = 'active'`);
  await client.query(`
    CREATE TEMP TABLE seed_categories AS
    SELECT row_number() OVER (ORDER BY code) AS n, code FROM case_categories
    WHERE district_id = '${district}' AND parent_code IS NOT NULL`);
  const units = Number((await client.query('SELECT count(*) FROM seed_units')).rows[0].count);
  const categories = Number((await client.query('SELECT count(*) FROM seed_categories')).rows[0].count);
  if (!units || !categories)
    throw new Error(`nothing to seed into: ${units} units, ${categories} categories`);

  for (let from = 1; from <= TOTAL; from += BATCH) {
    const to = Math.min(TOTAL, from + BATCH - 1);
    const t0 = Date.now();
    await client.query('BEGIN');
    // Cases and, in the same statement, their history: created over the last two years (recent
    // days a little more often), spread over every community, category and status; open ones
    // have a deadline, some of it passed.
    await client.query(`
      WITH g AS (
        SELECT i,
               now() - (interval '730 days') * power(random(), 1.3) AS created,
               random() AS rs, random() AS rd,
               1 + floor(random() * ${units})::int AS un,
               1 + floor(random() * ${categories})::int AS cn
        FROM generate_series(${from}, ${to}) i
      ), s AS (
        SELECT g.*, ${statusCase('g.rs')} AS status FROM g
      )
      , ins AS (
      INSERT INTO cases (id, district_id, number, category_code, description, lat, lng, address,
        org_unit_id, community_id, handler_kind, squad_id, status, step_started_at, due_at, red_at,
        overdue_level, hide_name, source, reopened, supervised, rating, closed_at, created_at, updated_at)
      SELECT pg_temp.uuidv7_at(s.created), '${district}',
        '510604-' || to_char(s.created AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || '-B' || lpad(s.i::text, 7, '0'),
        c.code, '批量生成的测试诉求 #' || s.i,
        31.25 + random() * 0.15, 104.42 + random() * 0.18, '罗江区测试地址 ' || s.i,
        u.unit_id, u.community_id,
        CASE WHEN s.status IN ('reported', 'registered', 'not_registered') OR u.squad_id IS NULL THEN NULL ELSE 'squad' END,
        CASE WHEN s.status IN ('reported', 'registered', 'not_registered') THEN NULL ELSE u.squad_id END,
        s.status,
        s.created + interval '1 hour',
        CASE WHEN s.status IN ('closed', 'rated', 'not_registered') THEN NULL
             ELSE now() + (interval '48 hours') * (s.rd - 0.3) END,
        CASE WHEN s.status IN ('closed', 'rated', 'not_registered') THEN NULL
             ELSE now() + (interval '96 hours') * (s.rd - 0.3) END,
        CASE WHEN s.status NOT IN ('closed', 'rated', 'not_registered') AND s.rd < 0.3 THEN 1 ELSE 0 END,
        random() < 0.2, 'resident', random() < 0.02, random() < 0.01,
        CASE WHEN s.status = 'rated' THEN (ARRAY['satisfied', 'satisfied', 'satisfied', 'basically_satisfied', 'unsatisfied'])[1 + floor(random() * 5)::int] END,
        CASE WHEN s.status IN ('closed', 'rated') THEN s.created + (interval '72 hours') * random() + interval '2 hours' END,
        s.created, s.created
      FROM s JOIN seed_units u ON u.n = s.un JOIN seed_categories c ON c.n = s.cn
      RETURNING id, status, created_at
      )
      -- History: one row per step the status implies, an hour or so apart.
      INSERT INTO case_history (id, case_id, step, from_status, to_status, public, at)
      SELECT pg_temp.uuidv7_at(ins.created_at + (interval '1 hour') * k), ins.id,
        (ARRAY[${STEP_NAMES.map((s) => `'${s}'`).join(', ')}])[k + 1],
        NULL, ins.status, true, ins.created_at + (interval '1 hour') * k
      FROM ins
      JOIN LATERAL generate_series(0, (CASE ins.status ${Object.entries(STEPS)
        .map(([s, n]) => `WHEN '${s}' THEN ${n - 1}`)
        .join(' ')} ELSE 0 END)) k ON true`);
    await client.query('COMMIT');
    console.log(`cases ${from}–${to} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  await client.query('ANALYZE');
  const t1 = Date.now();
  const database = await openDatabase({ databaseUrl: DATABASE_URL, dataDir: '', databaseInMemory: false });
  try {
    await rebuildCaseStats(database.db);
  } finally {
    await database.close();
  }
  await client.query('ANALYZE case_stats_weekly, case_hotspots_daily');
  const rollupRows = (await client.query('SELECT count(*) FROM case_stats_weekly')).rows[0].count;
  console.log(
    `statistics rollups rebuilt in ${((Date.now() - t1) / 1000).toFixed(0)} s (${rollupRows} weekly rows)`,
  );
  const after = (await client.query('SELECT count(*) FROM cases')).rows[0].count;
  const history = (await client.query('SELECT count(*) FROM case_history')).rows[0].count;
  console.log(
    `${after} cases, ${history} history rows; ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
  );
  await client.end();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
