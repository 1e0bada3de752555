import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PASSWORD,
  DESKTOP,
  devOtp,
  launchBrowser,
  newPage,
  PHONE,
  type RunningServer,
  shot,
  startServer,
  apiSession,
} from './harness';

/**
 * The console's 城社共治 pages against a real server. A resident of the district reports 小广告 at
 * 31.3175 N, 104.5062 E (inside 翰林社区) through the API; then, all by clicking: hanlin-secretary
 * registers it and dispatches it to 翰林社区城管中队 on the 派遣台; hanlin-squad1 accepts, starts and
 * handles it with a photo from 我的任务 and has no 核查 button (the server says 403 too);
 * hanlin-squad2 verifies it from the 核查 queue and it is closed. The map shows the point inside
 * the boundary and the statistics page draws its charts. Shots at 1280×800 and the board at 360×740.
 */

let server: RunningServer;
let browser: Browser;
const sel = (name: string) => `[data-test="${name}"]`;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let caseId = '';
let caseNumber = '';

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const resident = apiSession(server);
  await resident('POST', '/auth/otp', { phone: '13800000001' });
  const signed = await resident('POST', '/auth/otp/verify', {
    phone: '13800000001',
    code: await devOtp(server, '13800000001'),
  });
  expect(signed.status).toBe(200);
  const form = new FormData();
  form.set('categoryCode', '0201');
  form.set('description', '单元楼道里贴满了小广告，清理后又被贴上');
  form.set('lat', '31.3175');
  form.set('lng', '104.5062');
  form.set('address', '万安镇翰林社区3栋');
  form.append('photos', new Blob([PNG], { type: 'image/png' }), 'before.png');
  const res = await resident('POST', '/cases', form);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  caseId = res.body.id;
  caseNumber = res.body.number;
  expect(res.body.handler?.name).toBe('翰林社区城管中队');
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function text(page: Page, selector: string) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
}

async function snap(page: Page, name: string) {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('.el-message')) el.remove();
  });
  await page.waitForTimeout(400);
  await shot(page, name);
}

async function signIn(page: Page, username: string, to: string) {
  await page.goto(`${server.url}/console${to}`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await page.locator(sel('login-submit')).click();
  await page.waitForURL(`**/console${to}`);
}

/** Opens our case from the list on the page. */
async function openCase(page: Page) {
  const row = page.locator('.el-table__row', { hasText: caseNumber });
  await row.waitFor();
  await row.click();
  await page.locator(sel('case-drawer')).waitFor();
  await expect.poll(() => text(page, sel('case-number'))).toBe(caseNumber);
}

/** Clicks a step's button, fills the dialog with `fill`, confirms and waits for the new status. */
async function takeStep(page: Page, step: string, status: string, fill?: () => Promise<void>) {
  await page.locator(sel(`step-${step}`)).click();
  const dialog = page.locator(`.el-dialog${sel('step-dialog')}, ${sel('step-dialog')} .el-dialog`).first();
  await dialog.waitFor();
  if (fill) await fill();
  await page.locator(sel('step-confirm')).click();
  await expect.poll(() => text(page, sel('case-status')), { timeout: 10_000 }).toBe(status);
}

describe('城社共治 in the console (1280×800)', () => {
  it('the secretary registers the report and dispatches it to the squad on the 派遣台', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await signIn(page, 'hanlin-secretary', '/cases');
    await expect.poll(() => text(page, 'h1')).toBe('派遣台');
    // The side menu has the new group with its pages.
    expect(await text(page, '.side-menu')).toContain('城社共治');
    await openCase(page);
    expect(await text(page, sel('case-status'))).toBe('待立案');
    expect(await page.locator(`${sel('case-photos')} img`).count()).toBe(1);
    await snap(page, 'console-case-drawer-reported');
    // Only what a secretary may do from 待立案.
    expect(await page.locator(`${sel('case-actions')} button`).allInnerTexts()).toEqual(['立案', '不予立案']);

    await takeStep(page, 'register', '待派遣');
    await takeStep(page, 'dispatch', '待签收', async () => {
      await page
        .locator(`${sel('dispatch-kind')} .el-radio`)
        .nth(1)
        .click();
      await page.locator(sel('dispatch-target')).click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: '翰林社区城管中队' }).click();
    });
    expect(await text(page, sel('case-handler'))).toBe('中队：翰林社区城管中队');
    expect(await text(page, sel('case-timeline'))).toMatch(/派遣[\s\S]*立案[\s\S]*上报/);
    await snap(page, 'console-case-drawer-dispatched');
    await page.keyboard.press('Escape');
    await page.locator(sel('case-drawer')).waitFor({ state: 'hidden' });
    await expect.poll(() => text(page, '.el-table__row')).toContain('待签收');
    await snap(page, 'console-case-board');
    await context.close();
  });

  it('squad1 accepts, starts and handles it with a photo from 我的任务, and may not verify it', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await signIn(page, 'hanlin-squad1', '/case-tasks');
    await expect.poll(() => text(page, 'h1')).toBe('我的任务');
    await openCase(page);
    await takeStep(page, 'accept', '已签收');
    await takeStep(page, 'start', '处置中');
    // Without a photo the dialog says so and nothing is sent.
    await page.locator(sel('step-handle')).click();
    await page.locator(sel('step-confirm')).click();
    await expect.poll(() => text(page, sel('step-error'))).toContain('至少需要 1 张照片');
    await page
      .locator(`${sel('step-dialog')} input[type=file]`)
      .first()
      .setInputFiles({
        name: 'after.png',
        mimeType: 'image/png',
        buffer: PNG,
      });
    await page.locator(sel('step-note')).fill('已清理干净');
    await snap(page, 'console-case-handle-dialog');
    await page.locator(sel('step-confirm')).click();
    await expect.poll(() => text(page, sel('case-status')), { timeout: 10_000 }).toBe('待核查');
    expect(await page.locator(`${sel('step-photos')} img`).count()).toBe(1);
    // The handler has no 核查 button: someone else verifies.
    expect(await page.locator(sel('step-verify_pass')).count()).toBe(0);
    expect(await text(page, sel('case-no-actions'))).toContain('没有可以办理的环节');
    await context.close();

    // Their own 核查 queue does not offer it, and the server refuses them with 403.
    const { page: queue, context: qc } = await newPage(browser, DESKTOP);
    await signIn(queue, 'hanlin-squad1', '/case-verify');
    await queue.waitForLoadState('networkidle');
    expect(await queue.locator('.el-table__row', { hasText: caseNumber }).count()).toBe(0);
    await qc.close();
    const squad1 = apiSession(server);
    await squad1('POST', '/auth/login', { username: 'hanlin-squad1', password: DEMO_PASSWORD });
    const refused = await squad1('POST', `/cases/${caseId}/verify-pass`, {});
    expect(refused.status).toBe(403);
  });

  it('squad2 verifies it from the 核查 queue and it is closed', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await signIn(page, 'hanlin-squad2', '/case-verify');
    await expect.poll(() => text(page, 'h1')).toBe('核查队列');
    await openCase(page);
    await snap(page, 'console-case-verify');
    await takeStep(page, 'verify_pass', '已结案');
    expect(await text(page, sel('case-timeline'))).toMatch(/核查通过[\s\S]*处置反馈[\s\S]*签收/);
    await context.close();
  });

  it('the map draws the boundary and the case as a point; the statistics draw their charts', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await signIn(page, 'hanlin-secretary', '/case-map');
    await page.locator(sel('map-boundary')).waitFor();
    await expect.poll(() => page.locator(sel('map-point')).count()).toBe(1);
    expect(await page.locator(sel('map-point')).getAttribute('data-status')).toBe('closed');
    // The point lies inside the drawn boundary's box.
    const outer = (await page.locator(sel('map-boundary')).boundingBox())!;
    const point = (await page.locator(sel('map-point')).boundingBox())!;
    expect(point.x).toBeGreaterThan(outer.x);
    expect(point.x + point.width).toBeLessThan(outer.x + outer.width);
    expect(point.y).toBeGreaterThan(outer.y);
    expect(point.y + point.height).toBeLessThan(outer.y + outer.height);
    await snap(page, 'console-case-map');
    await page.locator(sel('map-point')).click();
    await expect.poll(() => text(page, sel('case-number'))).toBe(caseNumber);
    await page.keyboard.press('Escape');

    await page.goto(`${server.url}/console/case-stats`);
    await expect.poll(() => text(page, sel('kpi-total'))).toMatch(/案件总数\s*1/);
    // Five charts drawn (the satisfaction chart waits for a rating and says so).
    await expect.poll(() => page.locator(`${sel('chart')}:has(canvas)`).count(), { timeout: 15_000 }).toBe(5);
    expect(await text(page, sel('chart-by-rating'))).toContain('还没有评价');
    expect(await text(page, sel('kpi-on-time'))).toContain('100.0%');
    expect(await page.locator(sel('case-stats-export')).getAttribute('href')).toContain(
      '/api/v1/cases/export',
    );
    await snap(page, 'console-case-stats');

    await page.goto(`${server.url}/console/case-squads`);
    // The secretary's cases.read scope is 翰林社区: its squad, not 家和社区's.
    await expect.poll(() => page.locator(sel('squad')).count()).toBe(1);
    expect(await page.locator(sel('squad')).getAttribute('data-community')).toBe('翰林社区');
    expect(await text(page, sel('squads'))).toContain('一人双岗');
    await snap(page, 'console-case-squads');

    await page.goto(`${server.url}/console/case-supervision`);
    await page.locator(sel('sla-cards')).waitFor();
    await snap(page, 'console-case-supervision');
    await context.close();
  });

  it('shows the board as cards on a phone', async () => {
    const { page, context } = await newPage(browser, PHONE);
    await signIn(page, 'hanlin-secretary', '/cases');
    await page.locator(sel('case-row')).first().waitFor();
    expect(await text(page, sel('case-cards'))).toContain(caseNumber);
    await snap(page, 'console-case-board');
    await context.close();
  });
});
