import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agreeToPrivacyNotice,
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
 * 在线申请 in a real browser against a real server: a fresh resident of 家和社区 applies for
 * 最低生活保障 with two photos, sees it in 我的办件 as 已提交; a worker asks for 户口簿 (补正) and the
 * resident adds it, back to 已提交. Photographed at 360×740 and 1280×800.
 */

const RESIDENT = '13800000005';

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
/** A valid 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const png = (name: string) => ({ name, mimeType: 'image/png', buffer: PNG });

async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.van-toast')].every((e) => getComputedStyle(e).display === 'none'),
  );
  await still(page);
}

async function snap(page: Page, name: string) {
  await settle(page);
  await shot(page, name);
}

async function text(page: Page, selector: string) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ');
}

/** A worker of 家和社区 asks for more materials, through the API. */
async function requestMore(id: string, missing: string[]) {
  const origin = { origin: server.url, 'content-type': 'application/json' };
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: origin,
    body: JSON.stringify({ username: 'jiahe-worker', password: 'Linli@2026' }),
  });
  expect(login.status, await login.clone().text()).toBe(200);
  const cookies = login.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('linli_csrf='))?.slice('linli_csrf='.length);
  const res = await fetch(`${server.url}/api/v1/applications/${id}/request-more`, {
    method: 'POST',
    headers: {
      ...origin,
      cookie: cookies.join('; '),
      ...(csrf ? { 'x-csrf-token': decodeURIComponent(csrf) } : {}),
    },
    body: JSON.stringify({ missingMaterials: missing }),
  });
  expect(res.status, await res.text()).toBe(200);
}

async function signIn(page: Page) {
  await page.goto(`${server.url}/login?redirect=${encodeURIComponent('/me')}`);
  await page.locator(`${sel('phone')} input`).fill(RESIDENT);
  await page.click(sel('send-code'));
  await expect.poll(() => text(page, sel('send-code'))).toMatch(/\d+/);
  await page.locator(`${sel('code')} input`).fill(await devOtp(server, RESIDENT));
  await page.click(sel('submit'));
  await agreeToPrivacyNotice(page);
  await page.waitForURL('**/me');
}

describe('apply online on a phone (360×740), then 补正', () => {
  let id = '';
  let cookies: Awaited<ReturnType<import('playwright-core').BrowserContext['cookies']>> = [];

  it('applies for 低保 with two photos and sees it in 我的办件 as 已提交', async () => {
    const { page, context } = await newPage(browser, PHONE);
    await signIn(page);
    // A fresh resident: choose 家和社区 as the home community on 我的.
    await page.click(sel('me-community'));
    await page.locator(`${sel('community-search')} input`).fill('家和');
    await page.locator(sel('community-result'), { hasText: '家和社区' }).click();
    await expect.poll(() => text(page, sel('me-community'))).toContain('家和社区');

    await page.goto(`${server.url}/guide?q=${encodeURIComponent('低保')}`);
    await page.locator(sel('guide-result'), { hasText: '最低生活保障' }).first().click();
    await page.waitForURL(/\/guide\/[^/]+$/);
    const apply = page.locator(sel('apply'));
    await apply.waitFor();
    expect(await apply.textContent()).toContain('申请代办');
    await apply.click();
    await page.waitForURL(/\/apply$/);
    await page.locator(sel('file-input')).first().waitFor({ state: 'attached' });
    await page
      .locator(sel('file-input'))
      .first()
      .setInputFiles([png('a.png'), png('b.png')]);
    await expect.poll(() => page.locator(sel('picked-file')).count()).toBe(2);
    await page.locator(`${sel('apply-note')} textarea`).fill('家里老人行动不便，麻烦代办');
    // 必需 materials neither uploaded nor ticked are named before anything is sent.
    await page.click(sel('apply-submit'));
    await expect.poll(() => text(page, sel('apply-error'))).toContain('最低生活保障申请书');
    // The other required materials (必需) are brought to the service room: one tick each.
    await page.locator(sel('bring-material')).first().waitFor();
    for (const box of await page.locator(sel('bring-material')).all()) await box.click();
    await snap(page, 'apply-form');

    await page.click(sel('apply-submit'));
    await page.waitForURL(/\/applications\/[^/]+$/);
    id = page.url().split('/').pop()!;
    await expect.poll(() => text(page, sel('application-status'))).toBe('已提交');
    expect(await text(page, sel('application-number'))).toMatch(/^\d{6}-BJ\d{8}-\d{4,}$/);
    expect(await text(page, sel('materials-to-bring'))).toContain('家庭经济状况核对授权书');
    await snap(page, 'apply-submitted');

    await page.goto(`${server.url}/me`);
    await page.click(sel('me-applications'));
    await page.waitForURL('**/applications');
    await page.locator(sel('application')).first().waitFor();
    expect(await text(page, sel('application'))).toContain('最低生活保障');
    expect(await text(page, sel('application-status'))).toBe('已提交');
    await snap(page, 'my-applications');

    // 补正: the worker asks for 户口簿.
    await requestMore(id, ['户口簿']);
    await page.goto(`${server.url}/applications/${id}`);
    await expect.poll(() => text(page, sel('application-status'))).toBe('需补正');
    expect(await text(page, sel('missing-materials'))).toContain('户口簿');
    await page
      .locator(sel('file-input'))
      .first()
      .setInputFiles([png('hukou.png')]);
    await expect.poll(() => page.locator(sel('picked-file')).count()).toBe(1);
    await snap(page, 'my-applications-needs-more');
    await page.click(sel('add-materials'));
    await expect.poll(() => text(page, sel('application-status'))).toBe('已提交');
    expect(await text(page, sel('timeline'))).toContain('需补正');
    await snap(page, 'my-applications-detail');

    await page.goto(`${server.url}/messages`);
    await page.locator(sel('message')).first().waitFor();
    await snap(page, 'apply-messages');
    cookies = await context.cookies();
    await context.close();
  });

  it('shows the same pages at 1280×800', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    // The same resident, signed in (a second code would hit the send cooldown).
    await context.addCookies(cookies);
    await page.goto(`${server.url}/applications`);
    await page.locator(sel('application')).first().waitFor();
    await snap(page, 'my-applications');
    await page.goto(`${server.url}/applications/${id}`);
    await page.locator(sel('timeline')).waitFor();
    await snap(page, 'my-applications-detail');
    await page.goto(`${server.url}/guide`);
    await page.locator(`${sel('guide-search')} input`).fill('低保');
    await page.locator(sel('guide-result'), { hasText: '最低生活保障' }).first().click();
    await page.locator(sel('apply')).click();
    await page
      .locator(sel('file-input'))
      .first()
      .setInputFiles([png('a.png')]);
    await expect.poll(() => page.locator(sel('picked-file')).count()).toBe(1);
    await snap(page, 'apply-form');
    await context.close();
  });
});
