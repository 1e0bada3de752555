import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/core/db/client';
import { foldCaseStats, rebuildCaseStats, rowsOf, STAT_COLUMNS } from '../src/modules/cases/rollups';
import { TEST_SECRET_KEY } from './config';
import { openTestDatabase } from './harness';

/**
 * `kill -9` of a real server process (src/main.ts, as `npm start` runs it) during a burst of
 * reports: after a restart every acknowledged report is there with its statistics delta (folded
 * or not) and its audit row; the statistics folded from the deltas equal a recount from the
 * cases; `npm run audit:verify` passes. On the test database copy of the run (PGlite on disk, or
 * PostgreSQL with DATABASE_URL).
 */
const cwd = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];
let drop: (() => Promise<void>) | null = null;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await drop?.();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function env(dataDir: string, url: string | null, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    // As `npm start` runs it: the job runner (cases.foldStats) is on.
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    LINLI_DEMO: 'off',
    SERVE_WEB: 'off',
    LOG_LEVEL: 'warn',
    LINLI_SECRET_KEY: TEST_SECRET_KEY,
    DATA_DIR: dataDir,
    DATABASE_URL: url ?? '',
  };
}

async function startServer(e: NodeJS.ProcessEnv) {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd,
    env: e,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${e.PORT}`;
  const until = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${out}`);
    if (Date.now() > until) throw new Error(`server not ready:\n${out}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, exited, url, output: () => out };
}

interface Resident {
  headers: Record<string, string>;
}

async function signIn(url: string, phone: string): Promise<Resident> {
  const json = { 'content-type': 'application/json', origin: url };
  const sent = await fetch(`${url}/api/v1/auth/otp`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ phone }),
  });
  expect(sent.status, await sent.clone().text()).toBeLessThan(300);
  const { code } = (await (await fetch(`${url}/api/v1/dev/otp/${phone}`)).json()) as { code: string };
  const res = await fetch(`${url}/api/v1/auth/otp/verify`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ phone, code }),
  });
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('linli_csrf='))?.slice('linli_csrf='.length) ?? '';
  const headers = { cookie: cookies.join('; '), origin: url, 'x-csrf-token': csrf };
  const privacy = (await (await fetch(`${url}/api/v1/me/privacy`, { headers })).json()) as {
    consentRequired: boolean;
    current: { version: number } | null;
  };
  if (privacy.consentRequired && privacy.current) {
    const agreed = await fetch(`${url}/api/v1/me/privacy/consent`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ version: privacy.current.version }),
    });
    expect(agreed.status).toBeLessThan(300);
  }
  return { headers };
}

/** Every rollup row that is not all zeros, as text: two states compare as sorted lists. */
async function rollupLines(db: Parameters<typeof rebuildCaseStats>[0]) {
  const weekly = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      SELECT kind, week::text, unit_id, community_id, category_code, ${sql.raw(STAT_COLUMNS.join(', '))}
      FROM case_stats_weekly`),
  )
    .filter((r) => STAT_COLUMNS.some((k) => Math.abs(Number(r[k])) > 1e-9))
    .map((r) =>
      Object.values(r)
        .map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(6) : String(v)))
        .join(' '),
    );
  const cells = rowsOf<Record<string, unknown>>(
    await db.execute(sql`SELECT day::text, unit_id, community_id, category_code, cell_lat, cell_lng, cases, hot
      FROM case_hotspots_daily WHERE cases <> 0`),
  ).map((r) => Object.values(r).join(' '));
  return [...weekly, ...cells].sort();
}

describe('a crash during a burst of reports', () => {
  it('keeps every acknowledged report with its statistics delta and audit row; the fold equals a recount', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-crash-'));
    dirs.push(dataDir);
    const copy = await openTestDatabase({ dataDir });
    const url = copy.url;
    if (url) drop = copy.drop;
    // The server opens the copy itself: on PGlite, close ours (one process per data dir); on
    // PostgreSQL the copy is dropped (and our pool closed) after the test.
    if (!url) await copy.drop();
    const port = await freePort();
    const first = await startServer(env(dataDir, url, port));
    const residents = await Promise.all(
      ['13700000201', '13700000202', '13700000203', '13700000204'].map((p) => signIn(first.url, p)),
    );

    const acked: { id: string; number: string; who: Resident }[] = [];
    const refused: string[] = [];
    let killed = false;
    let sent = 0;
    const burst = residents.map(async (who, i) => {
      while (!killed) {
        const form = new FormData();
        form.set('categoryCode', i % 2 ? '0201' : '0501');
        form.set('description', `楼道堆放杂物 ${i}-${sent++}`);
        form.set('lat', String(31.3175 + (i % 2) * 0.0001));
        form.set('lng', '104.5062');
        let res: Response;
        try {
          res = await fetch(`${first.url}/api/v1/cases`, {
            method: 'POST',
            headers: who.headers,
            body: form,
          });
        } catch {
          continue; // The kill cut this one off: it was never acknowledged.
        }
        const text = await res.text().catch(() => '');
        if (res.status === 201) {
          const r = JSON.parse(text) as { id: string; number: string };
          acked.push({ id: r.id, number: r.number, who });
        } else if (!killed) refused.push(`${res.status} ${text}`);
      }
    });
    // Kill once a few reports are in, while the others are in flight.
    while (acked.length < 12) await new Promise((r) => setTimeout(r, 20));
    first.child.kill('SIGKILL');
    killed = true;
    await first.exited;
    await Promise.all(burst);
    expect(refused).toEqual([]);
    expect(acked.length).toBeGreaterThanOrEqual(12);

    const second = await startServer(env(dataDir, url, port));
    for (const a of acked) {
      const res = await fetch(`${second.url}/api/v1/cases/${a.id}`, { headers: a.who.headers });
      expect(res.status, `${a.number} lost`).toBe(200);
      expect(((await res.json()) as { number: string }).number).toBe(a.number);
    }
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const database = await openDatabase({ databaseUrl: url, dataDir, databaseInMemory: false });
    try {
      const db = database.db;
      const ids = `{${acked.map((a) => a.id).join(',')}}`;
      const [audited] = rowsOf<{ n: number }>(
        await db.execute(sql`SELECT count(DISTINCT entity_id)::int AS n FROM audit_log
          WHERE action = 'case.report' AND entity_id = ANY(${ids}::text[])`),
      );
      expect(audited!.n).toBe(acked.length);
      // Each committed report counted once, in a delta or already folded: the district's total.
      const [counted] = rowsOf<{ cases: number; rolled: number }>(
        await db.execute(sql`
          SELECT (SELECT count(*)::int FROM cases) AS cases,
            (SELECT coalesce(sum(reported), 0)::int FROM case_stat_deltas)
            + (SELECT coalesce(sum(reported), 0)::int FROM case_stats_weekly w
               WHERE w.kind = 'area' AND w.category_code = '*'
                 AND w.unit_id = (SELECT id FROM org_units WHERE parent_id IS NULL LIMIT 1)) AS rolled`),
      );
      expect(counted!.rolled).toBe(counted!.cases);
      await foldCaseStats(db);
      const folded = await rollupLines(db);
      await rebuildCaseStats(db);
      expect(folded).toEqual(await rollupLines(db));
    } finally {
      await database.close();
    }

    const verify = await new Promise<{ code: number | null; out: string }>((resolve) => {
      let out = '';
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/scripts/audit-verify.ts'], {
        cwd,
        env: env(dataDir, url, port),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      child.once('exit', (code) => resolve({ code, out }));
    });
    expect(verify.code, verify.out).toBe(0);
    expect(verify.out).toMatch(/audit chain intact/);
  }, 180_000);
});
