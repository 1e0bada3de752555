/**
 * `npm run bench:writepath -w bench`: each write route (and the two first reads) against its own
 * physical limit — `pgbench` replaying the SQL the route itself executes, at the same concurrency,
 * in the same run (issue #15, item 6). Reported, never asserted.
 *
 * PostgreSQL: a throwaway server started here (initdb as the `postgres` user when run as root;
 * `fsync=off`, `synchronous_commit=off`, `full_page_writes=off` as the other benches, so both sides
 * are bound by CPU, not by the disk), with `pg_stat_statements` preloaded and a JSON log
 * (`logging_collector=on`, `log_destination=jsonlog`); or the server in DATABASE_URL, a superuser
 * connection to a server with `shared_preload_libraries=pg_stat_statements` and
 * `logging_collector=on` (this script switches `jsonlog` and `log_statement` on with ALTER SYSTEM
 * for the capture and back off). Linli runs on a fresh database `linli_writepath` with the demo
 * district (no simulated year), its job runner on as in production.
 *
 * Routes: the case report (POST /api/v1/cases, multipart, as a resident; no photo unless
 * WRITEPATH_REPORT_PHOTO=on, since pgbench replays SQL, not file writes), the step 立案 (POST
 * /api/v1/cases/:id/register by the district admin, on a pool of reported cases that is topped up
 * through the report route before each measurement), PATCH /api/v1/me and GET /api/v1/me (a
 * resident each), and a first case read (GET /api/v1/cases/:id, every filed case by ten admin
 * sessions in turn, so no session meets a case again within the 2 s its answer is kept). Each
 * connection is its own account (residents) or session (admin): the bench makes no hot row of its
 * own.
 *
 * For each route:
 * 1. Capture: `log_statement=all` for thirty single requests (ten actors × three), each between
 *    two marker statements sent from this script's own connection; the statements the server's
 *    backends logged between the markers, with their parameters, are that request. The sequence
 *    most captures share is the route's (a stray job-runner poll falls out).
 * 2. For 1, 4 and 10 connections: autocannon for WRITEPATH_SECONDS (default 5) — req/s, p99; the
 *    statements per request from pg_stat_statements (reset before, summed over the database
 *    after, divided by the requests answered; includes BEGIN/COMMIT and whatever the job runner
 *    ran meanwhile); lock waits sampled every ~10 ms from a separate connection
 *    (`pg_stat_activity` where `wait_event_type = 'Lock'`: samples in which any backend waited);
 *    CPU ms per request from /proc (the Linli process + every PostgreSQL process).
 * 3. pgbench replaying the captured statements, one transaction of the script per request, same
 *    client count, same duration, `-M prepared` (WRITEPATH_PGBENCH_MODE); its TPS, lock waits and
 *    PostgreSQL's CPU per transaction; the ratio app ÷ pgbench by throughput and by CPU.
 *
 * How the replay script is made from the captures (decision 44 in docs/decisions.md). pgbench
 * client c replays, per transaction, one of actor c's three captured requests (so no two clients
 * touch the same case or account row). Each parameter position is compared across the captures:
 * - the same in every capture: a constant, written as a typed literal (`E'…'::type`, the type
 *   PostgreSQL infers for the parameter, found by PREPAREing the statement; `:` escaped, since
 *   pgbench reads `:name` inside quotes too);
 * - a UUIDv7 minted after the request was sent, or an integer that differs per request (a
 *   `nextval()` fed back): a new key per transaction from a random `\set` seed, the same across
 *   the statements of one transaction as it was in the request;
 * - anything else that differs (the case or account the request is about, a time, a text): the
 *   value in the captured request this transaction replays, from a helper table
 *   `writepath.pool` in the bench's database.
 * Limits: the replay does not re-check what the app checks in Node, so it repeats a request's
 * path blindly (a step replayed on a case already registered), and reads 30 cases again where
 * the app reads thousands; a unique value that is neither a UUIDv7 nor an integer would make
 * pgbench fail (shown as "replay failed" with pgbench's error, never silently); a helper-table
 * lookup is one index probe more per substituted value on pgbench's side. PGlite cannot be
 * replayed by pgbench; on it the table shows req/s, statements per request (counted by a preload,
 * `pglite-count.ts`) and the process's CPU per request.
 *
 * Env: WRITEPATH_SECONDS (5), WRITEPATH_CONNECTIONS (`1,4,10`), WRITEPATH_ROUTES
 * (`report,step,patch-me,get-me,first-read`), WRITEPATH_DATABASES (`postgres,pglite`),
 * WRITEPATH_LINLI_NODE_ARGS (Node flags for Linli, e.g. `--cpu-prof`), WRITEPATH_PG_PORT (the
 * throwaway server's port; a free one by default), WRITEPATH_PGBENCH_MODE
 * (`prepared`), WRITEPATH_REPORT_PHOTO (`off`), WRITEPATH_KEEP (keep the scripts and logs).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '..');
const SECONDS = Number(process.env.WRITEPATH_SECONDS ?? 5);
const CONNECTIONS = (process.env.WRITEPATH_CONNECTIONS ?? '1,4,10').split(',').map(Number);
const MAX_CONN = Math.max(...CONNECTIONS);
const ROUTES = (process.env.WRITEPATH_ROUTES ?? 'report,step,patch-me,get-me,first-read').split(',');
const DATABASES = (process.env.WRITEPATH_DATABASES ?? 'postgres,pglite').split(',');
const PGBENCH_MODE = process.env.WRITEPATH_PGBENCH_MODE ?? 'prepared';
const REPORT_PHOTO = process.env.WRITEPATH_REPORT_PHOTO === 'on';
const KEEP = Boolean(process.env.WRITEPATH_KEEP);
const PASSWORD = process.env.LINLI_DEMO_PASSWORD ?? 'Linli@2026';
const AS_ROOT = process.getuid?.() === 0;
const DB_NAME = 'linli_writepath';
/** Captures per actor: pgbench client c replays, per transaction, one of actor c's captures. */
const CAPTURE_ROUNDS = 3;
const CAPTURE_ACTORS = Array.from({ length: CAPTURE_ROUNDS * MAX_CONN }, (_, i) => i % MAX_CONN);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-writepath-'));
if (AS_ROOT) fs.chmodSync(tmpRoot, 0o755);

/** A tiny real JPEG (JFIF, no EXIF), for WRITEPATH_REPORT_PHOTO=on. */
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
/** On PATH, else the newest /usr/lib/postgresql/<major>/bin (Debian). */
function pgBin(cmd: string): string | null {
  const onPath = which(cmd);
  if (onPath) return onPath;
  const debian = '/usr/lib/postgresql';
  if (!fs.existsSync(debian)) return null;
  for (const v of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a))) {
    const p = path.join(debian, v, 'bin', cmd);
    if (fs.existsSync(p)) return p;
  }
  return null;
}
const asPostgres = (args: string[]) => (AS_ROOT ? ['runuser', '-u', 'postgres', '--', ...args] : args);

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
/** Run even when the script dies: a throwaway PostgreSQL server is not a child `kill` reaches. */
const atExit: (() => void)[] = [];
process.on('exit', () => {
  for (const f of atExit) f();
  for (const c of live) c.kill('SIGKILL');
});

// ---------------------------------------------------------------------------------------------
// PostgreSQL.

interface Postgres {
  /** A superuser URL to the `postgres` database. */
  adminUrl: string;
  /** The postmaster's pid when the server runs on this machine and its data directory is readable. */
  postmaster(admin: pg.Client): Promise<number | null>;
  withDb(name: string): string;
  stop(): Promise<void>;
}

async function ownPostgres(): Promise<Postgres> {
  const dir = path.join(tmpRoot, 'pg');
  fs.mkdirSync(dir);
  if (AS_ROOT) execFileSync('chown', ['postgres:postgres', dir]);
  const initdb = asPostgres([
    pgBin('initdb')!,
    '-D',
    `${dir}/data`,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  execFileSync(initdb[0]!, initdb.slice(1), { stdio: 'ignore' });
  const stopCommand = asPostgres([pgBin('pg_ctl')!, '-D', `${dir}/data`, '-m', 'immediate', '-w', 'stop']);
  atExit.push(() => spawnSync(stopCommand[0]!, stopCommand.slice(1), { stdio: 'ignore' }));
  const port = Number(process.env.WRITEPATH_PG_PORT ?? (await freePort()));
  const settings = {
    listen_addresses: '127.0.0.1',
    max_connections: '100',
    shared_buffers: '256MB',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_preload_libraries: 'pg_stat_statements',
    'pg_stat_statements.max': '10000',
    logging_collector: 'on',
    log_destination: 'stderr,jsonlog',
    log_directory: `${dir}/log`,
  };
  const argv = asPostgres([
    pgBin('postgres')!,
    '-D',
    `${dir}/data`,
    '-p',
    String(port),
    '-k',
    dir,
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ]);
  let log = '';
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const exited = new Promise((r) => child.once('exit', r));
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: adminUrl });
    try {
      await c.connect();
      await c.end();
      break;
    } catch {
      if (i > 150 || child.exitCode !== null) throw new Error(`PostgreSQL did not start:\n${log}`);
      await sleep(200);
    }
  }
  return {
    adminUrl,
    postmaster: async () => postmasterOf(`${dir}/data`),
    withDb: (name) => `postgres://postgres@127.0.0.1:${port}/${name}`,
    async stop() {
      const stop = asPostgres([pgBin('pg_ctl')!, '-D', `${dir}/data`, '-m', 'fast', '-w', 'stop']);
      spawnSync(stop[0]!, stop.slice(1), { stdio: 'ignore' });
      await exited;
      live.delete(child);
    },
  };
}

function givenPostgres(url: string): Postgres {
  const withDb = (name: string) => {
    const u = new URL(url);
    u.pathname = `/${name}`;
    return u.toString();
  };
  return {
    adminUrl: withDb('postgres'),
    withDb,
    async postmaster(admin) {
      const host = new URL(url).hostname;
      if (!['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host)) return null;
      const dir = (await admin.query<{ d: string }>("SELECT current_setting('data_directory') AS d")).rows[0]!
        .d;
      return postmasterOf(dir);
    },
    stop: async () => {},
  };
}

function postmasterOf(dataDir: string): number | null {
  try {
    return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    return null;
  }
}

// CPU time from /proc, so that a shared machine's noise does not hide the cost of a request.
const TICK_MS =
  1000 / (Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100);
function cpuFields(pid: number): number[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After "pid (comm) ": state is field 3; utime, stime, cutime, cstime are fields 14–17.
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 15)
    .map(Number);
}
/** CPU ms of a process (and of its children it has reaped). */
function processCpu(pid: number): number {
  const [u, s, cu, cs] = cpuFields(pid);
  return (u! + s! + cu! + cs!) * TICK_MS;
}
/** CPU ms of a PostgreSQL server: the postmaster, its ended backends (reaped) and its live ones. */
function postgresCpu(postmaster: number): number {
  let total = processCpu(postmaster);
  let children: string[] = [];
  try {
    children = fs.readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8').trim().split(/\s+/);
  } catch {}
  for (const child of children.filter(Boolean)) {
    try {
      const [u, s] = cpuFields(Number(child));
      total += (u! + s!) * TICK_MS;
    } catch {}
  }
  return total;
}

/** The server's JSON log: where it ends now, and the entries written after an offset. */
class JsonLog {
  constructor(private readonly admin: pg.Client) {}
  async file(): Promise<string> {
    const r = await this.admin.query<{ f: string | null }>("SELECT pg_current_logfile('jsonlog') AS f");
    if (!r.rows[0]?.f)
      throw new Error('no jsonlog file: the capture needs log_destination to include jsonlog');
    return r.rows[0].f;
  }
  async size(file: string): Promise<number> {
    return Number((await this.admin.query('SELECT (pg_stat_file($1)).size AS s', [file])).rows[0].s);
  }
  async entriesSince(file: string, offset: number): Promise<Record<string, unknown>[]> {
    const size = await this.size(file);
    if (size <= offset) return [];
    const r = await this.admin.query<{ t: string }>('SELECT pg_read_file($1, $2, $3) AS t', [
      file,
      offset,
      size - offset,
    ]);
    return r.rows[0]!.t.split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

// ---------------------------------------------------------------------------------------------
// Linli.

interface Linli {
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** Statements sent to PGlite so far (embedded only). */
  statements: (() => Promise<number>) | null;
}

async function startLinli(databaseUrl: string | null): Promise<Linli> {
  const port = await freePort();
  const countPort = databaseUrl ? 0 : await freePort();
  const dataDir = fs.mkdtempSync(path.join(tmpRoot, 'linli-'));
  const args = ['--import', 'tsx'];
  // WRITEPATH_LINLI_NODE_ARGS: Node flags for the Linli process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`
  // to see where its CPU per request goes (the profile is written when the bench stops it).
  args.push(...(process.env.WRITEPATH_LINLI_NODE_ARGS ?? '').split(/\s+/).filter(Boolean));
  if (!databaseUrl) args.push('--import', './bench/pglite-count.ts');
  args.push('apps/server/src/main.ts');
  let out = '';
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      LINLI_DEV: 'on',
      LINLI_DEMO: 'on',
      LINLI_DEMO_HISTORY: 'off',
      LOG_LEVEL: 'warn',
      SERVE_WEB: 'off',
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl ?? '',
      WRITEPATH_COUNT_PORT: String(countPort),
      // The bench is one client address signing in tens of accounts and reporting as fast as it
      // can: the per-address and per-account rate limits would answer it with 429s.
      OTP_RATE_PER_IP_PER_HOUR: '100000',
      LOGIN_RATE_PER_IP_PER_MINUTE: '100000',
      UPLOAD_REQUESTS_PER_MINUTE: '100000',
      UPLOAD_RESIDENT_FILES_PER_DAY: '1000000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Linli exited:\n${out}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`Linli not ready:\n${out}`);
    await sleep(200);
  }
  return {
    url,
    pid: child.pid!,
    statements: countPort
      ? async () => Number(await (await fetch(`http://127.0.0.1:${countPort}/`)).text())
      : null,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      live.delete(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Headers = Record<string, string>;

function cookiesOf(res: Response, url: string): Headers {
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('linli_csrf='))?.slice('linli_csrf='.length);
  return { cookie: cookies.join('; '), origin: url, ...(csrf ? { 'x-csrf-token': csrf } : {}) };
}

async function staffSession(url: string, username = 'admin'): Promise<Headers> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
  return cookiesOf(res, url);
}

/** A resident signed in by one-time code (the development endpoint), privacy notice agreed. */
async function residentSession(url: string, phone: string): Promise<Headers> {
  const json = { 'content-type': 'application/json', origin: url };
  const sent = await fetch(`${url}/api/v1/auth/otp`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ phone }),
  });
  if (!sent.ok) throw new Error(`otp for ${phone}: ${sent.status} ${await sent.text()}`);
  const { code } = (await (await fetch(`${url}/api/v1/dev/otp/${phone}`)).json()) as { code: string };
  const res = await fetch(`${url}/api/v1/auth/otp/verify`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ phone, code }),
  });
  if (!res.ok) throw new Error(`sign-in of ${phone}: ${res.status} ${await res.text()}`);
  const headers = cookiesOf(res, url);
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
    if (!agreed.ok) throw new Error(`consent of ${phone}: ${agreed.status} ${await agreed.text()}`);
  }
  return headers;
}

// ---------------------------------------------------------------------------------------------
// The routes.

interface Request {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers: Headers;
  body?: string | Buffer;
}

interface Route {
  key: string;
  label: string;
  /** The share of pgbench the budget asks for; writes also want no lock waits and 1 → 4 rising. */
  budget: number;
  write: boolean;
  /** Request number `n` (counted across connections) sent by actor `actor` (its connection). */
  request(actor: number, n: number): Request;
  /** Before a measurement expected to send about `expected` requests. */
  prepare?(expected: number): Promise<void>;
}

const BOUNDARY = 'linli-writepath-boundary';
function reportBody(n: number): Buffer {
  const fields = [
    ['categoryCode', '0102'],
    ['description', `写入路径测试：楼道灯不亮 ${n}`],
    ['lat', '31.3175'],
    ['lng', '104.5062'],
  ];
  const parts = fields.map(
    ([k, v]) => `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  const chunks = [Buffer.from(parts.join(''))];
  if (REPORT_PHOTO)
    chunks.push(
      Buffer.from(
        `--${BOUNDARY}\r\ncontent-disposition: form-data; name="photos"; filename="p.jpg"\r\ncontent-type: image/jpeg\r\n\r\n`,
      ),
      JPEG,
      Buffer.from('\r\n'),
    );
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}

/** The shared state of one Linli under test: its actors and the cases filed through it. */
class Scene {
  residents: Headers[] = [];
  admins: Headers[] = [];
  /** Cases filed by the bench and not yet registered (the step's pool). */
  reported: string[] = [];
  /** Every case the bench filed. */
  filed: string[] = [];
  /** Cases the step registered (the replay's pool for the step). */
  registered: string[] = [];
  private seq = 0;
  constructor(readonly url: string) {}

  async sign(label: string) {
    const phoneBase = 13900000000 + (label === 'pglite' ? 5000 : 0);
    for (let i = 0; i < MAX_CONN; i++) {
      this.residents.push(await residentSession(this.url, String(phoneBase + i)));
      this.admins.push(await staffSession(this.url));
    }
  }

  reportRequest(actor: number, n: number): Request {
    return {
      method: 'POST',
      path: '/api/v1/cases',
      headers: { ...this.residents[actor]!, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: reportBody(n),
    };
  }

  /** Files `count` cases through the report route, ten at a time (the step's pool). */
  async file(count: number) {
    let next = 0;
    const worker = async (w: number) => {
      while (next < count) {
        next++;
        const r = this.reportRequest(w % this.residents.length, 1_000_000 + this.seq++);
        const res = await fetch(`${this.url}${r.path}`, {
          method: r.method,
          headers: r.headers,
          body: r.body,
        });
        if (res.status !== 201) throw new Error(`filing a case: ${res.status} ${await res.text()}`);
        const id = ((await res.json()) as { id: string }).id;
        this.reported.push(id);
        this.filed.push(id);
      }
    };
    await Promise.all(Array.from({ length: MAX_CONN }, (_, w) => worker(w)));
  }

  routes(): Route[] {
    const scene = this;
    const reads = { sessions: [] as Headers[], n: 0 };
    const all: Route[] = [
      {
        key: 'report',
        label: 'POST /api/v1/cases (report)',
        budget: 0.4,
        write: true,
        request: (actor, n) => scene.reportRequest(actor, n),
      },
      {
        key: 'step',
        label: 'POST /api/v1/cases/:id/register (立案)',
        budget: 0.4,
        write: true,
        async prepare(expected) {
          const want = Math.ceil(expected * 1.3) + 20;
          if (scene.reported.length < want) {
            const t = Date.now();
            const n = want - scene.reported.length;
            await scene.file(n);
            console.error(
              `  (filed ${n} cases for the step's pool in ${((Date.now() - t) / 1000).toFixed(1)} s)`,
            );
          }
        },
        request(actor) {
          // An exhausted pool answers 404 for a made-up id: counted as errors, never hidden.
          const next = scene.reported.shift();
          if (next) scene.registered.push(next);
          const id = next ?? '00000000-0000-7000-8000-000000000000';
          return {
            method: 'POST',
            path: `/api/v1/cases/${id}/register`,
            headers: { ...scene.admins[actor]!, 'content-type': 'application/json' },
            body: JSON.stringify({ note: '受理' }),
          };
        },
      },
      {
        key: 'patch-me',
        label: 'PATCH /api/v1/me',
        budget: 0.4,
        write: true,
        request: (actor, n) => ({
          method: 'PATCH',
          path: '/api/v1/me',
          headers: { ...scene.residents[actor]!, 'content-type': 'application/json' },
          body: JSON.stringify({ displayName: `居民${actor}-${n}` }),
        }),
      },
      {
        key: 'get-me',
        label: 'GET /api/v1/me',
        budget: 0.5,
        write: false,
        request: (actor) => ({ method: 'GET', path: '/api/v1/me', headers: scene.residents[actor]! }),
      },
      {
        key: 'first-read',
        label: 'GET /api/v1/cases/:id (first read)',
        budget: 0.5,
        write: false,
        async prepare() {
          if (scene.filed.length < 500) await scene.file(500 - scene.filed.length);
          // Ten sessions of their own, so the admin sessions' earlier reads left nothing kept.
          if (!reads.sessions.length)
            for (let i = 0; i < MAX_CONN; i++) reads.sessions.push(await staffSession(scene.url));
        },
        request() {
          const n = reads.n++;
          // Every filed case, then the next session: a (session, case) pair comes back only after
          // cases × sessions requests, far beyond the 2 s an answer is kept (decision 19).
          const ids = scene.filed;
          const id = ids[n % ids.length]!;
          const session = reads.sessions[Math.floor(n / ids.length) % reads.sessions.length]!;
          return { method: 'GET', path: `/api/v1/cases/${id}`, headers: session };
        },
      },
    ];
    return all.filter((r) => ROUTES.includes(r.key));
  }
}

async function send(url: string, r: Request): Promise<number> {
  const res = await fetch(`${url}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
  await res.arrayBuffer();
  return res.status;
}

interface Load {
  rps: number;
  p99: number;
  total: number;
  errors: number;
}

/**
 * autocannon at `connections`: one instance of one connection per actor, all at once, so each
 * connection is its own account or session (autocannon's per-connection context is reset before
 * every request). p99 over every response of the cell.
 */
async function drive(url: string, route: Route, connections: number): Promise<Load> {
  let n = 0;
  const times: number[] = [];
  const runs = Array.from({ length: connections }, (_, actor) => {
    const first = route.request(actor, n++);
    const instance = autocannon({
      url: `${url}${first.path}`,
      connections: 1,
      duration: SECONDS,
      method: first.method,
      requests: [
        {
          setupRequest(req) {
            const r = route.request(actor, n++);
            return {
              ...req,
              method: r.method,
              path: r.path,
              headers: r.headers,
              ...(r.body !== undefined ? { body: r.body } : {}),
            };
          },
        },
      ],
    });
    instance.on('response', (_client, _status, _bytes, ms) => times.push(ms));
    return instance;
  });
  const results = await Promise.all(runs);
  times.sort((a, b) => a - b);
  return {
    rps: results.reduce((sum, r) => sum + r.requests.average, 0),
    p99: times[Math.min(times.length - 1, Math.floor(0.99 * times.length))] ?? 0,
    total: results.reduce((sum, r) => sum + r.requests.total, 0),
    errors: results.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
  };
}

// ---------------------------------------------------------------------------------------------
// Capture and replay.

interface Statement {
  text: string;
  params: (string | null)[];
}
interface Capture {
  actor: number;
  /** When the request was sent (ms): a UUIDv7 minted after it is a new row's id. */
  sentAt: number;
  statements: Statement[];
  errors: string[];
}

function parseParams(detail: string | undefined): (string | null)[] {
  const out: (string | null)[] = [];
  if (!detail?.startsWith('parameters: ')) return out;
  const re = /\$(\d+) = (NULL|'((?:[^']|'')*)')/g;
  for (let m = re.exec(detail); m; m = re.exec(detail))
    out[Number(m[1]) - 1] = m[2] === 'NULL' ? null : m[3]!.replaceAll("''", "'");
  return out;
}

async function capture(
  linli: Linli,
  route: Route,
  admin: pg.Client,
  marker: pg.Client,
  log: JsonLog,
): Promise<Capture[]> {
  const markerPid = (await marker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  // Warm each actor's session and the server's caches first: the capture is of a steady request.
  for (const actor of new Set(CAPTURE_ACTORS)) await send(linli.url, route.request(actor, 900_000 + actor));
  const file = await log.file();
  const offset = await log.size(file);
  await admin.query("ALTER SYSTEM SET log_statement = 'all'");
  await admin.query('SELECT pg_reload_conf()');
  await sleep(300);
  const sentAt: number[] = [];
  try {
    for (const [i, actor] of CAPTURE_ACTORS.entries()) {
      const r = route.request(actor, 910_000 + i);
      await marker.query(`SELECT 'writepath-mark-${i}-begin'`);
      sentAt.push(Date.now());
      const status = await send(linli.url, r);
      if (status >= 400) throw new Error(`${route.label}: capture request answered ${status}`);
      await marker.query(`SELECT 'writepath-mark-${i}-end'`);
    }
  } finally {
    await admin.query('ALTER SYSTEM RESET log_statement');
    await admin.query('SELECT pg_reload_conf()');
  }
  const last = `writepath-mark-${CAPTURE_ACTORS.length - 1}-end`;
  let entries: Record<string, unknown>[] = [];
  for (let i = 0; i < 50; i++) {
    entries = await log.entriesSince(file, offset);
    if (entries.some((e) => String(e.message ?? '').includes(last))) break;
    await sleep(100);
  }
  const captures: Capture[] = [];
  let current: Capture | null = null;
  for (const e of entries) {
    const message = String(e.message ?? '');
    if (e.pid === markerPid) {
      const m = /writepath-mark-(\d+)-(begin|end)/.exec(message);
      if (!m) continue;
      const i = Number(m[1]);
      if (m[2] === 'begin')
        current = { actor: CAPTURE_ACTORS[i]!, sentAt: sentAt[i]!, statements: [], errors: [] };
      else if (current) {
        captures.push(current);
        current = null;
      }
      continue;
    }
    if (!current || e.dbname !== DB_NAME) continue;
    if (e.error_severity === 'ERROR') {
      current.errors.push(message);
      continue;
    }
    const simple = /^statement: ([\s\S]*)$/.exec(message);
    const extended = /^execute [^:]*: ([\s\S]*)$/.exec(message);
    const text = simple?.[1] ?? extended?.[1];
    if (text === undefined) continue;
    current.statements.push({ text, params: parseParams(e.detail as string | undefined) });
  }
  // The sequence most captures share is the route's; a capture that caught a background
  // statement (a job-runner poll) or missed one falls out.
  const signature = (c: Capture) => c.statements.map((s) => s.text).join('\u0000');
  const bySignature = new Map<string, Capture[]>();
  for (const c of captures) bySignature.set(signature(c), [...(bySignature.get(signature(c)) ?? []), c]);
  const modal = [...bySignature.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  if (KEEP)
    fs.writeFileSync(path.join(tmpRoot, `${route.key}.captures.json`), JSON.stringify(captures, null, 1));
  if (modal.length < CAPTURE_ACTORS.length / 2)
    throw new Error(`${route.label}: fewer than half the captures agree on the statements`);
  return modal;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A literal pgbench will not mistake for variables: no `:` (pgbench reads `:name` anywhere). */
function literal(v: string): string {
  return `E'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll(':', '\\x3a')}'`;
}

/** Replaces `$n` outside quoted literals. */
function substitute(text: string, param: (n: number) => string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '$' && /\d/.test(text[i + 1] ?? '')) {
      let j = i + 1;
      while (/\d/.test(text[j] ?? '')) j++;
      out += param(Number(text.slice(i + 1, j)) - 1);
      i = j - 1;
      continue;
    }
    out += ch;
  }
  return out;
}

interface Replay {
  script: string;
  statements: number;
  /** How each varying parameter was replayed, for the notes. */
  kinds: Record<string, number>;
}

/** A UUIDv7 minted at or after `since` (ms): its first 48 bits are its time. */
function mintedSince(v: string, since: number): boolean {
  if (!UUID.test(v) || v[14] !== '7') return false;
  return Number.parseInt(v.slice(0, 8) + v.slice(9, 13), 16) >= since - 1;
}

/** The pgbench script for a route from its captures (see the header). */
async function replayScript(route: Route, captures: Capture[], db: pg.Client): Promise<Replay> {
  // Slot k = round × actors + actor: pgbench client c picks slot c % actors + actors × random
  // round, so no two clients replay the same request (no row the bench made hot by itself). A
  // capture that fell out is stood in for by another of the same actor.
  const slots: Capture[] = [];
  for (const [i, actor] of CAPTURE_ACTORS.entries()) {
    const mine = captures.filter((c) => c.actor === actor);
    slots.push(mine[Math.floor(i / MAX_CONN) % Math.max(1, mine.length)] ?? captures[i % captures.length]!);
  }
  const first = slots[0]!;
  const kinds: Record<string, number> = { constant: 0, 'new key': 0, 'from the replayed request': 0 };
  const pool: { name: string; k: number; v: string | null }[] = [];
  const freshNames = new Map<string, string>();
  const pooled = new Map<string, string>();
  const lines: string[] = [
    `-- ${route.label}: replayed from ${captures.length} captured requests by bench/writepath.ts`,
    `\\set k :client_id % ${MAX_CONN} + ${MAX_CONN} * random(0, ${CAPTURE_ROUNDS - 1})`,
    '\\set seed random(1, 1000000000000000)',
    '\\set seed32 random(1, 2000000000)',
  ];
  const lookup = (name: string) =>
    `(SELECT v FROM writepath.pool WHERE route = '${route.key}' AND name = '${name}' AND k = :k)`;
  const freshName = (v: string) => {
    let name = freshNames.get(v);
    if (!name) {
      name = String(freshNames.size + 1);
      freshNames.set(v, name);
    }
    return name;
  };
  for (const [s, stmt] of first.statements.entries()) {
    let types: string[] = [];
    if (stmt.params.length) {
      await db.query('DEALLOCATE ALL');
      await db.query(`PREPARE writepath_probe AS ${stmt.text}`);
      const t = await db.query<{ t: string[] }>(
        "SELECT parameter_types::text[] AS t FROM pg_prepared_statements WHERE name = 'writepath_probe'",
      );
      types = t.rows[0]!.t;
      await db.query('DEALLOCATE writepath_probe');
    }
    const sql = substitute(stmt.text, (p) => {
      const type = types[p] && types[p] !== 'unknown' ? `::${types[p]}` : '';
      const values = slots.map((c) => c.statements[s]!.params[p] ?? null);
      const v0 = values[0] ?? null;
      if (values.every((v) => v === v0)) {
        kinds.constant!++;
        return v0 === null ? `NULL${type}` : `${literal(v0)}${type}`;
      }
      // A new row's id, minted during the request: a new one per transaction (time-ordered like
      // a UUIDv7, from the seed), the same across the transaction's statements.
      if (values.every((v, i) => v !== null && mintedSince(v, slots[i]!.sentAt))) {
        kinds['new key']!++;
        return `(lpad(to_hex((extract(epoch from now()) * 1000)::bigint), 12, '0') || substr(md5(:seed::text || '.${freshName(v0!)}'), 1, 20))::uuid${type}`;
      }
      // A number taken earlier in the request (nextval() fed back as a parameter): a key too.
      const integer = types[p] === 'bigint' || types[p] === 'integer';
      if (integer && values.every((v) => v !== null && /^\d+$/.test(v))) {
        kinds['new key']!++;
        const seed = types[p] === 'bigint' ? ':seed::bigint' : ':seed32::integer';
        return `(${seed} + ${freshName(v0!)})${type}`;
      }
      // Anything else that differs (the case or account the request is about, its time, its
      // text): the value of the captured request this transaction replays.
      kinds['from the replayed request']!++;
      const key = JSON.stringify(values);
      let name = pooled.get(key);
      if (!name) {
        name = `v${pooled.size + 1}`;
        pooled.set(key, name);
        for (const [k, v] of values.entries()) pool.push({ name, k, v });
      }
      return `${lookup(name)}${type}`;
    });
    lines.push(`${sql};`);
  }
  await db.query('CREATE SCHEMA IF NOT EXISTS writepath');
  await db.query(
    'CREATE TABLE IF NOT EXISTS writepath.pool (route text, name text, k int, v text, PRIMARY KEY (route, name, k))',
  );
  await db.query('DELETE FROM writepath.pool WHERE route = $1', [route.key]);
  for (let i = 0; i < pool.length; i += 1000) {
    const chunk = pool.slice(i, i + 1000);
    await db.query(
      'INSERT INTO writepath.pool (route, name, k, v) SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[])',
      [route.key, chunk.map((p) => p.name), chunk.map((p) => p.k), chunk.map((p) => p.v)],
    );
  }
  await db.query('ANALYZE writepath.pool');
  return { script: `${lines.join('\n')}\n`, statements: first.statements.length, kinds };
}

interface PgbenchResult {
  tps: number | null;
  transactions: number;
  failed: string | null;
}

async function pgbench(scriptFile: string, url: string, clients: number): Promise<PgbenchResult> {
  const args = [
    '-n',
    '-c',
    String(clients),
    '-j',
    String(Math.min(clients, 2)),
    '-T',
    String(SECONDS),
    '-M',
    PGBENCH_MODE,
    '-f',
    scriptFile,
    url,
  ];
  return new Promise((resolve) => {
    const child = spawn(pgBin('pgbench') ?? 'pgbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
      const aborted = out
        .split('\n')
        .filter((l) => /aborted|ERROR|error:/.test(l))
        .slice(0, 2)
        .join(' ')
        .slice(0, 400);
      const failed = code !== 0 || aborted ? aborted || out.trim().split('\n').slice(-3).join(' ') : null;
      const transactions = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1] ?? 0);
      resolve({ tps: tps && !failed ? Number(tps[1]) : null, transactions, failed });
    });
  });
}

/** Samples `pg_stat_activity` every ~10 ms: the samples in which a backend waited on a lock. */
function lockSampler(admin: pg.Client) {
  let running = true;
  let samples = 0;
  let waited = 0;
  const done = (async () => {
    while (running) {
      const r = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = $1",
        [DB_NAME],
      );
      samples++;
      if (r.rows[0]!.n > 0) waited++;
      await sleep(10);
    }
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { samples, waited };
    },
  };
}

async function statementsSince(admin: pg.Client): Promise<number> {
  const r = await admin.query<{ n: string | null }>(
    `SELECT sum(calls) AS n FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = $1 AND s.query NOT LIKE '%pg_stat_statements%'`,
    [DB_NAME],
  );
  return Number(r.rows[0]?.n ?? 0);
}

// ---------------------------------------------------------------------------------------------
// The measurements.

interface Cell {
  route: Route;
  connections: number;
  load: Load;
  statements: number;
  locks: { samples: number; waited: number } | null;
  pgbench: PgbenchResult | null;
  pgbenchLocks: { samples: number; waited: number } | null;
  /** CPU ms per request (Linli + PostgreSQL) and per pgbench transaction (PostgreSQL). */
  cpu: { app: number; bench: number | null } | null;
}

/** Expected requests for a cell, from the cell before (at most twice its rate per connection step). */
function expectedRequests(prev: Cell | undefined, probeRate: number, connections: number) {
  const rate = prev ? prev.load.rps * Math.min(connections / prev.connections, 2) : probeRate * connections;
  return Math.ceil(rate * SECONDS);
}

async function probeRate(url: string, route: Route): Promise<number> {
  await route.prepare?.(40);
  const t = Date.now();
  for (let i = 0; i < 20; i++) await send(url, route.request(i % MAX_CONN, 920_000 + i));
  return 20 / ((Date.now() - t) / 1000);
}

async function onPostgres(notes: string[]): Promise<{ cells: Cell[]; version: string; settings: string }> {
  let server: Postgres;
  if (process.env.DATABASE_URL) server = givenPostgres(process.env.DATABASE_URL);
  else {
    if (!pgBin('initdb') || !pgBin('postgres'))
      throw new Error('no DATABASE_URL and no initdb/postgres here');
    server = await ownPostgres();
  }
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  const libs = (await admin.query<{ s: string }>("SELECT current_setting('shared_preload_libraries') AS s"))
    .rows[0]!.s;
  if (!libs.includes('pg_stat_statements'))
    throw new Error('this PostgreSQL does not preload pg_stat_statements (shared_preload_libraries)');
  if (
    (await admin.query<{ s: string }>("SELECT current_setting('logging_collector') AS s")).rows[0]!.s !== 'on'
  )
    throw new Error('the capture reads the server log: this PostgreSQL needs logging_collector=on');
  const destination = (await admin.query<{ s: string }>("SELECT current_setting('log_destination') AS s"))
    .rows[0]!.s;
  const addedJsonlog = !destination.includes('jsonlog');
  if (addedJsonlog) {
    await admin.query(`ALTER SYSTEM SET log_destination = '${destination},jsonlog'`);
    await admin.query('SELECT pg_reload_conf()');
    await sleep(500);
  }
  const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!
    .v;
  const settings = (
    await admin.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit') ORDER BY name",
    )
  ).rows
    .map((r) => `${r.name}=${r.setting}`)
    .join(', ');
  await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  const dbUrl = server.withDb(DB_NAME);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const marker = new pg.Client({ connectionString: dbUrl });
  await marker.connect();
  const sampler = new pg.Client({ connectionString: server.adminUrl });
  await sampler.connect();
  const log = new JsonLog(admin);
  const postmaster = await server.postmaster(admin);
  if (!postmaster)
    notes.push('PostgreSQL is not on this machine (or its data directory is not readable): no CPU columns');
  let t = Date.now();
  const linli = await startLinli(dbUrl);
  console.error(`PostgreSQL ${version}: Linli ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const cells: Cell[] = [];
  try {
    const scene = new Scene(linli.url);
    await scene.sign('postgres');
    for (const route of scene.routes()) {
      t = Date.now();
      await route.prepare?.(CAPTURE_ACTORS.length * 2 + 40);
      const captures = await capture(linli, route, admin, marker, log);
      const errors = captures.flatMap((c) => c.errors);
      if (errors.length) notes.push(`${route.label}: the captured requests logged errors: ${errors[0]}`);
      const replay = await replayScript(route, captures, db);
      if (!replay.statements) throw new Error(`${route.label}: the captured requests ran no statements`);
      const scriptFile = path.join(tmpRoot, `${route.key}.pgbench.sql`);
      fs.writeFileSync(scriptFile, replay.script);
      if (AS_ROOT) fs.chmodSync(scriptFile, 0o644);
      notes.push(
        `${route.label}: ${replay.statements} statements per request captured (${captures.length} of ${CAPTURE_ACTORS.length} captures agree); parameters replayed as ${Object.entries(
          replay.kinds,
        )
          .filter(([, n]) => n)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}`,
      );
      console.error(`${route.label}: captured in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      const rate = await probeRate(linli.url, route);
      for (const c of CONNECTIONS) {
        const prev = cells.filter((x) => x.route === route).at(-1);
        await route.prepare?.(expectedRequests(prev, rate, c));
        await admin.query('SELECT pg_stat_statements_reset()');
        const locks = lockSampler(sampler);
        const cpu0 = postmaster ? processCpu(linli.pid) + postgresCpu(postmaster) : 0;
        const load = await drive(linli.url, route, c);
        const cpu1 = postmaster ? processCpu(linli.pid) + postgresCpu(postmaster) : 0;
        const lockFigures = await locks.stop();
        const statements = (await statementsSince(admin)) / Math.max(1, load.total);
        const benchLocks = lockSampler(sampler);
        const pg0 = postmaster ? postgresCpu(postmaster) : 0;
        const bench = await pgbench(scriptFile, dbUrl, c);
        const pg1 = postmaster ? postgresCpu(postmaster) : 0;
        const pgbenchLocks = await benchLocks.stop();
        const cpu = postmaster
          ? {
              app: (cpu1 - cpu0) / Math.max(1, load.total),
              bench: bench.transactions ? (pg1 - pg0) / bench.transactions : null,
            }
          : null;
        const cell = {
          route,
          connections: c,
          load,
          statements,
          locks: lockFigures,
          pgbench: bench,
          pgbenchLocks,
          cpu,
        };
        cells.push(cell);
        console.error(`  ${row(cell)}`);
      }
      if (KEEP) console.error(`  script: ${scriptFile}`);
    }
  } finally {
    await linli.stop();
    if (addedJsonlog) {
      await admin.query('ALTER SYSTEM RESET log_destination');
      await admin.query('SELECT pg_reload_conf()');
    }
    for (const c of [db, marker, sampler]) await c.end();
    await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
    await admin.end();
    await server.stop();
  }
  return { cells, version: version.split(' ')[0]!, settings };
}

async function onPglite(): Promise<Cell[]> {
  const linli = await startLinli(null);
  const cells: Cell[] = [];
  try {
    const scene = new Scene(linli.url);
    await scene.sign('pglite');
    for (const route of scene.routes()) {
      const rate = await probeRate(linli.url, route);
      for (const c of CONNECTIONS) {
        const prev = cells.filter((x) => x.route === route).at(-1);
        await route.prepare?.(expectedRequests(prev, rate, c));
        const before = await linli.statements!();
        const cpu0 = processCpu(linli.pid);
        const load = await drive(linli.url, route, c);
        const cpu1 = processCpu(linli.pid);
        const statements = ((await linli.statements!()) - before) / Math.max(1, load.total);
        const cell = {
          route,
          connections: c,
          load,
          statements,
          locks: null,
          pgbench: null,
          pgbenchLocks: null,
          cpu: { app: (cpu1 - cpu0) / Math.max(1, load.total), bench: null },
        };
        cells.push(cell);
        console.error(`  PGlite ${row(cell)}`);
      }
    }
  } finally {
    await linli.stop();
  }
  return cells;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function row(c: Cell): string {
  const ratio = c.pgbench?.tps ? `${((c.load.rps / c.pgbench.tps) * 100).toFixed(1)}%` : '—';
  const bench = c.pgbench ? (c.pgbench.tps !== null ? fmt(c.pgbench.tps) : 'replay failed') : 'n/a (PGlite)';
  return `| ${c.route.label} | ${c.connections} | ${fmt(c.load.rps)} | ${fmt(c.load.p99)} | ${fmt(c.statements, 1)} | ${
    c.locks ? `${c.locks.waited} / ${c.locks.samples}` : 'n/a'
  } | ${bench} | ${c.pgbenchLocks ? `${c.pgbenchLocks.waited} / ${c.pgbenchLocks.samples}` : 'n/a'} | ${ratio} | ${
    c.cpu ? fmt(c.cpu.app, 2) : '—'
  } | ${c.cpu?.bench ? fmt(c.cpu.bench, 2) : '—'} | ${
    c.cpu?.bench ? `${((c.cpu.bench / c.cpu.app) * 100).toFixed(1)}%` : '—'
  } | ${c.load.errors} |`;
}

/** The issue's budgets, judged on the 10-connection cells (or the most connections measured). */
function budgets(cells: Cell[]): string[] {
  const out: string[] = [];
  for (const route of [...new Set(cells.map((c) => c.route))]) {
    const mine = cells.filter((c) => c.route === route).sort((a, b) => a.connections - b.connections);
    const top = mine.at(-1)!;
    const ratio = top.pgbench?.tps ? top.load.rps / top.pgbench.tps : null;
    const parts = [
      ratio === null
        ? `app ÷ pgbench at ${top.connections}: not measured (${top.pgbench?.failed ?? 'no replay'}) — not met`
        : `app ÷ pgbench at ${top.connections} = ${(ratio * 100).toFixed(1)}% (budget ≥ ${route.budget * 100}%) — ${ratio >= route.budget ? 'met' : 'not met'}${
            top.cpu?.bench
              ? ` (by CPU per request: ${((top.cpu.bench / top.cpu.app) * 100).toFixed(1)}%)`
              : ''
          }`,
    ];
    if (route.write) {
      const waits = top.locks?.waited ?? 0;
      parts.push(
        `lock-wait samples at ${top.connections} = ${waits} (budget 0) — ${waits === 0 ? 'met' : 'not met'}`,
      );
      const one = mine.find((c) => c.connections === 1);
      const four = mine.find((c) => c.connections === 4);
      if (one && four)
        parts.push(
          `1 → 4 connections: ${fmt(one.load.rps)} → ${fmt(four.load.rps)}/s — ${four.load.rps > one.load.rps * 1.05 ? 'met' : 'not met'} (rising: more than 5% up)`,
        );
    }
    out.push(`- ${route.label}: ${parts.join('; ')}`);
  }
  return out;
}

async function main() {
  const started = Date.now();
  // The machine may be shared: the load average before and after says how much of it the run had.
  const loadBefore = os.loadavg()[0]!.toFixed(1);
  const header = [
    '| route | connections | req/s | p99 ms | statements / request | lock-wait samples | pgbench TPS | pgbench lock-wait samples | app ÷ pgbench | CPU ms / request (Linli + PostgreSQL) | CPU ms / pgbench transaction (PostgreSQL) | by CPU | errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const out: string[] = [];
  const notes: string[] = [];
  if (DATABASES.includes('postgres')) {
    const { cells, version, settings } = await onPostgres(notes);
    out.push(
      `### PostgreSQL ${version} (${settings}), pgbench -M ${PGBENCH_MODE}, ${SECONDS} s per cell`,
      '',
      ...header,
      ...cells.map(row),
      '',
      'Budgets (issue #15, the most connections measured):',
      '',
      ...budgets(cells),
      '',
    );
  }
  if (DATABASES.includes('pglite')) {
    const cells = await onPglite();
    out.push(
      `### PGlite (embedded), ${SECONDS} s per cell — no pgbench column: pgbench cannot replay on PGlite (one connection inside the Node process)`,
      '',
      '| route | connections | req/s | p99 ms | statements / request | CPU ms / request (Linli with PGlite) | errors |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...cells.map(
        (c) =>
          `| ${c.route.label} | ${c.connections} | ${fmt(c.load.rps)} | ${fmt(c.load.p99)} | ${fmt(c.statements, 1)} | ${c.cpu ? fmt(c.cpu.app, 2) : '—'} | ${c.load.errors} |`,
      ),
      '',
    );
  }
  console.log(
    [
      `Linli write path — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, node ${process.version}, load average ${loadBefore} → ${os.loadavg()[0]!.toFixed(1)}; ${SECONDS} s per cell; lock-wait samples are "samples with a backend waiting / samples"; ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
      '',
      ...out,
      ...(notes.length ? ['Captures:', '', ...notes.map((n) => `- ${n}`)] : []),
    ].join('\n'),
  );
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    if (!KEEP) fs.rmSync(tmpRoot, { recursive: true, force: true });
  });
