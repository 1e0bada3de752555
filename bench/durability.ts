/**
 * `npm run bench:durability`: does an acknowledged write survive a crash of the server?
 * Reported, never asserted; not part of `npm test`.
 *
 * For each database (the embedded PGlite, and PostgreSQL with fsync on), and each of N runs:
 * start the real server on a copy of a seeded database; sign residents in by one-time code (the
 * development endpoint, on loopback); have them file case reports (POST /api/v1/cases, multipart
 * with a photo) concurrently; `kill -9` the server at a random moment of the load; start it again
 * on the same data; then check that every report that was acknowledged (a 201 with its receipt
 * received) is there, with its photo, read back through the API by the resident who filed it;
 * stop the server and run `npm run audit:verify` on the data.
 *
 * When strace is installed, the first server of every run runs under
 * `strace -f -e trace=fsync,fdatasync,…` and the fsync-family calls made during the load are
 * counted, per acknowledged write; so are PostgreSQL's, when this script starts its own
 * PostgreSQL server. A `kill -9` is a process crash: what the process handed to the kernel
 * survives it whether or not it was fsynced; these counts tell whether it would survive a power
 * cut too.
 *
 * PostgreSQL: DATABASE_URL (a server to create scratch databases on; its fsync setting is shown),
 * else a throwaway server started here (initdb, default settings: fsync on) on
 * DURABILITY_PG_PORT or a free port. As root it runs as the `postgres` user.
 *
 * Env: DURABILITY_RUNS (5 per database), DURABILITY_CONCURRENCY (8 residents at once),
 * DURABILITY_KILL_MS (`2000-10000`: the kill comes this long after the first acknowledgement),
 * DURABILITY_DATABASES (`pglite,postgres`), DURABILITY_SEED (random seed), DURABILITY_STRACE (`off`).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.DURABILITY_RUNS ?? 5);
const CONCURRENCY = Number(process.env.DURABILITY_CONCURRENCY ?? 8);
const [KILL_MIN, KILL_MAX] = (process.env.DURABILITY_KILL_MS ?? '2000-10000').split('-').map(Number) as [
  number,
  number,
];
const DATABASES = (process.env.DURABILITY_DATABASES ?? 'pglite,postgres').split(',');
const SEED = Number(process.env.DURABILITY_SEED ?? Date.now() % 1_000_000);
const AS_ROOT = process.getuid?.() === 0;

/** mulberry32: a seeded random source, so a run's kill moments can be repeated. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);

/** A tiny real JPEG (JFIF, no EXIF): the photo of every report. */
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'base64',
);
const JPEG_SHA = createHash('sha256').update(JPEG).digest('hex');

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}
/** initdb, postgres, pg_ctl: on PATH, else the newest /usr/lib/postgresql/<major>/bin (Debian). */
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
const STRACE = process.env.DURABILITY_STRACE === 'off' ? null : which('strace');
const SYNC_CALLS = 'fsync,fdatasync,sync_file_range,syncfs,sync,msync';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The server process.

interface Server {
  url: string;
  /** The node process (under strace, strace's child). */
  pid: number;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  readyMs: number;
}

function serverEnv(target: Target, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: 'development',
    LINLI_DEV: 'on',
    HOST: '127.0.0.1',
    PORT: String(port),
    LINLI_DEMO: 'on',
    LINLI_DEMO_HISTORY: 'off',
    LOG_LEVEL: 'warn',
    SERVE_WEB: 'off',
    DATA_DIR: target.dataDir,
    DATABASE_URL: target.databaseUrl ?? '',
    // Many residents sign in from one address within the hour.
    OTP_RATE_PER_IP_PER_HOUR: '100000',
  };
}

/** Servers still running: a failed run exits at once and takes them along. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

async function startServer(target: Target, traceFile: string | null): Promise<Server> {
  const port = await freePort();
  const node = [process.execPath, '--import', 'tsx', 'apps/server/src/main.ts'];
  const argv = traceFile
    ? [
        STRACE!,
        '-f',
        '--seccomp-bpf',
        '-qq',
        '-ttt',
        '-e',
        `trace=${SYNC_CALLS}`,
        '-e',
        'signal=none',
        '-o',
        traceFile,
        ...node,
      ]
    : node;
  const started = Date.now();
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: ROOT,
    env: serverEnv(target, port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  live.add(child);
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      live.delete(child);
      r(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${out}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready after 180 s:\n${out}`);
    }
    await sleep(100);
  }
  let pid = child.pid!;
  if (traceFile) {
    // strace runs node as its child: that is the process to kill.
    const kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    pid = Number(kids[0]);
  }
  return { url, pid, child, output: () => out, exited, readyMs: Date.now() - started };
}

/** Error-level lines (pino level ≥ 50) a server wrote. */
const errorLines = (out: string) =>
  out.split('\n').filter((l) => {
    try {
      return (JSON.parse(l) as { level?: number }).level! >= 50;
    } catch {
      return /\b(error|fatal)\b/i.test(l) && !/^\s*$/.test(l);
    }
  });

function countSyncCalls(file: string, from: number, to: number): number {
  if (!fs.existsSync(file)) return 0;
  let n = 0;
  const re = new RegExp(`^\\d+\\s+(\\d+\\.\\d+)\\s+(?:${SYNC_CALLS.replace(/,/g, '|')})\\(`);
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = re.exec(line);
    if (m) {
      const t = Number(m[1]) * 1000;
      if (t >= from && t <= to) n++;
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Residents and their reports.

interface Resident {
  phone: string;
  headers: Record<string, string>;
}

async function signIn(url: string, phone: string): Promise<Resident> {
  const json = { 'content-type': 'application/json', origin: url };
  const sent = await fetch(`${url}/api/v1/auth/otp`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ phone }),
  });
  if (!sent.ok) throw new Error(`otp for ${phone}: ${sent.status} ${await sent.text()}`);
  const dev = await fetch(`${url}/api/v1/dev/otp/${phone}`);
  if (!dev.ok) throw new Error(`dev otp for ${phone}: ${dev.status} (is the development endpoint on?)`);
  const { code } = (await dev.json()) as { code: string };
  const res = await fetch(`${url}/api/v1/auth/otp/verify`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ phone, code }),
  });
  if (!res.ok) throw new Error(`sign-in of ${phone}: ${res.status} ${await res.text()}`);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('linli_csrf='))?.slice('linli_csrf='.length) ?? '';
  const headers = { cookie: cookies.join('; '), origin: url, 'x-csrf-token': csrf };
  // A new resident agrees to the privacy notice before anything else (as the app asks them to).
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
  return { phone, headers };
}

interface Ack {
  id: string;
  description: string;
  resident: Resident;
}

interface LoadResult {
  acks: Ack[];
  /** Reports sent whose answer never came (cut by the kill). */
  cut: { description: string; resident: Resident }[];
  refused: Map<number, number>;
  firstAckAt: number;
  killedAt: number;
  loadStart: number;
}

async function load(server: Server, run: number, label: string): Promise<LoadResult> {
  let phoneSeq = 0;
  const phone = () => `137${String(run).padStart(2, '0')}${String(phoneSeq++).padStart(6, '0')}`;
  const residents = await Promise.all(Array.from({ length: CONCURRENCY }, () => signIn(server.url, phone())));
  const acks: Ack[] = [];
  const cut: LoadResult['cut'] = [];
  const refused = new Map<number, number>();
  let killed = false;
  let firstAckAt = 0;
  let firstAck!: () => void;
  const gotFirst = new Promise<void>((r) => (firstAck = r));
  let fatal: Error | null = null;
  const loadStart = Date.now();

  const worker = async (w: number) => {
    let who = residents[w]!;
    for (let n = 0; !killed; n++) {
      const description = `耐久测试 ${label} 第${run}轮 居民${w} 第${n}件：楼道灯不亮`;
      const form = new FormData();
      form.set('categoryCode', '0102');
      form.set('description', description);
      form.set('lat', '31.3175');
      form.set('lng', '104.5062');
      form.append('photos', new Blob([JPEG], { type: 'image/jpeg' }), 'photo.jpg');
      let res: Response;
      try {
        res = await fetch(`${server.url}/api/v1/cases`, { method: 'POST', headers: who.headers, body: form });
      } catch {
        if (killed) cut.push({ description, resident: who });
        else fatal ??= new Error('the server stopped answering before the kill');
        return;
      }
      let body: { id?: string } | null = null;
      try {
        body = (await res.json()) as { id?: string };
      } catch {
        if (killed) cut.push({ description, resident: who });
        return;
      }
      if (res.status === 201 && body?.id) {
        acks.push({ id: body.id, description, resident: who });
        if (!firstAckAt) {
          firstAckAt = Date.now();
          firstAck();
        }
      } else if (res.status === 429) {
        // An upload quota or rate limit: go on as another resident.
        refused.set(429, (refused.get(429) ?? 0) + 1);
        if (killed) return;
        try {
          who = await signIn(server.url, phone());
        } catch {
          return;
        }
      } else {
        refused.set(res.status, (refused.get(res.status) ?? 0) + 1);
        if (!firstAckAt) {
          fatal ??= new Error(`case report refused: ${res.status} ${JSON.stringify(body)}`);
          firstAck();
          return;
        }
      }
    }
  };
  const workers = residents.map((_, w) => worker(w));
  await gotFirst;
  if (fatal) throw fatal;
  await sleep(KILL_MIN + random() * (KILL_MAX - KILL_MIN));
  killed = true;
  const killedAt = Date.now();
  try {
    process.kill(server.pid, 'SIGKILL');
  } catch {
    fatal ??= new Error('the server was gone before the kill');
  }
  await Promise.all(workers);
  await server.exited;
  if (fatal) throw fatal;
  return { acks, cut, refused, firstAckAt, killedAt, loadStart };
}

/** Reads a report back as its reporter: present, with its photo's bytes as uploaded? */
async function check(url: string, ack: { id?: string; description: string; resident: Resident }) {
  const res = await fetch(`${url}/api/v1/cases/${ack.id}`, {
    headers: { cookie: ack.resident.headers.cookie! },
  });
  if (res.status !== 200) return { present: false, photo: false, photoAsSent: false };
  const c = (await res.json()) as { description: string; photos: { url: string; size: number }[] };
  if (c.description !== ack.description || c.photos.length !== 1)
    return { present: c.description === ack.description, photo: false, photoAsSent: false };
  const p = await fetch(`${url}${c.photos[0]!.url}`, { headers: { cookie: ack.resident.headers.cookie! } });
  if (p.status !== 200) return { present: true, photo: false, photoAsSent: false };
  const bytes = Buffer.from(await p.arrayBuffer());
  return {
    present: true,
    photo: bytes.length === c.photos[0]!.size && bytes[0] === 0xff && bytes[1] === 0xd8,
    photoAsSent: createHash('sha256').update(bytes).digest('hex') === JPEG_SHA,
  };
}

/** Reports whose answer was cut by the kill but that committed anyway (the reporter's list). */
async function committedUnacked(url: string, cut: LoadResult['cut'], acks: Ack[]) {
  if (!cut.length) return 0;
  const acked = new Set(acks.map((a) => a.id));
  const wanted = new Set(cut.map((c) => c.description));
  let found = 0;
  for (const who of new Set(cut.map((c) => c.resident))) {
    const res = await fetch(`${url}/api/v1/cases/mine?limit=100`, {
      headers: { cookie: who.headers.cookie! },
    });
    if (!res.ok) continue;
    const page = (await res.json()) as { items: { id: string; description?: string }[] };
    for (const i of page.items) if (!acked.has(i.id) && i.description && wanted.has(i.description)) found++;
  }
  return found;
}

function auditVerify(target: Target): Promise<{ ok: boolean; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/scripts/audit-verify.ts'], {
      cwd: ROOT,
      env: serverEnv(target, 0),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout!.on('data', (d) => (text += d));
    child.stderr!.on('data', (d) => (text += d));
    child.once('exit', (code) => resolve({ ok: code === 0, text: text.trim() }));
  });
}

// ---------------------------------------------------------------------------------------------
// Databases: a seeded template per kind, and a fresh copy per run.

interface Target {
  dataDir: string;
  databaseUrl: string | null;
}

interface Kind {
  label: string;
  settings: string;
  /** A fresh copy of the seeded database for one run. */
  copy(run: number): Promise<Target & { drop(): Promise<void> }>;
  /** strace output of the PostgreSQL server, when this script started it under strace. */
  pgTrace: string | null;
  close(): Promise<void>;
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-durability-'));
if (AS_ROOT) fs.chmodSync(tmpRoot, 0o755);

async function seed(target: Target) {
  const s = await startServer(target, null);
  s.child.kill('SIGTERM');
  if ((await s.exited) !== 0) throw new Error(`seeding server did not stop cleanly:\n${s.output()}`);
}

async function pgliteKind(): Promise<Kind> {
  const template = path.join(tmpRoot, 'pglite-template');
  await seed({ dataDir: template, databaseUrl: null });
  return {
    label: 'PGlite (embedded)',
    settings: 'as the code configures it',
    pgTrace: null,
    async copy(run) {
      const dataDir = path.join(tmpRoot, `pglite-run-${run}`);
      fs.cpSync(template, dataDir, { recursive: true });
      return {
        dataDir,
        databaseUrl: null,
        drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
      };
    },
    async close() {},
  };
}

const asPostgres = (args: string[]) => (AS_ROOT ? ['runuser', '-u', 'postgres', '--', ...args] : args);

/** A throwaway PostgreSQL server with default (durable) settings, the postmaster under strace. */
async function ownPostgres(): Promise<{ adminUrl: string; trace: string | null; stop(): Promise<void> }> {
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
  const port = Number(process.env.DURABILITY_PG_PORT ?? (await freePort()));
  const trace = STRACE ? path.join(tmpRoot, 'pg.trace') : null;
  const postgres = asPostgres([
    pgBin('postgres')!,
    '-D',
    `${dir}/data`,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
  ]);
  const argv = trace
    ? [
        STRACE!,
        '-f',
        '--seccomp-bpf',
        '-qq',
        '-ttt',
        '-e',
        `trace=${SYNC_CALLS}`,
        '-e',
        'signal=none',
        '-o',
        trace,
        ...postgres,
      ]
    : postgres;
  let log = '';
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
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
    trace,
    async stop() {
      const stop = asPostgres([pgBin('pg_ctl')!, '-D', `${dir}/data`, '-m', 'fast', '-w', 'stop']);
      spawnSync(stop[0]!, stop.slice(1), { stdio: 'ignore' });
      await exited;
    },
  };
}

async function postgresKind(): Promise<Kind | null> {
  let adminUrl = process.env.DATABASE_URL ?? '';
  let own: Awaited<ReturnType<typeof ownPostgres>> | null = null;
  if (!adminUrl) {
    if (!pgBin('initdb') || !pgBin('postgres') || !pgBin('pg_ctl')) {
      console.log('PostgreSQL skipped: no DATABASE_URL and no initdb/postgres to start one.');
      return null;
    }
    own = await ownPostgres();
    adminUrl = own.adminUrl;
  }
  const withDb = (name: string) => {
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const settings = await admin.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method') ORDER BY name",
  );
  const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!
    .v;
  const shown = settings.rows.map((r) => `${r.name}=${r.setting}`).join(', ');
  if (settings.rows.find((r) => r.name === 'fsync')?.setting !== 'on')
    console.log(
      `WARNING: this PostgreSQL runs with fsync off (${shown}): its figures say nothing about durability.`,
    );
  await admin.query('DROP DATABASE IF EXISTS linli_dur_template WITH (FORCE)');
  await admin.query('CREATE DATABASE linli_dur_template');
  await seed({ dataDir: path.join(tmpRoot, 'pg-template-files'), databaseUrl: withDb('linli_dur_template') });
  return {
    label: `PostgreSQL ${version.split(' ')[0]}`,
    settings: shown,
    pgTrace: own?.trace ?? null,
    async copy(run) {
      const name = `linli_dur_run_${run}`;
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name} TEMPLATE linli_dur_template`);
      const dataDir = path.join(tmpRoot, `pg-run-${run}`);
      return {
        dataDir,
        databaseUrl: withDb(name),
        async drop() {
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          fs.rmSync(dataDir, { recursive: true, force: true });
        },
      };
    },
    async close() {
      await admin.query('DROP DATABASE IF EXISTS linli_dur_template WITH (FORCE)');
      await admin.end();
      await own?.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------------

interface RunFigures {
  killAfterMs: number;
  acked: number;
  cut: number;
  committedUnacked: number;
  lost: number;
  photosNotAsSent: number;
  refused: string;
  restartClean: boolean;
  restartMs: number;
  auditOk: boolean;
  auditText: string;
  linliSyncs: number | null;
  pgSyncs: number | null;
}

async function oneRun(kind: Kind, run: number): Promise<RunFigures> {
  const target = await kind.copy(run);
  try {
    const trace = STRACE ? path.join(tmpRoot, `linli-${kind.label.split(' ')[0]}-${run}.trace`) : null;
    const first = await startServer(target, trace);
    const r = await load(first, run, kind.label.split(' ')[0]!);
    const linliSyncs = trace ? countSyncCalls(trace, r.loadStart, r.killedAt) : null;
    const pgSyncs = kind.pgTrace ? countSyncCalls(kind.pgTrace, r.loadStart, r.killedAt) : null;

    const second = await startServer(target, null);
    let lost = 0;
    let photosNotAsSent = 0;
    for (const a of r.acks) {
      const c = await check(second.url, a);
      if (!c.present || !c.photo) lost++;
      else if (!c.photoAsSent) photosNotAsSent++;
    }
    const extra = await committedUnacked(second.url, r.cut, r.acks);
    second.child.kill('SIGTERM');
    const stopped = (await second.exited) === 0;
    const restartClean = stopped && errorLines(second.output()).length === 0;
    const audit = await auditVerify(target);
    return {
      killAfterMs: r.killedAt - r.firstAckAt,
      acked: r.acks.length,
      cut: r.cut.length,
      committedUnacked: extra,
      lost,
      photosNotAsSent,
      refused: [...r.refused].map(([s, n]) => `${n}×${s}`).join(' ') || '—',
      restartClean,
      restartMs: second.readyMs,
      auditOk: audit.ok,
      auditText: audit.text,
      linliSyncs,
      pgSyncs,
    };
  } finally {
    await target.drop();
  }
}

const perAck = (n: number | null, acks: number) => (n === null ? '—' : acks ? (n / acks).toFixed(2) : 'n/a');

async function main() {
  console.log(
    `Linli durability — ${new Date().toISOString()} — ${os.cpus().length} cores, node ${process.version}; ` +
      `${RUNS} runs per database, ${CONCURRENCY} residents reporting at once, kill -9 ${KILL_MIN}–${KILL_MAX} ms ` +
      `after the first acknowledgement, seed ${SEED}; strace: ${STRACE ? 'yes' : 'not installed (no fsync counts)'}`,
  );
  const summary: string[] = [];
  const detail: string[] = [
    '| database | run | killed after ms | acknowledged | cut by the kill | committed, not acknowledged | lost | refused | restart ms | restart clean | audit chain | fsync/ack Linli | fsync/ack PostgreSQL |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const notes: string[] = [];
  for (const name of DATABASES) {
    const kind = name === 'pglite' ? await pgliteKind() : name === 'postgres' ? await postgresKind() : null;
    if (!kind) continue;
    const runs: RunFigures[] = [];
    try {
      for (let run = 1; run <= RUNS; run++) {
        const f = await oneRun(kind, run);
        runs.push(f);
        const line = `| ${kind.label} | ${run} | ${f.killAfterMs} | ${f.acked} | ${f.cut} | ${f.committedUnacked} | ${f.lost} | ${f.refused} | ${f.restartMs} | ${f.restartClean ? 'yes' : 'NO'} | ${f.auditOk ? 'ok' : 'BROKEN'} | ${perAck(f.linliSyncs, f.acked)} | ${perAck(f.pgSyncs, f.acked)} |`;
        detail.push(line);
        console.error(line);
        if (!f.auditOk) notes.push(`${kind.label} run ${run}: ${f.auditText}`);
        if (f.photosNotAsSent)
          notes.push(
            `${kind.label} run ${run}: ${f.photosNotAsSent} photos came back changed (the server rewrote them)`,
          );
      }
    } finally {
      await kind.close();
    }
    const sum = (k: (f: RunFigures) => number) => runs.reduce((n, f) => n + k(f), 0);
    const acked = sum((f) => f.acked);
    const syncs = (k: (f: RunFigures) => number | null) =>
      runs.every((f) => k(f) !== null)
        ? perAck(
            sum((f) => k(f) ?? 0),
            acked,
          )
        : '—';
    summary.push(
      `| ${kind.label} (${kind.settings}) | ${runs.length} | ${acked} | ${sum((f) => f.lost)} | ${runs.filter((f) => f.restartClean).length}/${runs.length} | ${runs.filter((f) => f.auditOk).length}/${runs.length} | ${syncs((f) => f.linliSyncs)} | ${syncs((f) => f.pgSyncs)} |`,
    );
  }
  console.log(
    [
      '',
      '| database | runs | acknowledged writes | lost | restarts clean | audit chain ok | fsync/ack (Linli process) | fsync/ack (PostgreSQL) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...summary,
      '',
      ...detail,
      ...(notes.length ? ['', ...notes] : []),
    ].join('\n'),
  );
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
