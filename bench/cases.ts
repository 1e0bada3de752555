/**
 * `npm run bench:cases -w bench`: the 城社共治 lists at a district's size. Run `bench:seed-cases`
 * first (1M cases on PostgreSQL), then this with the same DATABASE_URL. Starts Linli on that
 * database and drives, with a few connections as a busy dispatch room would:
 * - the dispatch board (GET /api/v1/cases, first page and a page deep in the list) as the
 *   district admin (every case in scope) and as 翰林社区's secretary (one community);
 * - the statistics (GET /api/v1/cases/stats) for the whole district and for one community, all
 *   time and for a quarter of one major class, and the admin narrowed to one community;
 * - one case (GET /api/v1/cases/:id).
 * Reports requests per second and p50/p95/p99 latency. The budget in issue #5 is p95 ≤ 150 ms for
 * the board and the statistics; this script reports, it does not assert.
 *
 * Env: BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 4).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const PASSWORD = process.env.LINLI_DEMO_PASSWORD ?? 'Linli@2026';
const DATABASE_URL = process.env.DATABASE_URL;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function startLinli(url: string) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-bench-cases-'));
  let out = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LINLI_DEMO: 'off',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: url,
      SERVE_WEB: 'off',
      // The bench signs in many times a minute from one address.
      LOGIN_RATE_PER_IP_PER_MINUTE: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Linli exited:\n${out}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`Linli did not become ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function signIn(base: string, username: string) {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: base },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in ${username}: ${res.status} ${await res.text()}`);
  return {
    cookie: res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; '),
    origin: base,
  };
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

async function drive(name: string, url: string, headers: Record<string, string>): Promise<Row> {
  // One request first: it must succeed, or the figures would time errors.
  const probe = await fetch(url, { headers });
  if (!probe.ok) {
    console.error(`${name}: ${probe.status} ${(await probe.text()).slice(0, 300)}`);
    return { name: `${name} (failed: ${probe.status})`, rps: 0, p50: 0, p95: 0, p99: 0, errors: 1 };
  }
  // autocannon's histogram has no p95: keep every response time and take the percentiles here.
  const times: number[] = [];
  const instance = autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => times.push(ms));
  const r = await instance;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return {
    name,
    rps: r.requests.average,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    errors: r.non2xx + r.errors,
  };
}

async function main() {
  if (!DATABASE_URL) throw new Error('Set DATABASE_URL to the database bench:seed-cases filled.');
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const total = Number((await client.query('SELECT count(*) FROM cases')).rows[0].count);
  const { rows: hanlin } = await client.query<{ id: string }>(
    `SELECT id FROM org_units WHERE name = '翰林社区'`,
  );
  const { rows: one } = await client.query<{ id: string }>(
    `SELECT id FROM cases WHERE community_id = $1 ORDER BY id DESC LIMIT 1`,
    [hanlin[0]?.id],
  );
  await client.end();
  const linli = await startLinli(DATABASE_URL);
  try {
    const admin = await signIn(linli.base, 'admin');
    const secretary = await signIn(linli.base, 'hanlin-secretary');
    // A page deep in the board: follow the cursor five pages down first.
    let deep = `${linli.base}/api/v1/cases?limit=20`;
    for (let i = 0; i < 5; i++) {
      const res = (await (await fetch(deep, { headers: admin })).json()) as { nextCursor: string | null };
      if (!res.nextCursor) break;
      deep = `${linli.base}/api/v1/cases?limit=20&cursor=${encodeURIComponent(res.nextCursor)}`;
    }
    const rows: Row[] = [];
    rows.push(await drive('board, district admin, page 1', `${linli.base}/api/v1/cases?limit=20`, admin));
    rows.push(await drive('board, district admin, page 6', deep, admin));
    rows.push(
      await drive('board, 翰林社区 secretary, page 1', `${linli.base}/api/v1/cases?limit=20`, secretary),
    );
    rows.push(
      await drive('board, overdue only (admin)', `${linli.base}/api/v1/cases?limit=20&overdue=true`, admin),
    );
    rows.push(await drive('statistics, whole district', `${linli.base}/api/v1/cases/stats`, admin));
    rows.push(await drive('statistics, 翰林社区', `${linli.base}/api/v1/cases/stats`, secretary));
    // The console's usual filters: a quarter and a major class; one community from the top.
    const quarter = `from=2026-07-01&to=2026-09-30&categoryCode=02`;
    rows.push(
      await drive('statistics, district, Q3, 02xx', `${linli.base}/api/v1/cases/stats?${quarter}`, admin),
    );
    rows.push(
      await drive('statistics, 翰林社区, Q3, 02xx', `${linli.base}/api/v1/cases/stats?${quarter}`, secretary),
    );
    if (hanlin[0])
      rows.push(
        await drive(
          'statistics, admin → 翰林社区',
          `${linli.base}/api/v1/cases/stats?orgUnitId=${hanlin[0].id}`,
          admin,
        ),
      );
    if (one[0]) rows.push(await drive('one case', `${linli.base}/api/v1/cases/${one[0].id}`, admin));
    const lines = [
      `Linli cases bench — ${new Date().toISOString()} — ${total.toLocaleString('en')} cases on PostgreSQL, ${os.cpus().length} cores, node ${process.version}, ${SECONDS}s × ${CONNECTIONS} connections`,
      '',
      '| scenario                           |  req/s | p50 ms | p95 ms | p99 ms | errors |',
      '| ---------------------------------- | ------ | ------ | ------ | ------ | ------ |',
      ...rows.map(
        (r) =>
          `| ${r.name.padEnd(34)} | ${r.rps.toFixed(0).padStart(6)} | ${r.p50.toFixed(0).padStart(6)} | ${r.p95.toFixed(0).padStart(6)} | ${r.p99.toFixed(0).padStart(6)} | ${String(r.errors).padStart(6)} |`,
      ),
    ];
    console.log(lines.join('\n'));
  } finally {
    await linli.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
