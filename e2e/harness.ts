import { type ChildProcess, execSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, expect, inject } from 'vitest';
import { CHROMIUM_ARGS } from './chromium-args';

export const ROOT = path.resolve(import.meta.dirname, '..');
/** Screenshots of every page at both sizes land here (see README). */
export const SHOTS = path.join(ROOT, 'e2e', 'screenshots');
export const PHONE = { width: 360, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };
export const KIOSK = { width: 1920, height: 1080 };
export const DEMO_PASSWORD = 'Linli@2026';

export interface RunningServer {
  url: string;
  dataDir: string;
  log: () => string;
  stop(): Promise<void>;
}

/**
 * Environment that changes what the server seeds or where its data lives: a start that sets any of
 * these gets a fresh database, not a copy of the seeded template (which was seeded without them).
 */
const SEED_ENV = [
  'DATA_DIR',
  'DATABASE_URL',
  'LINLI_DEMO',
  'LINLI_DEMO_HISTORY',
  'LINLI_DEMO_PASSWORD',
  'NODE_ENV',
];

/**
 * The seeded data dir prepared once per run by e2e/global-setup.ts, or null: when the file runs
 * without that globalSetup (or outside vitest), when LINLI_E2E_FRESH=1, or when `env` changes the seed.
 */
function seededTemplate(env: Record<string, string>): string | null {
  if (process.env.LINLI_E2E_FRESH === '1') return null;
  if (SEED_ENV.some((k) => k in env)) return null;
  let dir: string | undefined;
  try {
    dir = inject('e2eTemplateDir');
  } catch {
    return null; // not inside a vitest worker
  }
  return dir && fs.existsSync(dir) ? dir : null;
}

/** A server process on `dataDir`, once its /readyz answers. */
export interface ServerProcess {
  url: string;
  log: () => string;
  /** SIGTERM, then waits for the process to exit (the database is closed by then). */
  terminate(): Promise<number | null>;
}

/**
 * Spawns `node --import tsx apps/server/src/main.ts` on `dataDir` and a port of its own, with demo data on,
 * and waits for /readyz (90 s). Used by `startServer` and by the globalSetup that seeds the template.
 */
/** The resend cool-down the browser tests' servers use, with a second's margin. */
export const OTP_COOLDOWN_MS = 11_000;

export async function spawnServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      // The system picks a free port as the server listens, and Fastify's log line names it: files
      // run in parallel, and a port probed free beforehand could be taken by another file's server.
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LINLI_DEMO: 'on',
      // The demo accounts without the year of activity: pages show what each test makes.
      LINLI_DEMO_HISTORY: 'off',
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
      // A second code for the same number within a test: wait 10 s, not a minute (OTP_COOLDOWN_MS).
      OTP_RESEND_COOLDOWN_SECONDS: '10',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  let url = '';
  // Only a guard against a server that never comes up: a loaded 2-core box can take minutes.
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    url ||= /"Server listening at (http:\/\/127\.0\.0\.1:\d+)"/.exec(output)?.[1] ?? '';
    try {
      if (url && (await fetch(`${url}/readyz`)).ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`server did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    log: () => output,
    async terminate() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      return child.exitCode;
    },
  };
}

/**
 * Starts the real server (built apps, its own embedded database, demo data) on a free port. The
 * database is a copy of the seeded template the e2e globalSetup prepared once per run (as a fresh
 * seed leaves it); without one, or with LINLI_E2E_FRESH=1, the server seeds a fresh data dir itself.
 */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-'));
  const template = seededTemplate(env);
  if (template) fs.cpSync(template, dataDir, { recursive: true });
  const server = await spawnServer(dataDir, env);
  return {
    url: server.url,
    dataDir,
    log: server.log,
    async stop() {
      await server.terminate();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  try {
    return execSync('command -v chromium', { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('chromium is not installed: apt-get install -y chromium fonts-noto-cjk');
  }
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

/**
 * A browser with a real profile in `userDataDir`, not an incognito context like `newPage`'s:
 * what Chromium's install prompt and its installability check need. Zh-CN, Asia/Shanghai.
 */
export async function launchPersistentBrowser(
  userDataDir: string,
  opts: { viewport: { width: number; height: number }; isMobile?: boolean; hasTouch?: boolean },
): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    args: CHROMIUM_ARGS,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    deviceScaleFactor: 1,
    ...opts,
  });
  guardContext(context);
  return context;
}

/** A fresh browser context (own cookies) at a viewport, Chinese locale and Asia/Shanghai time. */
export async function newPage(
  browser: Browser,
  viewport: { width: number; height: number },
  opts: { mobile?: boolean; userAgent?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    deviceScaleFactor: 1,
    isMobile: opts.mobile ?? viewport.width < 500,
    hasTouch: opts.mobile ?? viewport.width < 500,
    // e.g. WeChat's in-app browser, to see how sessions describe the device.
    ...(opts.userAgent ? { userAgent: opts.userAgent } : {}),
  });
  guardContext(context);
  const page = await context.newPage();
  return { context, page };
}

/**
 * Waits until the page is still, before a screenshot: no request for 500 ms, then frame by frame
 * until no finite CSS animation or transition is running (a drawer sliding in, a toast fading, a
 * picker settling; a spinner's endless one does not count). The first two frames always pass: a
 * Vue transition starts on the frame after its classes are set. Replaces fixed sleeps, which were
 * both slower and, on a loaded machine, sometimes too short. Gives up waiting after ~5 s of frames.
 */
export async function still(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.evaluate(async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const moving = () =>
      document
        .getAnimations()
        .some((a) => a.playState === 'running' && a.effect?.getComputedTiming().iterations !== Infinity);
    await frame();
    await frame();
    for (let i = 0; i < 300 && moving(); i++) await frame();
  });
}

/** Shot names this file has checked with axe already (each state once, at its first size). */
const checkedShots = new Set<string>();

/**
 * Saves `<name>-<width>x<height>.png` under e2e/screenshots, and checks the page as photographed
 * with axe (`expectAccessible`) the first time this file photographs `name`: every page a browser
 * test shows is checked where it is already open, and its route counts as covered.
 */
export async function shot(page: Page, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  const v = page.viewportSize();
  await page.screenshot({ path: path.join(SHOTS, `${name}-${v?.width}x${v?.height}.png`), fullPage: true });
  if (checkedShots.has(name)) return;
  checkedShots.add(name);
  await expectAccessible(page, { label: name });
}

/** Reads the latest development one-time code for a phone from the server. */
export async function devOtp(server: RunningServer, phone: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/dev/otp/${phone}`);
  if (!res.ok) throw new Error(`no dev otp for ${phone}: ${res.status}`);
  return ((await res.json()) as { code: string }).code;
}

/**
 * The first working day strictly after today (Beijing), by the server's district calendar, as
 * `YYYY-MM-DD`: a date a service-room appointment can be booked on.
 */
export async function nextWorkingDay(server: RunningServer): Promise<string> {
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const years = [Number(today.slice(0, 4)), Number(today.slice(0, 4)) + 1];
  const kinds = new Map<string, string>();
  for (const year of years) {
    const res = await fetch(`${server.url}/api/v1/calendar?year=${year}`);
    if (!res.ok) throw new Error(`calendar ${year}: ${res.status}`);
    for (const d of ((await res.json()) as { days: { date: string; kind: string }[] }).days)
      kinds.set(d.date, d.kind);
  }
  let t = Date.parse(`${today}T00:00:00Z`);
  for (;;) {
    t += 86_400_000;
    const date = new Date(t).toISOString().slice(0, 10);
    const kind = kinds.get(date);
    const weekday = new Date(t).getUTCDay();
    if (kind === 'workday' || (kind !== 'holiday' && weekday !== 0 && weekday !== 6)) return date;
  }
}

/** An ISO instant for a Beijing date and time, e.g. ('2026-11-30', '09:30'). */
export const beijing = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`).toISOString();

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely by the specs.
export type ApiAnswer = { status: number; body: any };

/**
 * A cookie-keeping client of the public API, for seeding and checking state beside the browser:
 * sends the CSRF header on writes as the web apps do; JSON or FormData bodies; answers the status
 * and the parsed body.
 */
export function apiSession(server: RunningServer) {
  const jar = new Map<string, string>();
  return async (method: string, url: string, body?: unknown): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { origin: server.url };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = jar.get('linli_csrf');
    if (csrf) headers['x-csrf-token'] = decodeURIComponent(csrf);
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${server.url}/api/v1${url}`, { method, headers, body: payload });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** `apiSession` that throws on an error status and answers the body: for seeding steps. */
export function strictApiSession(server: RunningServer) {
  const call = apiSession(server);
  // biome-ignore lint/suspicious/noExplicitAny: see ApiAnswer.
  return async (method: string, url: string, body?: unknown): Promise<any> => {
    const res = await call(method, url, body);
    if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
}

/** The running test file's name, e.g. `resident.e2e.ts`. */
const currentFile = () => path.basename(expect.getState().testPath ?? '');

// ---------- console guard: every page of every context the harness opens ----------

/** What each guarded page has logged as an error (console.error, uncaught exceptions), in order. */
const pageErrors = new WeakMap<Page, string[]>();
/** Errors logged since the last check, by any guarded page: what the next check looks at. */
let unchecked: string[] = [];
/** Errors the running test declared it provokes (`expectConsoleError`); cleared after each test. */
let expected: RegExp[] = [];

function guardPage(page: Page) {
  if (pageErrors.has(page)) return;
  const errors: string[] = [];
  pageErrors.set(page, errors);
  const record = (e: string) => {
    // What `watchConsole` answers leaves out what the running test declared.
    if (!expected.some((p) => p.test(e))) errors.push(e);
    unchecked.push(e);
  };
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    record(`${msg.text()} (${msg.location().url ?? ''})`);
  });
  page.on('pageerror', (err) => record(`uncaught: ${err.message}`));
}

function guardContext(context: BrowserContext) {
  for (const page of context.pages()) guardPage(page);
  context.on('page', guardPage);
}

/**
 * Declares that the running test provokes a console error matching `pattern`, e.g. a refusal it
 * asserts on (Chromium logs every 4xx/5xx answer as "Failed to load resource: … status of 409").
 * Good for the rest of this test only; anything else a page logs fails the test.
 */
export function expectConsoleError(...patterns: RegExp[]) {
  expected.push(...patterns);
}

/** The errors logged since the last check that no `expectConsoleError` of this test declared. */
function takeUnexpected(): string[] {
  const found = unchecked.filter((e) => !expected.some((p) => p.test(e)));
  unchecked = [];
  return found;
}

/**
 * What this page has logged as an error so far (console.error, uncaught exceptions), for a test
 * that asserts on it at a precise point. Every page is checked after each test anyway.
 */
export function watchConsole(page: Page): () => string[] {
  guardPage(page);
  return () => [...(pageErrors.get(page) ?? [])];
}

// ---------- axe: every page of both apps, recorded by route ----------

/** The app and route name of the page, read from the Vue app's router. */
async function currentRoute(page: Page): Promise<{ app: string; route: string; routes: string[] } | null> {
  return page.evaluate(() => {
    // biome-ignore lint/suspicious/noExplicitAny: the mounted Vue app, untyped from the page.
    const app = (document.querySelector('[data-v-app]') as any)?.__vue_app__;
    const router = app?.config.globalProperties.$router;
    if (!router) return null;
    const base = router.options.history.base as string;
    return {
      app: base.startsWith('/console') ? 'console' : 'resident',
      route: String(router.currentRoute.value.name ?? ''),
      routes: (router.getRoutes() as { name?: unknown }[]).filter((r) => r.name).map((r) => String(r.name)),
    };
  });
}

let axeSource: string | undefined;

/**
 * axe-core's WCAG 2.x A/AA violations on the page as it is now: `id: target, …` per violation.
 * `include` limits the check to parts of the page (CSS selectors), e.g. one panel of a console page.
 * `impacts` keeps only violations of those impacts.
 */
export async function axeViolations(page: Page, include?: string[], impacts?: string[]): Promise<string[]> {
  axeSource ??= fs.readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(
    async ({ parts, impacts }) => {
      // biome-ignore lint/suspicious/noExplicitAny: axe is injected above, untyped in the page.
      const axe = (window as any).axe;
      const r = await axe.run(parts ? { include: parts.map((p) => [p]) } : document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      });
      type Node = { target: string[]; any: { message: string }[] };
      return (r.violations as { id: string; impact: string; nodes: Node[] }[])
        .filter((v) => !impacts || impacts.includes(v.impact))
        .map(
          (v) =>
            `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')}${impacts && n.any[0] ? ` [${n.any[0].message}]` : ''}`).join(', ')}`,
        );
    },
    { parts: include ?? null, impacts: impacts ?? null },
  );
  return result as string[];
}

/**
 * Checks the page as it is now with axe-core (WCAG 2.1 A/AA) and fails on any critical or serious
 * violation; records the page's route as checked. Every named route of both apps must be checked
 * by some file of the run: the last file to finish fails when one is not (see `routeCoverage`).
 * `include` limits the check to parts of the page (a drawer, a dialog).
 */
export async function expectAccessible(page: Page, opts: { include?: string[]; label?: string } = {}) {
  const where = await currentRoute(page);
  const violations = await axeViolations(page, opts.include, ['critical', 'serious']);
  expect(violations, `axe on ${opts.label ?? where?.route ?? page.url()}`).toEqual([]);
  if (where) recordChecked(where.app, where.route, where.routes);
}

/** The run's record dir (from e2e/global-setup.ts), or null outside a vitest run with it. */
function recordDir(): string | null {
  try {
    const dir = inject('e2eRecordDir');
    return dir && fs.existsSync(dir) ? dir : null;
  } catch {
    return null;
  }
}

type Coverage = Map<string, { routes: Set<string>; checked: Set<string> }>;
/** The app's entry of a coverage map, made on first use. */
function coverageOf(map: Coverage, app: string) {
  const entry = map.get(app) ?? { routes: new Set<string>(), checked: new Set<string>() };
  map.set(app, entry);
  return entry;
}

const checked: Coverage = new Map();
function recordChecked(app: string, route: string, routes: string[]) {
  const entry = coverageOf(checked, app);
  for (const r of routes) entry.routes.add(r);
  entry.checked.add(route);
}

/**
 * Writes this file's checked routes to the run's record dir; when every e2e file of the directory
 * has written its record (a whole run, not a single file), answers the named routes of each app
 * that no file checked with axe.
 */
function routeCoverage(file: string): string[] | null {
  const dir = recordDir();
  if (!dir) return null;
  const record = Object.fromEntries(
    [...checked].map(([app, e]) => [app, { routes: [...e.routes], checked: [...e.checked] }]),
  );
  const tmp = path.join(dir, `.${file}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(record));
  fs.renameSync(tmp, path.join(dir, `${file}.json`));
  const files = fs.readdirSync(path.join(ROOT, 'e2e')).filter((f) => f.endsWith('.e2e.ts'));
  const done = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (!files.every((f) => done.includes(`${f}.json`))) return null;
  const all: Coverage = new Map();
  for (const f of done) {
    const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<
      string,
      { routes: string[]; checked: string[] }
    >;
    for (const [app, e] of Object.entries(r)) {
      const entry = coverageOf(all, app);
      for (const x of e.routes) entry.routes.add(x);
      for (const x of e.checked) entry.checked.add(x);
    }
  }
  const missing: string[] = [];
  for (const app of ['console', 'resident']) {
    const entry = all.get(app);
    if (!entry) missing.push(`${app}: no page checked at all`);
    else for (const r of entry.routes) if (!entry.checked.has(r)) missing.push(`${app}: ${r}`);
  }
  return missing;
}

// Inside a test file (not the globalSetup that imports this module to spawn the template server):
// after each test, what any page logged that the test did not declare fails it; after the file,
// the same for its hooks, and the axe route coverage of the whole run.
if (process.env.VITEST_WORKER_ID) {
  afterEach(() => {
    const errors = takeUnexpected();
    expected = [];
    expect(errors, 'console errors the test did not declare (expectConsoleError)').toEqual([]);
  });
  afterAll(() => {
    expect(takeUnexpected(), 'console errors outside any test').toEqual([]);
    const file = currentFile();
    const missing = file ? routeCoverage(file) : null;
    if (missing) expect(missing, 'routes no browser test checked with expectAccessible').toEqual([]);
  });
}

/**
 * A resident's first sign-in shows the privacy notice full screen (a new number, or a new version
 * of the notice): agrees to it and waits until the app goes on to where it was going.
 */
export async function agreeToPrivacyNotice(page: Page) {
  await page.waitForURL((u) => u.pathname === '/privacy/consent');
  await page.locator('[data-test="privacy-agree"]').click();
  await page.waitForURL((u) => u.pathname !== '/privacy/consent');
}
