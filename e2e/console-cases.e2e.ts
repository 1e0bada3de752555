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
  strictApiSession,
} from './harness';

/**
 * The console's 城社共治 pages that show a case's results, against a real server. A resident of the
 * district reports 小广告 at 31.3175 N, 104.5062 E (inside 翰林社区) and staff take it to 已结案
 * through the API (立案, 派遣 to 翰林社区城管中队, 签收, 处置 with a photo, 核查 by another member):
 * clicking those steps on the 派遣台, 我的任务 and the 核查 queue is cases-done-when.e2e.ts's walk,
 * and who may take which step is the API's workflow tests'. Here the map shows the point inside the
 * boundary, the statistics draw their charts, the squads and supervision pages open, and the board
 * shows as cards on a phone. Shots at 1280×800 and the board at 360×740.
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

  // Staff take it to 已结案.
  const secretary = await staffSession('hanlin-secretary');
  const squad1 = await staffSession('hanlin-squad1');
  const squad2 = await staffSession('hanlin-squad2');
  const squads = await secretary('GET', '/squads');
  const squad = squads.items.find((s: { name: string }) => s.name === '翰林社区城管中队');
  await secretary('POST', `/cases/${caseId}/register`, {});
  await secretary('POST', `/cases/${caseId}/dispatch`, { kind: 'squad', targetId: squad.id });
  await squad1('POST', `/cases/${caseId}/accept`, {});
  await squad1('POST', `/cases/${caseId}/start`, {});
  const handled = new FormData();
  handled.set('note', '已清理干净');
  handled.append('photos', new Blob([PNG], { type: 'image/png' }), 'after.png');
  await squad1('POST', `/cases/${caseId}/handle`, handled);
  expect((await squad2('POST', `/cases/${caseId}/verify-pass`, {})).status).toBe('closed');
});

/** A staff account signed in through the API (throws on an error answer). */
async function staffSession(username: string) {
  const call = strictApiSession(server);
  await call('POST', '/auth/login', { username, password: DEMO_PASSWORD });
  return call;
}

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

describe('城社共治 in the console (1280×800)', () => {
  it('the map draws the boundary and the case as a point; the statistics draw their charts', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await signIn(page, 'hanlin-secretary', '/case-map');
    // The side menu has the 城社共治 group with its pages.
    expect(await text(page, '.side-menu')).toContain('城社共治');
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
