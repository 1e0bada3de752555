import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agreeToPrivacyNotice,
  devOtp,
  launchBrowser,
  newPage,
  nextWorkingDay,
  PHONE,
  type RunningServer,
  shot,
  startServer,
  still,
} from './harness';

/**
 * 预约办理 for an item the service room handles itself: a resident of 家和社区 books 社会保障卡挂失
 * at 9:30 on the next working day with the date and time pickers (days off by the district
 * calendar are not offered), sees the booking in 我的办件, then withdraws it. 360×740, Beijing time.
 */

const RESIDENT = '13800000007';
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
async function text(page: Page, selector: string) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ');
}
async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.van-toast')].every((e) => getComputedStyle(e).display === 'none'),
  );
  await still(page);
}
/** Picks an option in the visible Vant picker's column `index` by its text. */
async function pick(page: Page, index: number, option: string) {
  const column = page.locator('.van-popup:visible .van-picker-column').nth(index);
  await column.locator('.van-picker-column__item', { hasText: new RegExp(`^${option}$`) }).click();
  await still(page);
}

describe('booking a service-room item on a phone, then withdrawing it', () => {
  it('books the next working day at 9:30 and withdraws before it is accepted', async () => {
    const day = await nextWorkingDay(server);
    const [y, m, d] = day.split('-');
    const { page, context } = await newPage(browser, PHONE);

    await page.goto(`${server.url}/login?redirect=${encodeURIComponent('/me')}`);
    await page.locator(`${sel('phone')} input`).fill(RESIDENT);
    await page.click(sel('send-code'));
    await expect.poll(() => text(page, sel('send-code'))).toMatch(/\d+/);
    await page.locator(`${sel('code')} input`).fill(await devOtp(server, RESIDENT));
    await page.click(sel('submit'));
    await agreeToPrivacyNotice(page);
    await page.waitForURL('**/me');
    await page.click(sel('me-community'));
    await page.locator(`${sel('community-search')} input`).fill('家和');
    await page.locator(sel('community-result'), { hasText: '家和社区' }).click();
    await expect.poll(() => text(page, sel('me-community'))).toContain('家和社区');

    await page.goto(`${server.url}/guide?q=${encodeURIComponent('社保卡挂失')}`);
    await page.locator(sel('guide-result'), { hasText: '社会保障卡挂失' }).first().click();
    await page.waitForURL(/\/guide\/[^/]+$/);
    const book = page.locator(sel('apply'));
    await book.waitFor();
    expect(await book.textContent()).toContain('预约办理');
    await book.click();
    await page.waitForURL(/\/apply$/);
    // The required materials (必需) are brought to the service room: one tick each.
    await page.locator(sel('bring-material')).first().waitFor();
    for (const box of await page.locator(sel('bring-material')).all()) await box.click();

    // Sending without a time says what is missing.
    await page.click(sel('apply-submit'));
    await expect.poll(() => text(page, sel('apply-error'))).toContain('请选择预约时间');

    await page.click(sel('apply-slot'));
    await page.locator('.van-popup:visible .van-picker-column').first().waitFor();
    // Weekends are not in the day column of any month shown.
    const days = await page
      .locator('.van-popup:visible .van-picker-column')
      .nth(2)
      .locator('.van-picker-column__item')
      .allInnerTexts();
    const month = await page
      .locator('.van-popup:visible .van-picker-column')
      .nth(1)
      .locator('.van-picker-column__item--selected')
      .textContent();
    const year = await page
      .locator('.van-popup:visible .van-picker-column')
      .nth(0)
      .locator('.van-picker-column__item--selected')
      .textContent();
    const calendar = (await (await fetch(`${server.url}/api/v1/calendar?year=${year?.trim()}`)).json()) as {
      days: { date: string; kind: string }[];
    };
    const kinds = new Map(calendar.days.map((c) => [c.date, c.kind]));
    expect(days.length).toBeGreaterThan(0);
    for (const dd of days) {
      const date = `${year?.trim()}-${month?.trim()}-${dd.trim().padStart(2, '0')}`;
      const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
      const working = kinds.get(date) === 'workday' || (!kinds.has(date) && weekday !== 0 && weekday !== 6);
      expect(working ? 'working day' : date).toBe('working day');
    }
    await pick(page, 0, y!);
    await pick(page, 1, m!);
    await pick(page, 2, d!);
    await shot(page, 'direct-date');
    await page.locator('.van-popup:visible .van-picker__confirm').click();
    await page
      .locator('.van-popup:visible .van-time-picker, .van-popup:visible .van-picker')
      .first()
      .waitFor();
    await pick(page, 0, '09');
    await pick(page, 1, '30');
    await shot(page, 'direct-time');
    await page.locator('.van-popup:visible .van-picker__confirm').click();
    const chosen = `${Number(y)}年${Number(m)}月${Number(d)}日`;
    await expect.poll(() => text(page, sel('apply-slot'))).toContain(chosen);
    expect(await text(page, sel('apply-slot'))).toContain('09:30');
    // The "choose a time" error from the first attempt is gone once a time is chosen.
    expect(await page.locator(sel('apply-error')).count()).toBe(0);
    await settle(page);
    await shot(page, 'direct-form');

    await page.click(sel('apply-submit'));
    await page.waitForURL(/\/applications\/[^/]+$/);
    const id = page.url().split('/').pop()!;
    await expect.poll(() => text(page, sel('application-status'))).toBe('已提交');
    const booked = await page.evaluate(
      async (appId) => (await fetch(`/api/v1/applications/${appId}`)).json(),
      id,
    );
    expect(booked.appointmentAt).toBe(new Date(`${day}T09:30:00+08:00`).toISOString());
    expect(booked.mode).toBe('direct');
    await settle(page);
    await shot(page, 'direct-submitted');

    await page.click(sel('withdraw'));
    await page.locator('.van-dialog__confirm').click();
    await expect.poll(() => text(page, sel('application-status'))).toBe('已撤回');
    await expect.poll(() => page.locator(sel('withdraw')).count()).toBe(0);
    expect(await text(page, sel('timeline'))).toContain('撤回');
    await settle(page);
    await shot(page, 'direct-withdrawn');
    await context.close();
  });
});
