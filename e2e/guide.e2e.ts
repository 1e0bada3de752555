import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectConsoleError,
  DESKTOP,
  devOtp,
  launchBrowser,
  newPage,
  PHONE,
  type RunningServer,
  shot,
  startServer,
  still,
} from './harness';

/**
 * 办事指南 in a real browser against a real server: a visitor finds 最低生活保障 by its pinyin
 * initials, ticks two materials (kept on the device across a reload), signs in (the ticks stay),
 * and shares the item as a QR code. Every page is photographed at 360×740 and 1280×800.
 */

const RESIDENT = '13800000001';

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

async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.van-toast')].every((e) => getComputedStyle(e).display === 'none'),
  );
  await still(page);
}

async function snap(page: Page, name: string, opts: { top?: boolean } = {}) {
  await settle(page);
  // A full-page capture of a fixed popup: from the top, so the sticky bar stays at the top.
  if (opts.top) await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, name);
}

async function text(page: Page, selector: string) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await page.locator(selector).innerText()).replace(/\s+/g, ' ');
}

const checkedCount = (page: Page) => page.locator(`${sel('material-check')}:checked`).count();

/** The names of every item tagged with a life event, as the public API lists them. */
async function itemsOfEvent(event: string): Promise<string[]> {
  const res = await fetch(
    `${server.url}/api/v1/service-items?lifeEvent=${encodeURIComponent(event)}&limit=200`,
  );
  return ((await res.json()) as { items: { name: string }[] }).items.map((i) => i.name).sort();
}

/** Asks the search box about a life event in a resident's words; the answer card lists all its items. */
async function askAboutLifeEvent(page: Page, words: string, event: string) {
  await page.locator(`${sel('guide-search')} input`).fill(words);
  await page.locator(sel('guide-life-event')).waitFor();
  expect(await text(page, sel('guide-life-event'))).toContain(`办“${event}”这件事`);
  const expected = await itemsOfEvent(event);
  expect(expected.length).toBeGreaterThan(3);
  const shown = await page.locator(sel('life-event-item')).allInnerTexts();
  expect(shown.map((n) => n.trim()).sort()).toEqual(expected);
}

/** Searches `db`, opens 最低生活保障 and returns its id. */
async function findDibao(page: Page): Promise<string> {
  await page.locator(`${sel('guide-search')} input`).fill('db');
  const hit = page.locator(sel('guide-result'), { hasText: '最低生活保障' }).first();
  await hit.waitFor();
  // The matched characters are marked, as text (never as HTML from the server).
  expect(await hit.locator('mark').count()).toBeGreaterThan(0);
  return (await hit.getAttribute('href'))!.split('/').pop()!;
}

describe('service guide on a phone (360×740)', () => {
  it('finds an item by pinyin initials, keeps the ticks across a reload and a sign-in, shares a QR code', async () => {
    const { page, context } = await newPage(browser, PHONE);
    await page.goto(`${server.url}/`);
    await page.click(sel('tile-guide'));
    await page.waitForURL('**/guide');
    await page
      .locator(`${sel('guide-life-events')} button`)
      .first()
      .waitFor();
    expect(await text(page, sel('guide-life-events'))).toContain('就业创业');
    await snap(page, 'guide-home');

    // Browse by life event.
    await page.locator(`${sel('guide-life-events')} button`, { hasText: '生育' }).click();
    await page.waitForURL(/lifeEvent=/);
    await expect.poll(() => page.locator(sel('guide-result')).count()).toBeGreaterThan(0);
    await snap(page, 'guide-life-event');
    await page.goBack();

    // A life event in a resident's words: every item for it, not only the best three matches.
    await page.goto(`${server.url}/guide`);
    await askAboutLifeEvent(page, '家里老人去世了怎么办', '身后事');
    await snap(page, 'guide-life-event-answer');
    await page.locator(sel('life-event-item'), { hasText: '户口注销' }).click();
    await page.waitForURL(/\/guide\/[0-9a-f-]{36}$/);
    await expect.poll(() => text(page, sel('item-name'))).toBe('户口注销');

    // One search box: pinyin initials.
    await page.goto(`${server.url}/guide`);
    const id = await findDibao(page);
    expect(await text(page, sel('guide-results'))).toMatch(/代办/);
    await snap(page, 'guide-search');

    await page.locator(sel('guide-result'), { hasText: '最低生活保障' }).first().click();
    await page.waitForURL(`**/guide/${id}`);
    await expect.poll(() => text(page, sel('item-name'))).toBe('最低生活保障');
    expect(await text(page, sel('item-visits'))).toBe('最多跑一次');
    expect(await text(page, sel('item-time-limit'))).toBe('承诺 30 个工作日');
    expect(await text(page, sel('checklist-progress'))).toContain('已备齐 0/5');

    const materials = page.locator(sel('material'));
    await materials.nth(0).click();
    await materials.nth(2).click();
    expect(await checkedCount(page)).toBe(2);
    expect(await text(page, sel('checklist-progress'))).toContain('已备齐 2/5');
    await snap(page, 'guide-item');

    // Kept on the device.
    await page.reload();
    await page.locator(sel('material')).first().waitFor();
    expect(await checkedCount(page)).toBe(2);

    // Sign in, come back: the ticks survive (merged into the account when the API is there).
    await page.goto(`${server.url}/login?redirect=${encodeURIComponent(`/guide/${id}`)}`);
    await page.locator(`${sel('phone')} input`).fill(RESIDENT);
    await page.click(sel('send-code'));
    await expect.poll(() => text(page, sel('send-code'))).toMatch(/\d+ 秒后重发/);
    await page.locator(`${sel('code')} input`).fill(await devOtp(server, RESIDENT));
    await page.click(sel('submit'));
    await page.waitForURL(`**/guide/${id}`);
    await page.locator(sel('material')).first().waitFor();
    await settle(page);
    expect(await checkedCount(page)).toBe(2);
    await page.reload();
    await page.locator(sel('material')).first().waitFor();
    await settle(page);
    expect(await checkedCount(page)).toBe(2);
    // Merged into the account on sign-in.
    expect(await text(page, sel('checklist-sync'))).toContain('已同步');
    const synced = await page.evaluate(
      (itemId) =>
        fetch(`/api/v1/me/checklists/${itemId}`).then((r) => r.json() as Promise<{ checked: string[] }>),
      id,
    );
    expect(synced.checked.sort()).toEqual(['居民身份证（原件）', '最低生活保障申请书'].sort());
    await snap(page, 'guide-item-signed-in');

    // Share: a QR code drawn in the browser, and the link.
    await page.click(sel('share'));
    const qr = page.locator(sel('share-qr'));
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await text(page, sel('share-url'))).toContain(`/guide/${id}`);
    await snap(page, 'guide-share', { top: true });
    await context.close();
  });

  it('says so when nothing matches, and when an item does not exist', async () => {
    const { page, context } = await newPage(browser, PHONE);
    await page.goto(`${server.url}/guide?q=${encodeURIComponent('火星移民')}`);
    await expect.poll(() => text(page, sel('guide-results'))).toContain('没有找到相关事项');
    await snap(page, 'guide-no-results');
    // The page asks for the item and the server answers 404: what the page then says is the point.
    expectConsoleError(/status of 404 .*\/api\/v1\/service-items\/00000000-0000-7000-8000-000000000000\)$/);
    await page.goto(`${server.url}/guide/00000000-0000-7000-8000-000000000000`);
    await expect.poll(() => page.locator('.van-empty').count()).toBe(1);
    expect(await page.locator('.van-empty').textContent()).toContain('事项不存在');
    await context.close();
  });
});

describe('service guide on a desktop (1280×800)', () => {
  it('shows the same pages in the phone column', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await page.goto(`${server.url}/guide`);
    await page
      .locator(`${sel('guide-life-events')} button`)
      .first()
      .waitFor();
    await snap(page, 'guide-home');
    await page
      .locator(`${sel('guide-departments')} .van-cell`)
      .first()
      .click();
    await page.waitForURL(/department=/);
    await expect.poll(() => page.locator(sel('guide-result')).count()).toBeGreaterThan(0);
    await snap(page, 'guide-life-event');
    await page.goto(`${server.url}/guide`);
    await askAboutLifeEvent(page, '孩子上学', '入学');
    await snap(page, 'guide-life-event-answer');
    await page.goto(`${server.url}/guide`);
    const id = await findDibao(page);
    await snap(page, 'guide-search');
    await page.goto(`${server.url}/guide/${id}`);
    await page.locator(sel('material')).first().waitFor();
    await page.locator(sel('material')).nth(1).click();
    await snap(page, 'guide-item');
    await page.click(sel('share'));
    await page.locator(sel('share-qr')).waitFor();
    await snap(page, 'guide-share', { top: true });
    await page.goto(`${server.url}/guide?q=${encodeURIComponent('火星移民')}`);
    await expect.poll(() => text(page, sel('guide-results'))).toContain('没有找到相关事项');
    await snap(page, 'guide-no-results');
    await context.close();
  });
});
