/**
 * `npm run bench:lighthouse`: Lighthouse's mobile performance score of the resident app's first
 * pages, as a resident's phone first opens them. Reported, never asserted (the score depends on the
 * machine: Lighthouse simulates a mid-range phone on a slow 4G link from a trace taken here).
 *
 * Starts Linli as `bench/run.ts` does (a development server on loopback, fresh embedded database,
 * demo data) serving the built web apps (`node scripts/ensure-built.mjs` first), then runs
 * Lighthouse 12.2.3 (mobile preset: Moto G Power screen, simulated slow 4G and 4× CPU slowdown;
 * performance category only) against Debian's chromium, headless, with the flags the browser tests
 * use (e2e/harness.ts), a fresh browser per run. Pages: `/` and `/guide` as a guest, and the
 * 随手拍 report form `/cases/report` as a signed-in resident of 翰林社区 (the form asks a guest to
 * sign in; the session cookie goes with every request as an extra header).
 *
 * Prints, per page, the median of LIGHTHOUSE_RUNS runs (default 3) of each column: score, FCP, LCP,
 * TBT, CLS, Speed Index, and the JavaScript transferred (compressed bytes on the wire). With
 * LIGHTHOUSE_VERBOSE=on it also names the audits that cost points in each run.
 *
 * Env: CHROMIUM_PATH (default /usr/bin/chromium), LIGHTHOUSE_RUNS (default 3), LIGHTHOUSE_VERBOSE,
 * LIGHTHOUSE_SAVE (a directory: each run's full report, JSON, to open in the Lighthouse viewer),
 * LIGHTHOUSE_PAGES (some of the paths, comma-separated: `/,/guide`).
 */
import { CHROMIUM_ARGS as BROWSER_ARGS } from '../e2e/chromium-args';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lighthouse from 'lighthouse';

const ROOT = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const VERBOSE = process.env.LIGHTHOUSE_VERBOSE === 'on';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SAVE = process.env.LIGHTHOUSE_SAVE;
const ONLY = process.env.LIGHTHOUSE_PAGES?.split(',');
/** A demo resident number (the e2e residents use 138000003xx): signs in by the development OTP. */
const RESIDENT_PHONE = '13800000399';

/** The browser tests' flags, and a DevTools port the system picks. */
const CHROMIUM_ARGS = [...BROWSER_ARGS, '--remote-debugging-port=0'];

interface Server {
  url: string;
  stop(): Promise<void>;
}

/** Linli on a fresh data dir, demo data, serving apps/*\/dist; the system picks the port. */
async function startLinli(): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-lighthouse-'));
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      // The demo accounts and the development OTP are development conveniences: a development
      // server on loopback, as bench/run.ts starts it, but serving the production builds.
      NODE_ENV: 'development',
      LINLI_DEV: 'on',
      LINLI_DEMO: 'on',
      LINLI_DEMO_HISTORY: 'off',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      SERVE_WEB: 'on',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.once('exit', () => child.kill());
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 180_000;
  let url = '';
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${out}`);
    url ||= /"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1] ?? '';
    try {
      if (url && (await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`server not ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function call(url: string, init: RequestInit & { cookie?: string } = {}) {
  const res = await fetch(url, {
    ...init,
    headers: {
      'content-type': 'application/json',
      origin: new URL(url).origin,
      ...(init.cookie ? { cookie: init.cookie } : {}),
    },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${res.status} ${await res.text()}`);
  return res;
}

/**
 * Signs the demo resident in by the development OTP, agrees to the privacy notice and sets the
 * home community to 翰林社区 (what the report form's pin map draws): the session's cookie header.
 */
async function residentCookie(base: string): Promise<string> {
  const api = `${base}/api/v1`;
  await call(`${api}/auth/otp`, { method: 'POST', body: JSON.stringify({ phone: RESIDENT_PHONE }) });
  const { code } = (await (await call(`${api}/dev/otp/${RESIDENT_PHONE}`)).json()) as { code: string };
  const verified = await call(`${api}/auth/otp/verify`, {
    method: 'POST',
    body: JSON.stringify({ phone: RESIDENT_PHONE, code }),
  });
  const cookie = verified.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { me } = (await verified.json()) as {
    me: { privacy?: { consentRequired: boolean; currentVersion: string } };
  };
  if (me.privacy?.consentRequired)
    await call(`${api}/me/privacy/consent`, {
      method: 'POST',
      cookie,
      body: JSON.stringify({ version: me.privacy.currentVersion }),
    });
  const units = (await (
    await call(`${api}/org-units?kind=community&q=${encodeURIComponent('翰林社区')}`)
  ).json()) as {
    items: { id: string; name: string }[];
  };
  const hanlin = units.items.find((u) => u.name === '翰林社区');
  if (!hanlin) throw new Error('翰林社区 is not in the demo data');
  await call(`${api}/me`, { method: 'PATCH', cookie, body: JSON.stringify({ homeOrgUnitId: hanlin.id }) });
  return cookie;
}

/** A headless chromium of its own (fresh profile), and the DevTools port it listens on. */
async function launchChromium(): Promise<{ port: number; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-lighthouse-chromium-'));
  const child: ChildProcess = spawn(
    CHROMIUM,
    [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, 'about:blank'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  process.once('exit', () => child.kill());
  let err = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      err += d;
      const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`chromium exited:\n${err}`)));
  });
  return {
    port,
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

interface Run {
  score: number;
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  si: number;
  jsBytes: number;
  /** Lighthouse's measure of this machine's speed at that moment (a quiet desktop: 1000–2500). */
  bench: number;
  losses: string[];
}

async function measure(url: string, cookie: string | undefined, saveAs: string): Promise<Run> {
  const chromium = await launchChromium();
  try {
    const result = await lighthouse(url, {
      port: chromium.port,
      logLevel: 'error',
      output: 'json',
      onlyCategories: ['performance'],
      ...(cookie ? { extraHeaders: { cookie } } : {}),
    });
    if (!result) throw new Error(`lighthouse gave no result for ${url}`);
    const { lhr } = result;
    if (SAVE) {
      fs.mkdirSync(SAVE, { recursive: true });
      fs.writeFileSync(path.join(SAVE, `${saveAs}.json`), JSON.stringify(lhr));
    }
    if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const num = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
    const summary = lhr.audits['resource-summary']?.details as
      | { items: { resourceType: string; transferSize: number }[] }
      | undefined;
    const losses = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative')
      .map((a) => `${a.id}${a.displayValue ? ` (${a.displayValue})` : ''}`);
    return {
      score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
      fcp: num('first-contentful-paint'),
      lcp: num('largest-contentful-paint'),
      tbt: num('total-blocking-time'),
      cls: num('cumulative-layout-shift'),
      si: num('speed-index'),
      jsBytes: summary?.items.find((i) => i.resourceType === 'script')?.transferSize ?? 0,
      bench: lhr.environment.benchmarkIndex,
      losses,
    };
  } finally {
    await chromium.close();
  }
}

/** Lighthouse sometimes loses the trace on a loaded machine (NO_NAVSTART): such a run is redone, twice at most. */
async function measureWithRetry(url: string, cookie: string | undefined, saveAs: string): Promise<Run> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await measure(url, cookie, saveAs);
    } catch (e) {
      if (attempt >= 3) throw e;
      console.error(`${url}: ${(e as Error).message.split('\n')[0]} — measuring again`);
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

// The build's log goes to stderr: stdout is the table.
execFileSync(process.execPath, ['scripts/ensure-built.mjs'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
const server = await startLinli();
try {
  const cookie = await residentCookie(server.url);
  const pages: { name: string; path: string; cookie?: string }[] = [
    { name: 'home (guest)', path: '/' },
    { name: 'guide (guest)', path: '/guide' },
    { name: 'report form (resident)', path: '/cases/report', cookie },
  ].filter((p) => !ONLY || ONLY.includes(p.path));
  const rows: string[] = [];
  for (const page of pages) {
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const slug = page.path.replace(/\W+/g, '-').replace(/^-|-$/g, '') || 'home';
      const run = await measureWithRetry(`${server.url}${page.path}`, page.cookie, `${slug}-${i + 1}`);
      runs.push(run);
      console.error(
        `${page.path} run ${i + 1}: ${run.score} (LCP ${(run.lcp / 1000).toFixed(2)} s, TBT ${Math.round(run.tbt)} ms, benchmarkIndex ${Math.round(run.bench)})`,
      );
      if (VERBOSE) for (const l of run.losses) console.error(`    ${l}`);
    }
    const m = (k: keyof Omit<Run, 'losses'>) => median(runs.map((r) => r[k]));
    rows.push(
      `| ${`\`${page.path}\` ${page.name}`.padEnd(40)} | ${String(m('score')).padStart(5)} | ${(m('fcp') / 1000).toFixed(1).padStart(5)} | ${(m('lcp') / 1000).toFixed(1).padStart(5)} | ${String(Math.round(m('tbt'))).padStart(6)} | ${m('cls').toFixed(3).padStart(5)} | ${(m('si') / 1000).toFixed(1).padStart(6)} | ${(m('jsBytes') / 1024).toFixed(1).padStart(13)} | ${String(Math.round(m('bench'))).padStart(14)} |`,
    );
  }
  console.log(`Lighthouse 12.2.3, mobile, performance; median of ${RUNS} runs per column.\n`);
  console.log(
    `| ${'page'.padEnd(40)} | score | FCP s | LCP s | TBT ms |   CLS | SI s   | JS KiB (wire) | benchmarkIndex |`,
  );
  console.log(
    `| ${'-'.repeat(40)} | ----: | ----: | ----: | -----: | ----: | -----: | ------------: | -------------: |`,
  );
  for (const r of rows) console.log(r);
} finally {
  await server.stop();
}
