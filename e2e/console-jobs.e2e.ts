import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  expectAccessible,
  axeViolations,
  DEMO_PASSWORD,
  DESKTOP,
  launchBrowser,
  newPage,
  PHONE,
  ROOT,
  type ServerProcess,
  shot,
  spawnServer,
  strictApiSession,
  watchConsole,
  still,
} from './harness';

/**
 * 系统管理 → 后台任务 against a real server: the job runner's own scheduled runs, a dead letter
 * (an SMS job whose handler failed on its last attempt) with its error and a retry, and an export
 * left running at 48 of 120 rows with its progress bar. The two test jobs are made in the data dir
 * by apps/server/test/seed-jobs.ts through the real runner before the server starts. 1280×800 and 360×740.
 */

let server: ServerProcess;
let browser: Browser;
let dataDir = '';
const sel = (name: string) => `[data-test="${name}"]`;

function run(script: string, env: Record<string, string>) {
  return new Promise<void>((resolve, reject) => {
    let out = '';
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: path.join(ROOT, 'apps/server'),
      env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${script} exited ${code}:\n${out}`)),
    );
  });
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-jobs-'));
  const template = inject('e2eTemplateDir');
  if (template) fs.cpSync(template, dataDir, { recursive: true });
  else await (await spawnServer(dataDir)).terminate();
  await run('test/seed-jobs.ts', { DATA_DIR: dataDir });
  server = await spawnServer(dataDir);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.terminate();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(page: Page) {
  await page.goto(`${server.url}/console/jobs`);
  await page.locator('input[name=username]').fill('admin');
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await page.locator(sel('login-submit')).click();
  await page.waitForURL('**/console/jobs');
}

async function text(page: Page, selector: string) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
}

async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('.el-message')) el.remove();
  });
  await still(page);
}

describe('后台任务 (1280×800)', () => {
  it('shows the queue with the dead letter, its error and a running export, and retries the dead letter', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    const errors = watchConsole(page);
    await signIn(page);
    // The side menu lists it under 系统管理.
    await expect.poll(() => page.locator('.el-menu-item', { hasText: '后台任务' }).count()).toBe(1);
    // In a short window the administrator's long menu scrolls inside the sidebar, between the
    // brand and the foot, down to its last entry (it used to run past the bottom of the window).
    await page.setViewportSize({ width: 1280, height: 480 });
    const menu = page.locator('.sidebar-menu .el-scrollbar__wrap');
    const box = await menu.evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
    expect(box.scroll).toBeGreaterThan(box.client);
    expect((await page.locator('.sidebar-foot').boundingBox())!.y).toBeLessThan(480);
    const last = page.locator('.side-menu .el-menu-item').last();
    await last.scrollIntoViewIfNeeded();
    const lastBox = (await last.boundingBox())!;
    expect(lastBox.y + lastBox.height).toBeLessThanOrEqual(
      (await page.locator('.sidebar-foot').boundingBox())!.y + 1,
    );
    await shot(page, 'console-sidebar-short');
    await page.setViewportSize(DESKTOP);
    await expect.poll(() => text(page, sel('jobs-tab-dead'))).toMatch(/死信\s*1/);
    // The runner's own scheduled job ran when the server started (the slot that was due).
    await expect
      .poll(() => page.locator('.el-table__row', { hasText: '城社共治超时巡检' }).count())
      .toBeGreaterThan(0);
    const dead = page.locator('.el-table__row', { hasText: 'test.sendSms' });
    expect(await dead.textContent()).toContain('死信');
    expect(await dead.textContent()).toContain('模板未审核');
    const running = page.locator('.el-table__row', { hasText: 'test.buildExport' });
    expect(await running.textContent()).toContain('运行中');
    expect(await running.locator('.el-progress').getAttribute('aria-valuenow')).toBe('40');
    await settle(page);
    expect(await axeViolations(page, ['.page'])).toEqual([]);
    await shot(page, 'console-jobs');

    // Only the dead letters.
    await page.locator(sel('jobs-tab-dead')).click();
    await page.waitForURL('**/console/jobs?state=dead');
    await expect.poll(() => page.locator('.el-table__row').count()).toBe(1);

    // Open it: its error, masked phone in the payload, and a retry.
    await page.locator('.el-table__row', { hasText: 'test.sendSms' }).click();
    const drawer = page.locator(sel('job-drawer'));
    await drawer.waitFor({ state: 'visible' });
    await expect.poll(() => text(page, sel('job-error'))).toContain('isv.SMS_TEMPLATE_ILLEGAL');
    expect(await drawer.textContent()).toContain('138****0001');
    expect(await drawer.textContent()).not.toContain('13800000001');
    await settle(page);
    expect(await axeViolations(page, [sel('job-drawer')])).toEqual([]);
    // …and the route counts as checked (the line above holds the drawer to every impact).
    await expectAccessible(page, { include: [sel('job-drawer')] });
    const jobId = new URL(page.url()).pathname.split('/').pop()!;
    await page.locator(sel('job-retry')).click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await expect.poll(() => text(page, sel('job-state'))).toBe('排队中');
    expect(await page.locator(sel('job-retry')).count()).toBe(0);

    // The server agrees: queued again with a fresh round of attempts, and audited.
    const admin = strictApiSession({ url: server.url, dataDir, log: server.log, stop: async () => {} });
    await admin('POST', '/auth/login', { username: 'admin', password: DEMO_PASSWORD });
    expect(await admin('GET', `/jobs/${jobId}`)).toMatchObject({ state: 'queued', attempts: 0 });
    const audit = await admin('GET', '/audit?action=job.retry');
    expect(audit.items.map((a: { entityId: string }) => a.entityId)).toContain(jobId);
    expect(errors()).toEqual([]);
    await context.close();
  });
});

describe('后台任务 (360×740)', () => {
  it('shows the jobs as cards with the progress bar, and opens one full screen', async () => {
    const { page, context } = await newPage(browser, PHONE);
    const errors = watchConsole(page);
    await signIn(page);
    // The running ones: on a slow run the runner's own frequent jobs (linking the audit chain
    // every 2 s) fill the first page of everything and push the export off it.
    await page.goto(`${server.url}/console/jobs?state=running`);
    const cards = page.locator(sel('jobs-cards'));
    await expect.poll(() => cards.locator('.card', { hasText: 'test.buildExport' }).count()).toBe(1);
    const running = cards.locator('.card', { hasText: 'test.buildExport' });
    expect(await running.locator('.el-progress').getAttribute('aria-valuenow')).toBe('40');
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await settle(page);
    expect(await axeViolations(page, ['.page'])).toEqual([]);
    await shot(page, 'console-jobs');
    await running.click();
    await page.locator(sel('job-drawer')).waitFor({ state: 'visible' });
    await expect.poll(() => text(page, sel('job-state'))).toBe('运行中');
    expect(await page.locator(sel('job-progress')).getAttribute('aria-valuenow')).toBe('40');
    expect(errors()).toEqual([]);
    await context.close();
  });
});
