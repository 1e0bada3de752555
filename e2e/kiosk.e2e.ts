import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agreeToPrivacyNotice,
  devOtp,
  KIOSK,
  launchBrowser,
  newPage,
  type RunningServer,
  shot,
  startServer,
  expectConsoleError,
  still,
} from './harness';

/**
 * The service-room kiosk (自助服务终端) at 1920×1080: browse and search the guide, an item with a
 * printable checklist, sign-in on the number pad, and the automatic sign-out after 60 s without a
 * touch (fast-forwarded with Playwright's clock) that leaves nothing of the previous person.
 */

const VISITOR = '13800000003';

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

async function snap(page: Page, name: string) {
  await page.waitForLoadState('networkidle');
  await still(page);
  await shot(page, name);
}

async function text(page: Page, selector: string) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await page.locator(selector).innerText()).replace(/\s+/g, ' ');
}

async function typeOnPad(page: Page, digits: string) {
  for (const d of digits) await page.click(sel(`key-${d}`));
}

async function openDibao(page: Page) {
  await page.locator(sel('kiosk-search')).fill('db');
  const hit = page.locator(sel('guide-result'), { hasText: '最低生活保障' }).first();
  await hit.click();
  await page.waitForURL(/\/kiosk\/item\//);
  await page.locator(sel('material')).first().waitFor();
}

const checkedCount = (page: Page) => page.locator(`${sel('material-check')}:checked`).count();

describe('kiosk (1920×1080)', () => {
  it('browses, searches, prints a checklist, signs in on the pad and signs out by itself', async () => {
    const { page, context } = await newPage(browser, KIOSK, { mobile: false });
    await context.clock.install();
    await page.goto(`${server.url}/kiosk`);
    await page
      .locator(`${sel('kiosk-life-events')} button`)
      .first()
      .waitFor();
    // Large type, no phone tab bar.
    expect(
      await page.locator(sel('kiosk')).evaluate((e) => Number.parseFloat(getComputedStyle(e).fontSize)),
    ).toBeGreaterThanOrEqual(24);
    expect(await page.locator('.app-tabbar').count()).toBe(0);
    // 长辈版 by default: its contrast and 48-px targets, at the kiosk's own (large) size.
    expect(await page.evaluate(() => document.documentElement.className)).toMatch(/\belder\b/);
    await snap(page, 'kiosk-home');

    // Browse by life event.
    await page.locator(`${sel('kiosk-life-events')} button`, { hasText: '养老' }).click();
    await expect.poll(() => page.locator(sel('guide-result')).count()).toBeGreaterThan(0);
    await snap(page, 'kiosk-browse');
    await page.click(sel('kiosk-clear'));

    // Search, open, tick, print.
    await page.locator(sel('kiosk-search')).fill('db');
    await page.locator(sel('guide-result'), { hasText: '最低生活保障' }).first().waitFor();
    await snap(page, 'kiosk-search');
    await page.locator(sel('guide-result'), { hasText: '最低生活保障' }).first().click();
    await page.waitForURL(/\/kiosk\/item\//);
    await page.locator(sel('material')).first().waitFor();
    expect(await text(page, sel('kiosk-item-name'))).toBe('最低生活保障');
    await page.locator(sel('material')).nth(0).click();
    expect(await checkedCount(page)).toBe(1);
    await snap(page, 'kiosk-item');

    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => {
        (window as unknown as { printed: number }).printed += 1;
      };
    });
    await page.click(sel('kiosk-print'));
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await page.emulateMedia({ media: 'print' });
    // The printed page is the checklist alone: no header, buttons or footer.
    expect(await page.locator(sel('kiosk-print')).isVisible()).toBe(false);
    expect(await page.locator(sel('kiosk-sign-in')).isVisible()).toBe(false);
    expect(await text(page, sel('kiosk-checklist'))).toContain('居民身份证');
    await snap(page, 'kiosk-print');
    await page.emulateMedia({ media: 'screen' });

    // Sign in with the number pad.
    await page.click(sel('kiosk-sign-in'));
    await page.waitForURL('**/kiosk/login');
    // Eleven digits at most; a slip is undone with the delete key.
    await typeOnPad(page, '138000000099');
    await page.click(sel('key-del'));
    await typeOnPad(page, '3');
    expect(await text(page, sel('kiosk-phone'))).toContain('138 0000 0003');
    await page.click(sel('kiosk-send-code'));
    await page.locator(sel('kiosk-code')).waitFor();
    await typeOnPad(page, await devOtp(server, VISITOR));
    await snap(page, 'kiosk-login');
    await page.click(sel('kiosk-submit'));
    await agreeToPrivacyNotice(page);
    await page.waitForURL(/\/kiosk$/);
    await page.locator(sel('kiosk-user')).waitFor();
    const name = await text(page, sel('kiosk-user'));

    await openDibao(page);
    await page.locator(sel('material')).nth(1).click();
    expect(await checkedCount(page)).toBe(2);

    // 50 s later the countdown shows; untouched for the rest, the kiosk signs out and forgets.
    await page.clock.fastForward(51_000);
    await page.locator(sel('kiosk-idle')).waitFor();
    expect(Number(await text(page, sel('kiosk-idle-seconds')))).toBeLessThanOrEqual(10);
    await snap(page, 'kiosk-idle');
    await page.clock.fastForward(10_000);
    await page.waitForURL(/\/kiosk$/);
    await page.locator(sel('kiosk-sign-in')).waitFor();
    await page
      .locator(`${sel('kiosk-life-events')} button`)
      .first()
      .waitFor();
    expect(await page.locator(sel('kiosk-user')).count()).toBe(0);
    expect(await page.locator(sel('kiosk-idle')).count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain(name.replace(/，您好$/, ''));
    expect(
      await page.evaluate(
        () => Object.keys(localStorage).filter((k) => k.startsWith('linli.')).length + sessionStorage.length,
      ),
    ).toBe(0);
    expectConsoleError(/status of 401 .*\/api\/v1\/me\)$/); // the probe below, signed out
    expect(await page.evaluate(() => fetch('/api/v1/me').then((r) => r.status))).toBe(401);
    await snap(page, 'kiosk-after-sign-out');

    // The next person opening the same item sees no ticks.
    await openDibao(page);
    expect(await checkedCount(page)).toBe(0);
    await context.close();
  });
});
