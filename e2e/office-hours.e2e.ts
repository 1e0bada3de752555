import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  expectConsoleError,
  agreeToPrivacyNotice,
  DEMO_PASSWORD,
  DESKTOP,
  devOtp,
  launchBrowser,
  newPage,
  PHONE,
  type RunningServer,
  SHOTS,
  shot,
  startServer,
  still,
} from './harness';

/**
 * 部门坐班 (区级部门下沉) in real browsers against a real server: 民政局 staff publish a session in
 * 家和社区 with one place in the console (1280×800); resident 13800000001 books it on a phone
 * (360×740) and sees it under 我的预约; a newcomer finds it full; the first cancels, the newcomer
 * books the freed place and staff check them in. Photographed at both sizes.
 */

const FIRST = '13800000001';
const NEWCOMER = '13800000088';
const PLACE = '家和社区党群服务中心一楼便民服务室';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const sel = (name: string) => `[data-test="${name}"]`;
const DAY = 86_400_000;
/** The Beijing calendar date `days` from now, YYYY-MM-DD. */
const beijingDate = (days: number) =>
  new Date(Date.now() + days * DAY + 8 * 3_600_000).toISOString().slice(0, 10);
/** 12月1日 周二: how the date is written for Chinese readers. */
function chineseDay(date: string) {
  const [, m, d] = date.split('-').map(Number);
  const weekday = '日一二三四五六'[new Date(`${date}T12:00:00Z`).getUTCDay()];
  return `${m}月${d}日 周${weekday}`;
}

/** Visible text, whitespace folded. */
async function text(target: Page | Locator, selector?: string) {
  const loc = selector ? (target as Page).locator(selector).first() : (target as Locator);
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await loc.innerText()).replace(/\s+/g, ' ').trim();
}

/** A resident-app screenshot once the network is quiet and toasts have gone. */
async function snap(page: Page, name: string) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.van-toast')].every((e) => getComputedStyle(e).display === 'none'),
  );
  await still(page);
  const style = await page.addStyleTag({ content: '.app-tabbar { position: absolute !important; }' });
  await shot(page, name);
  await style.evaluate((el) => (el as Element).remove());
}

/** A console screenshot without toasts; with an overlay open, at the viewport. */
async function capture(page: Page, name: string, options: { overlay?: boolean } = {}) {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('.el-message')) el.remove();
  });
  await still(page);
  if (!options.overlay) return shot(page, name);
  const v = page.viewportSize();
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}-${v?.width}x${v?.height}.png`) });
}

/** Resident sign-in with the development one-time code; lands on `redirect`. */
async function residentSignIn(page: Page, phone: string, redirect: string) {
  await page.goto(`${server.url}/login?redirect=${encodeURIComponent(redirect)}`);
  await page.locator(`${sel('phone')} input`).fill(phone);
  await page.click(sel('send-code'));
  await expect.poll(() => text(page, sel('send-code'))).toMatch(/\d+/);
  await page.locator(`${sel('code')} input`).fill(await devOtp(server, phone));
  await page.click(sel('submit'));
  await page.waitForURL((u) => u.pathname === redirect);
}

/** Picks 金山镇 → 家和社区 in an org-unit picker. */
async function pickJiahe(page: Page, picker: Locator) {
  await picker.click();
  const popper = page.locator('.el-select-dropdown:visible');
  const town = popper.locator('.el-tree-node__content', { hasText: '金山镇' }).first();
  if (!(await town.isVisible().catch(() => false))) {
    await popper
      .locator('.el-tree-node__content', { hasText: '罗江区' })
      .first()
      .locator('.el-tree-node__expand-icon')
      .click();
  }
  await town.waitFor({ state: 'visible' });
  await town.locator('.el-tree-node__expand-icon').click();
  const jiahe = popper.getByText('家和社区', { exact: true });
  await jiahe.waitFor({ state: 'visible' });
  await jiahe.click();
  await expect.poll(() => text(picker)).toContain('家和社区');
}

async function setDate(dialog: Locator, date: string) {
  const input = dialog.locator('.el-date-editor input');
  await input.fill(date);
  await input.press('Enter');
  await expect.poll(() => input.inputValue()).toBe(date);
}

/** The session as anyone sees it, from the public API. */
async function publicSession(id: string) {
  const res = await fetch(`${server.url}/api/v1/office-hours/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { booked: number; remaining: number; capacity: number; status: string };
}

describe('部门坐班: publish, book, full, cancel, check in', () => {
  let staff: { context: BrowserContext; page: Page };
  let first: { context: BrowserContext; page: Page };
  let newcomer: { context: BrowserContext; page: Page };
  let sessionId = '';
  const date = beijingDate(3);
  const day = chineseDay(date);

  afterAll(async () => {
    for (const c of [staff, first, newcomer]) await c?.context.close();
  });

  it('lets 民政局 staff publish a session in 家和社区 with one place, server errors on the right field', async () => {
    staff = await newPage(browser, DESKTOP);
    const { page } = staff;
    // This computer's clock is two days slow: its "today" is already past for the server.
    await page.clock.install({ time: new Date(Date.now() - 2 * DAY) });
    await page.goto(`${server.url}/console/office-hours`);
    await page.waitForURL(/\/console\/login\?redirect=/);
    await page.locator('input[name=username]').fill('minzheng-staff');
    await page.locator('input[name=password]').fill(DEMO_PASSWORD);
    await page.locator('[data-test=login-submit]').click();
    await page.waitForURL(/\/console\/office-hours$/);
    expect(await text(page, '.page-head')).toContain('罗江区民政局');
    expect(await page.title()).toContain('部门坐班');
    await page.locator('[data-test=office-hour-table]').waitFor();
    await capture(page, 'console-office-hours-empty');

    await page.locator(sel('office-hour-create')).click();
    const dialog = page.locator('.el-dialog', { hasText: '发布部门坐班' });
    await dialog.waitFor();
    // Nothing filled: the form says what is missing before asking the server.
    await page.locator(sel('office-hour-submit')).click();
    await expect.poll(() => dialog.locator('.el-form-item__error').count()).toBeGreaterThanOrEqual(3);
    expect(await text(dialog)).toContain('请选择社区');

    await pickJiahe(page, dialog.locator('.el-select[data-test=office-hour-unit]'));
    // Department staff publish for their own department: shown, not chosen.
    expect(await dialog.locator('.el-form-item', { hasText: '部门' }).locator('input').inputValue()).toBe(
      '罗江区民政局',
    );
    await setDate(dialog, beijingDate(-2));
    await dialog.locator(`${sel('office-hour-place')}`).fill(PLACE);
    const items = dialog.locator('.el-select[data-test=office-hour-items]');
    await items.locator('input').fill('低保');
    const option = page.locator('.el-select-dropdown__item:visible', { hasText: '最低生活保障' }).first();
    await option.waitFor();
    await option.click();
    await dialog.locator('.el-dialog__title').click();
    const capacity = dialog.locator(`${sel('office-hour-capacity')} input`);
    await capacity.fill('1');
    await capacity.blur();
    // The server refuses a start in the past (400): said under 日期, not as a bare toast.
    expectConsoleError(/status of 400 .*\/api\/v1\/office-hours\)$/);
    await page.locator(sel('office-hour-submit')).click();
    const dateItem = dialog.locator('.el-form-item', { hasText: '日期' });
    await expect.poll(() => text(dateItem)).toContain('开始时间须晚于现在');
    expect(await text(dialog.locator('.el-alert'))).toContain('提交的内容有误');
    await capture(page, 'console-office-hour-server-error', { overlay: true });

    await setDate(dialog, date);
    expect(await text(dialog.locator('.el-select[data-test=office-hour-start]'))).toContain('09:00');
    expect(await text(dialog.locator('.el-select[data-test=office-hour-end]'))).toContain('12:00');
    expect(await text(items)).toContain('最低生活保障');
    await capture(page, 'console-office-hour-create', { overlay: true });
    const created = page.waitForResponse(
      (r) =>
        r.url().endsWith('/api/v1/office-hours') && r.request().method() === 'POST' && r.status() === 201,
    );
    await page.locator(sel('office-hour-submit')).click();
    sessionId = ((await (await created).json()) as { id: string }).id;
    await dialog.waitFor({ state: 'hidden' });

    const row = page.locator('[data-test=office-hour-table] .el-table__row', { hasText: PLACE });
    await row.waitFor();
    const rowText = await text(row);
    expect(rowText).toContain(day);
    expect(rowText).toContain('09:00–12:00');
    expect(rowText).toContain('家和社区');
    expect(rowText).toContain('最低生活保障');
    expect(rowText).toContain('已约 0 / 1');
    expect(rowText).toContain('待坐班');
    expect(await publicSession(sessionId)).toMatchObject({
      capacity: 1,
      booked: 0,
      remaining: 1,
      status: 'scheduled',
    });
    await capture(page, 'console-office-hours');
  });

  it('lets resident 13800000001 of 家和社区 book it on a phone and see it under 我的预约', async () => {
    first = await newPage(browser, PHONE);
    const { page } = first;
    await residentSignIn(page, FIRST, '/');
    await page.locator(sel('tile-office-hours')).waitFor();
    await snap(page, 'office-hours-home-tile');
    await page.click(sel('tile-office-hours'));
    await page.waitForURL('**/office-hours');
    expect(await text(page, sel('office-hours-scope'))).toBe('家和社区的坐班');
    const card = page.locator(sel('office-hour'), { hasText: PLACE });
    await card.waitFor();
    const cardText = await text(card);
    expect(cardText).toContain(`${day} 9:00–12:00`);
    expect(cardText).toContain('罗江区民政局');
    expect(cardText).toContain('余 1 个名额');
    await snap(page, 'office-hours-list');

    await card.click();
    await page.waitForURL(`**/office-hours/${sessionId}`);
    expect(await text(page, sel('session-when'))).toBe(`${day} 9:00–12:00`);
    expect(await text(page, sel('session-left'))).toBe('余 1 个名额');
    await snap(page, 'office-hour-detail');
    await page.click(sel('session-book'));
    await expect.poll(() => text(page, sel('session-mine'))).toBe('已预约');
    expect(await text(page, sel('session-left'))).toBe('已约满');
    await snap(page, 'office-hour-booked');
    expect(await publicSession(sessionId)).toMatchObject({ booked: 1, remaining: 0 });

    await page.goto(`${server.url}/office-hours`);
    await page.click(sel('office-hours-mine'));
    await page.waitForURL('**/office-hours/mine');
    const mine = page.locator(sel('my-booking')).first();
    await mine.waitFor();
    expect(await text(mine)).toContain(`${day} 9:00–12:00`);
    expect(await text(mine)).toContain(PLACE);
    expect(await text(page, sel('my-booking-status'))).toBe('已预约');
    await snap(page, 'office-hours-mine');
  });

  it('shows a newcomer, before signing in, that the session is full', async () => {
    newcomer = await newPage(browser, PHONE);
    const { page } = newcomer;
    await page.goto(`${server.url}/office-hours`);
    expect(await text(page, sel('office-hours-scope'))).toBe('全区坐班');
    // Browsing needs no account: choose 家和社区 on this device.
    await page.click(sel('office-hours-change'));
    await page.locator(`${sel('community-search')} input`).fill('家和');
    await page.locator(sel('community-result'), { hasText: '家和社区' }).click();
    await expect.poll(() => text(page, sel('office-hours-scope'))).toBe('家和社区的坐班');
    const card = page.locator(sel('office-hour'), { hasText: PLACE });
    await card.waitFor();
    expect(await text(card.locator(sel('office-hour-left')))).toBe('已约满');
    await snap(page, 'office-hours-list-full');
    await card.click();
    await page.waitForURL(`**/office-hours/${sessionId}`);
    expect(await text(page, sel('session-left'))).toBe('已约满');
    expect(await text(page, sel('session-full'))).toContain('名额已满');
    expect(await page.locator(sel('session-book')).count()).toBe(0);
    await snap(page, 'office-hour-full');

    // From the guide: 最低生活保障's page points to the sessions that cover it.
    const res = await fetch(`${server.url}/api/v1/office-hours/${sessionId}`);
    const itemId = ((await res.json()) as { items: { id: string; name: string }[] }).items[0]!.id;
    await page.goto(`${server.url}/guide/${itemId}`);
    const link = page.locator(sel('item-office-hours'));
    await link.waitFor();
    expect(await text(link)).toContain('部门到社区坐班 · 1 场');
    expect(await text(link)).toContain('家和社区');
    await snap(page, 'guide-item-office-hours');
    await link.click();
    await page.waitForURL(`**/office-hours?item=${itemId}`);
    await page.locator(sel('office-hour'), { hasText: PLACE }).waitFor();
    expect(await text(page, sel('office-hours-item'))).toContain('办理“最低生活保障”的坐班');
  });

  it('gives the place back when the first resident cancels, and the newcomer books it after signing in', async () => {
    const { page } = first;
    await page.locator(sel('my-booking-cancel')).click();
    await page.locator('.van-dialog__confirm').click();
    await expect.poll(() => text(page, sel('my-booking-status'))).toBe('已取消');
    expect(await page.locator(sel('my-booking-cancel')).count()).toBe(0);
    await snap(page, 'office-hours-mine-cancelled');
    expect(await publicSession(sessionId)).toMatchObject({ booked: 0, remaining: 1 });

    const n = newcomer.page;
    await n.goto(`${server.url}/office-hours/${sessionId}`);
    await expect.poll(() => text(n, sel('session-left'))).toBe('余 1 个名额');
    await n.click(sel('session-sign-in'));
    await n.waitForURL(/\/login\?redirect=/);
    await n.locator(`${sel('phone')} input`).fill(NEWCOMER);
    await n.click(sel('send-code'));
    await expect.poll(() => text(n, sel('send-code'))).toMatch(/\d+/);
    await n.locator(`${sel('code')} input`).fill(await devOtp(server, NEWCOMER));
    await n.click(sel('submit'));
    await agreeToPrivacyNotice(n);
    await n.waitForURL(`**/office-hours/${sessionId}`);
    await n.locator(sel('session-book')).click();
    await expect.poll(() => text(n, sel('session-mine'))).toBe('已预约');
    expect(await publicSession(sessionId)).toMatchObject({ booked: 1, remaining: 0 });
  });

  it('lets staff see the bookings with masked phones and check the newcomer in', async () => {
    const { page, context } = staff;
    await page.reload();
    const row = page.locator('[data-test=office-hour-table] .el-table__row', { hasText: PLACE });
    await row.waitFor();
    await expect.poll(() => text(row)).toContain('已约 1 / 1');
    await row.locator(sel('office-hour-bookings')).click();
    await page.waitForURL(new RegExp(`/console/office-hours/${sessionId}`));
    const drawer = page.locator(sel('office-hour-drawer'));
    const attendees = drawer.locator(sel('office-hour-attendee'));
    await expect.poll(() => attendees.count()).toBe(2);
    const cancelled = attendees.filter({ hasText: '138****0001' });
    const booked = attendees.filter({ hasText: '138****0088' });
    expect(await text(cancelled.locator(sel('attendee-status')))).toBe('已取消');
    expect(await text(booked.locator(sel('attendee-status')))).toBe('已预约');
    expect(await text(drawer)).not.toContain('13800000088');
    expect(await text(drawer)).toContain(`${day} 09:00–12:00`);
    await capture(page, 'console-office-hour-bookings', { overlay: true });
    await expectAccessible(page, { label: 'console-office-hour-bookings' });

    await booked.locator(sel('attendee-check-in')).click();
    await expect.poll(() => text(booked.locator(sel('attendee-status')))).toBe('已签到');
    expect(await booked.locator(sel('attendee-check-in')).count()).toBe(0);
    await capture(page, 'console-office-hour-checked-in', { overlay: true });
    const res = await context.request.get(`${server.url}/api/v1/office-hours/${sessionId}/bookings`);
    const list = (await res.json()) as { items: { status: string; phone: string }[] };
    expect(list.items.map((b) => [b.phone, b.status]).sort()).toEqual([
      ['138****0001', 'cancelled'],
      ['138****0088', 'checked_in'],
    ]);

    // One more place: the change shows in the list and in the API.
    await drawer.locator('.el-drawer__close-btn').click();
    await page.waitForURL(/\/console\/office-hours$/);
    await row.locator(sel('office-hour-edit')).click();
    const dialog = page.locator('.el-dialog', { hasText: '修改坐班安排' });
    await dialog.waitFor();
    expect(await dialog.locator(sel('office-hour-place')).inputValue()).toBe(PLACE);
    const capacity = dialog.locator(`${sel('office-hour-capacity')} input`);
    await capacity.fill('2');
    await capacity.blur();
    await page.locator(sel('office-hour-submit')).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => text(row)).toContain('已约 1 / 2');
    expect(await text(row)).toContain('余 1');
    expect(await publicSession(sessionId)).toMatchObject({ capacity: 2, booked: 1, remaining: 1 });

    const n = newcomer.page;
    await n.goto(`${server.url}/office-hours/mine`);
    await expect.poll(() => text(n, sel('my-booking-status'))).toBe('已签到');
    expect(await n.locator(sel('my-booking-cancel')).count()).toBe(0);
    await snap(n, 'office-hours-mine-checked-in');
  });

  it('looks right the other way round: the console on a phone, the resident pages on a desktop', async () => {
    const { page } = staff;
    await page.goto(`${server.url}/console/office-hours`);
    await page.setViewportSize(PHONE);
    const card = page.locator(sel('office-hour-row'), { hasText: PLACE });
    await card.waitFor();
    expect(await text(card)).toContain('已约 1 / 2');
    await capture(page, 'console-office-hours');

    const r = first.page;
    await r.setViewportSize(DESKTOP);
    await r.goto(`${server.url}/office-hours`);
    await r.locator(sel('office-hour'), { hasText: PLACE }).waitFor();
    await snap(r, 'office-hours-list');
    await r.goto(`${server.url}/office-hours/${sessionId}`);
    await r.locator(sel('session-when')).waitFor();
    await snap(r, 'office-hour-detail');
  });
});
