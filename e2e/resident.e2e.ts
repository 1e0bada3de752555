import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agreeToPrivacyNotice,
  DESKTOP,
  devOtp,
  expectConsoleError,
  launchBrowser,
  launchPersistentBrowser,
  newPage,
  PHONE,
  type RunningServer,
  shot,
  startServer,
  watchConsole,
  OTP_COOLDOWN_MS,
  still,
} from './harness';

/**
 * The resident app in a real browser against a real server (fresh embedded database, demo data):
 * a resident of 家和社区 signs in on a phone (as WeChat's in-app browser), sees the notices of
 * home, changes community, manages sessions and signs out; a newcomer does the same on a desktop.
 * Every page is photographed at 360×740 and 1280×800 (e2e/screenshots).
 */

const RESIDENT = '13800000001';
const NEWCOMER = '13800000002';
const WECHAT_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) ' +
  'Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN';
const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
/** The server refuses a second code for the same number within a minute. */
const CHINESE_DATE_TIME = /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/;

let server: RunningServer;
let browser: Browser;
let phone: Page;
let phoneContext: BrowserContext;
let residentCodeSentAt = 0;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const sel = (name: string) => `[data-test="${name}"]`;

/** Waits until the page is quiet: requests done, toasts gone, transitions over. */
async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.van-toast')].every((e) => getComputedStyle(e).display === 'none'),
  );
  await still(page);
}

/**
 * A full-page screenshot. The tab bar is fixed to the viewport, so a full-page capture would paint
 * it across the middle of a long page; for the picture only, it sits at the end of the page,
 * where a resident sees it after scrolling down.
 */
async function snap(page: Page, name: string) {
  await settle(page);
  const style = await page.addStyleTag({ content: '.app-tabbar { position: absolute !important; }' });
  await shot(page, name);
  await style.evaluate((el) => (el as Element).remove());
}

/**
 * 长辈版's sizes on the page as it is: the text of the main content is at least 18 px (captions
 * and the tab bar's labels 14 px), and every control a finger presses is at least 48 px tall (inline links in a sentence
 * excepted, as WCAG 2.5.8 allows).
 */
async function expectElderSizes(page: Page) {
  const found = await page.evaluate(() => {
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    // Text size as drawn: the computed size times the CSS zoom it is drawn at.
    const px = (el: Element) =>
      parseFloat(getComputedStyle(el).fontSize) *
      ((el as HTMLElement & { currentCSSZoom?: number }).currentCSSZoom ?? 1);
    const small: string[] = [];
    for (const el of document.querySelectorAll('.app-shell *')) {
      if (!visible(el)) continue;
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim());
      if (!own) continue;
      const size = px(el);
      if (size < 14)
        small.push(
          `${el.className || el.tagName} ${size.toFixed(1)}px "${el.textContent!.trim().slice(0, 12)}"`,
        );
    }
    const body = [
      ...document.querySelectorAll(
        '.van-cell__title, .tile-title, .van-field__control, .van-button__text, .greeting',
      ),
    ]
      .filter(visible)
      .filter((el) => px(el) < 18)
      .map((el) => `${el.className} ${px(el).toFixed(1)}px "${el.textContent!.trim().slice(0, 12)}"`);
    const tiny: string[] = [];
    for (const el of document.querySelectorAll(
      '.app-shell a, .app-shell button, .app-shell input, .app-shell [role=button], .app-shell [role=switch], .van-cell--clickable',
    )) {
      if (!visible(el) || el.closest('p')) continue;
      const h = el.getBoundingClientRect().height;
      if (h < 48) tiny.push(`${el.className || el.tagName} ${h.toFixed(1)}px`);
    }
    return { small, body, tiny };
  });
  expect(found.small).toEqual([]);
  expect(found.body).toEqual([]);
  expect(found.tiny).toEqual([]);
}

/** The text a resident sees (rendered, so hidden elements do not count), whitespace folded. */
async function text(page: Page, selector: string) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await page.locator(selector).innerText()).replace(/\s+/g, ' ');
}

/** Fills the sign-in form, checks the resend countdown, and signs in. */
async function signIn(page: Page, number: string, opts: { photo?: string } = {}) {
  await page.locator(`${sel('phone')} input`).fill(number);
  await page.click(sel('send-code'));
  await expect.poll(() => text(page, sel('send-code'))).toMatch(/\d+ 秒后重发/);
  expect(await page.locator(`${sel('send-code')}`).isDisabled()).toBe(true);
  const code = await devOtp(server, number);
  await page.locator(`${sel('code')} input`).fill(code);
  if (opts.photo) await snap(page, opts.photo);
  await page.click(sel('submit'));
}

/** Signs a resident in without a browser (another device), returning its cookies. */
async function signInElsewhere(number: string, userAgent: string) {
  const headers = { 'content-type': 'application/json', 'user-agent': userAgent };
  const sent = await fetch(`${server.url}/api/v1/auth/otp`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ phone: number }),
  });
  expect(sent.status, await sent.text()).toBe(200);
  const code = await devOtp(server, number);
  const res = await fetch(`${server.url}/api/v1/auth/otp/verify`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ phone: number, code }),
  });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().map((c) => {
    const [pair] = c.split(';');
    const at = pair!.indexOf('=');
    return { name: pair!.slice(0, at), value: pair!.slice(at + 1), url: server.url };
  });
}

async function pickFromCascader(page: Page, town: string, community: string) {
  await page.locator('.van-cascader__option', { hasText: town }).click();
  await page.locator('.van-cascader__option', { hasText: community }).click();
  await page.locator('.van-popup--bottom').waitFor({ state: 'hidden' });
}

describe('resident app on a phone (360×740, WeChat)', () => {
  it('shows a visitor the district notices and asks for a community', async () => {
    ({ page: phone, context: phoneContext } = await newPage(browser, PHONE, { userAgent: WECHAT_IPHONE }));
    await phone.goto(`${server.url}/`);
    await expect.poll(() => text(phone, sel('home-notices'))).toContain('主汛期');
    expect(await text(phone, sel('home-notices'))).toContain('全区公告');
    expect(await text(phone, sel('choose-community'))).toContain('选择您所在的社区');
    expect(await text(phone, sel('greeting'))).toContain('欢迎来到邻里+');
    // One tile per module that exists, nothing else.
    const tiles = await phone
      .locator('[data-test^="tile-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-test')));
    expect(tiles.sort()).toEqual([
      'tile-applications',
      'tile-case-report',
      'tile-cases',
      'tile-certificates',
      'tile-guide',
      'tile-me',
      'tile-notices',
      'tile-office-hours',
    ]);
    await snap(phone, 'resident-home-guest');

    await phone.click(sel('tab-me'));
    await phone.waitForURL('**/me');
    await expect.poll(() => text(phone, sel('profile'))).toContain('登录 / 注册');
    await snap(phone, 'resident-me-guest');
  });

  it('signs the resident in with a phone code and goes back where they were', async () => {
    await phone.click(sel('sign-in'));
    await phone.waitForURL(/\/login\?redirect=(%2F|\/)me$/);

    // The number is checked before any code is sent.
    await phone.locator(`${sel('phone')} input`).fill('1380000');
    await phone.click(sel('send-code'));
    expect(await text(phone, sel('phone'))).toContain('请输入正确的 11 位手机号');
    await snap(phone, 'resident-login-invalid');

    await phone.locator(`${sel('phone')} input`).fill(RESIDENT);
    await phone.click(sel('send-code'));
    residentCodeSentAt = Date.now();
    await expect.poll(() => text(phone, sel('send-code'))).toMatch(/\d+ 秒后重发/);
    const code = await devOtp(server, RESIDENT);

    // A wrong code answers with a translated message, never the server's English.
    expectConsoleError(/status of 400 .*\/api\/v1\/auth\/otp\/verify\)$/);
    await phone.locator(`${sel('code')} input`).fill(code === '000000' ? '111111' : '000000');
    await phone.click(sel('submit'));
    await expect.poll(() => text(phone, sel('code'))).toContain('验证码不正确');
    expect(await text(phone, 'body')).not.toMatch(/wrong|tries remain/i);

    await phone.locator(`${sel('code')} input`).fill(code);
    await snap(phone, 'resident-login');
    await phone.click(sel('submit'));
    await phone.waitForURL('**/me');
    await expect.poll(() => text(phone, sel('profile'))).toContain('138****0001');
  });

  it('shows home with 家和社区’s notices, pinned first, and opens one', async () => {
    await phone.click(sel('tab-home'));
    await phone.waitForURL(`${server.url}/`);
    await expect.poll(() => text(phone, sel('home-community'))).toContain('家和社区');
    await expect.poll(() => phone.locator(sel('notice-item')).count()).toBeGreaterThan(2);
    const feed = await text(phone, sel('home-notices'));
    expect(feed).toContain('生活垃圾分类');
    expect(feed).toContain('主汛期'); // the district's notice reaches every community
    expect(feed).not.toContain('城管中队'); // 翰林社区's own notice does not
    expect(await text(phone, `${sel('notice-item')} >> nth=0`)).toContain('置顶');
    expect(await text(phone, sel('greeting'))).toContain('居民0001');
    await snap(phone, 'resident-home');

    await phone.locator(sel('notice-item')).first().click();
    await phone.waitForURL(/\/notices\/[0-9a-f-]{36}$/);
    await expect.poll(() => text(phone, sel('notice-detail'))).toMatch(CHINESE_DATE_TIME);
    expect(await text(phone, sel('notice-detail'))).toContain('发布单位');
    await snap(phone, 'resident-notice');

    await phone.goBack();
    await phone.locator('a[href="/notices"]').first().click();
    await phone.waitForURL('**/notices');
    await expect.poll(() => phone.locator(sel('notice-item')).count()).toBeGreaterThan(3);
    await snap(phone, 'resident-notices');
    await phone.goBack();
  });

  it('chooses another home community from the org tree', async () => {
    await phone.click(sel('home-community'));
    await phone.locator('.van-cascader__option', { hasText: '万安镇' }).waitFor();
    await snap(phone, 'resident-picker');
    await pickFromCascader(phone, '万安镇', '翰林社区');
    await expect.poll(() => text(phone, sel('home-community'))).toContain('翰林社区');
    await expect.poll(() => text(phone, sel('home-notices'))).toContain('城管中队');
    const feed = await text(phone, sel('home-notices'));
    expect(feed).toContain('主汛期');
    expect(feed).not.toContain('生活垃圾分类');
  });

  it('shows the profile and the signed-in devices, edits the name and switches language', async () => {
    await phone.click(sel('tab-me'));
    await expect.poll(() => text(phone, sel('me-community'))).toContain('翰林社区');
    await expect.poll(() => text(phone, sel('sessions'))).toContain('本机');
    const current = await text(phone, sel('session-current'));
    expect(current).toContain('微信 · iPhone');
    expect(current).toMatch(CHINESE_DATE_TIME);

    await phone.click(sel('edit-name'));
    await phone.locator(`${sel('name-input')} input`).fill('罗江居民');
    await phone.locator('.van-dialog__confirm:visible').click();
    await expect.poll(() => text(phone, sel('display-name'))).toBe('罗江居民');
    await snap(phone, 'resident-me');

    await phone.click(sel('language'));
    await phone.locator('.van-action-sheet__item', { hasText: 'English' }).click();
    await expect.poll(() => text(phone, sel('logout'))).toBe('Sign out');
    expect(await phone.evaluate(() => document.documentElement.lang)).toBe('en');
    await snap(phone, 'resident-me-en');
    await phone.click(sel('language'));
    await phone.locator('.van-action-sheet__item', { hasText: '简体中文' }).click();
    await expect.poll(() => text(phone, sel('logout'))).toBe('退出登录');
  });

  it('switches to 长辈版 on 我的: big tiles at home, 18-px text, 48-px targets, remembered on the device', async () => {
    const { page, context } = await newPage(browser, PHONE);
    await page.goto(`${server.url}/me`);
    const toggle = page.locator(sel('elder-switch'));
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('true');
    expect(await page.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(true);
    await snap(page, 'resident-elder-me');

    // Home: the few most used services as big tiles, and a way back to the standard home.
    await page.click(sel('tab-home'));
    await page.waitForURL(`${server.url}/`);
    await expect.poll(() => page.locator('.tiles .tile').count()).toBe(4);
    expect(
      await page
        .locator('[data-test^=tile-]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-test'))),
    ).toEqual(['tile-guide', 'tile-applications', 'tile-case-report', 'tile-notices']);
    await snap(page, 'resident-elder-home');
    await expectElderSizes(page);

    // Remembered on the device: a new visit opens in 长辈版; the sign-in form is large too.
    await page.goto(`${server.url}/login`);
    await page.locator(`${sel('phone')} input`).waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains('elder'))).toBe(true);
    await snap(page, 'resident-elder-login');
    await expectElderSizes(page);

    // Back to the standard home from the home page itself.
    await page.goto(`${server.url}/`);
    await page.click(sel('elder-exit'));
    await expect.poll(() => page.locator('.tiles .tile').count()).toBeGreaterThan(4);
    expect(await page.evaluate(() => localStorage.getItem('linli.elder'))).toBeNull();
    await context.close();
  });

  it('answers an unknown address with a page, not an error', async () => {
    await phone.goto(`${server.url}/no-such-page`);
    await expect.poll(() => text(phone, 'body')).toContain('页面不存在');
    await snap(phone, 'resident-not-found');
  });
});

describe('resident app on a desktop (1280×800)', () => {
  let desk: Page;

  it('shows a visitor home, me and sign-in', async () => {
    ({ page: desk } = await newPage(browser, DESKTOP));
    await desk.goto(`${server.url}/`);
    await expect.poll(() => text(desk, sel('home-notices'))).toContain('主汛期');
    await snap(desk, 'resident-home-guest');
    await desk.goto(`${server.url}/me`);
    await expect.poll(() => text(desk, sel('profile'))).toContain('登录 / 注册');
    await snap(desk, 'resident-me-guest');
    await desk.goto(`${server.url}/no-such-page`);
    await expect.poll(() => text(desk, 'body')).toContain('页面不存在');
    await snap(desk, 'resident-not-found');
  });

  it('signs a newcomer in, lands on the page they asked for, and lets them choose a community', async () => {
    await desk.goto(`${server.url}/login?redirect=/notices`);
    await signIn(desk, NEWCOMER, { photo: 'resident-login' });
    await agreeToPrivacyNotice(desk);
    await desk.waitForURL('**/notices');
    // The address changes a moment before the new page is drawn: wait for the list itself.
    await desk.locator(sel('notice-item')).first().waitFor();
    await desk.click(sel('page-back'));
    await desk.waitForURL(`${server.url}/`);
    await expect.poll(() => text(desk, sel('choose-community'))).toContain('选择您所在的社区');
    await snap(desk, 'resident-home-new');

    await desk.locator(sel('choose-community')).getByRole('button').click();
    await desk.locator('.van-cascader__option', { hasText: '金山镇' }).waitFor();
    await desk.locator(`${sel('community-search')} input`).fill('家和');
    await desk.locator(sel('community-result'), { hasText: '家和社区' }).waitFor();
    await snap(desk, 'resident-picker');
    await desk.locator(sel('community-result'), { hasText: '家和社区' }).click();
    await expect.poll(() => text(desk, sel('home-community'))).toContain('家和社区');
    await expect.poll(() => text(desk, sel('home-notices'))).toContain('生活垃圾分类');
    await snap(desk, 'resident-home');

    await desk.locator(sel('notice-item')).first().click();
    await desk.waitForURL(/\/notices\/[0-9a-f-]{36}$/);
    await expect.poll(() => text(desk, sel('notice-detail'))).toMatch(CHINESE_DATE_TIME);
    await snap(desk, 'resident-notice');
    await desk.goto(`${server.url}/notices`);
    await expect.poll(() => desk.locator(sel('notice-item')).count()).toBeGreaterThan(3);
    await snap(desk, 'resident-notices');

    await desk.goto(`${server.url}/me`);
    await expect.poll(() => text(desk, sel('sessions'))).toContain('本机');
    expect(await text(desk, sel('me-community'))).toContain('家和社区');
    await snap(desk, 'resident-me');
  });

  it('signs out on every device', async () => {
    await desk.click(sel('logout-all'));
    await desk.locator('.van-dialog__confirm:visible').click();
    await desk.waitForURL(`${server.url}/`);
    await desk.goto(`${server.url}/me`);
    await expect.poll(() => text(desk, sel('profile'))).toContain('登录 / 注册');
  });
});

describe('sessions across devices', () => {
  it('lists another device, signs it out, and sends that device to sign in again', async () => {
    // A second device for the same resident needs a new code: wait out the resend cool-down.
    const wait = residentCodeSentAt + OTP_COOLDOWN_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const other = await newPage(browser, DESKTOP, { userAgent: WINDOWS_CHROME });
    // The device signed out from the phone: its next requests answer 401 (what sends it to sign-in).
    expectConsoleError(/status of 401 .*\/api\/v1\/(me\/sessions|messages\?)/);
    await other.context.addCookies(await signInElsewhere(RESIDENT, WINDOWS_CHROME));
    await other.page.goto(`${server.url}/me`);
    await expect.poll(() => text(other.page, sel('sessions'))).toContain('微信 · iPhone');

    await phone.goto(`${server.url}/me`);
    await expect.poll(() => phone.locator(sel('session')).count()).toBe(1);
    expect(await text(phone, sel('session'))).toContain('Chrome 浏览器 · Windows 电脑');
    await snap(phone, 'resident-me-sessions');
    await phone.locator(sel('session')).getByRole('button').click();
    await phone.locator('.van-dialog__confirm:visible').click();
    await expect.poll(() => phone.locator(sel('session')).count()).toBe(0);

    // The signed-out device finds out on its next request and is sent to sign in, then back.
    await other.page.click(sel('tab-home'));
    await other.page.waitForURL(`${server.url}/`);
    await other.page.locator(sel('home-notices')).waitFor();
    await other.page.click(sel('tab-me'));
    await other.page.waitForURL(/\/login\?redirect=(%2F|\/)me&reason=expired$/);
    await expect.poll(() => text(other.page, sel('expired'))).toContain('登录已过期，请重新登录');
    await snap(other.page, 'resident-login-expired');
    await other.context.close();

    // And the phone signs out.
    await settle(phone);
    await phone.click(sel('logout'));
    await phone.locator('.van-dialog__confirm:visible').click();
    await phone.waitForURL(`${server.url}/`);
    await expect.poll(() => text(phone, sel('greeting'))).toContain('欢迎来到邻里+');
    const me = await phoneContext.request.get(`${server.url}/api/v1/me`);
    expect(me.status()).toBe(401);
    await phoneContext.close();
  });
});

/** GET over plain node:http (fetch would undo the content encoding): status, headers and raw bytes. */
function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      http
        .get(url, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        })
        .on('error', reject);
    },
  );
}

describe('installable, and sent pre-compressed', () => {
  it('is installable: Chromium reads the manifest (standalone, 邻里+, 192/512 icons and maskable ones) and finds nothing missing', async () => {
    // Not a Playwright context: those are incognito, where Chromium never offers to install.
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-profile-'));
    const context = await launchPersistentBrowser(profile, {
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors = watchConsole(page);
      await page.goto(`${server.url}/`);
      await page.locator(sel('greeting')).waitFor();
      const cdp = await context.newCDPSession(page);
      const { url, errors: manifestErrors, data } = await cdp.send('Page.getAppManifest');
      expect(url).toBe(`${server.url}/manifest.webmanifest`);
      expect(manifestErrors).toEqual([]);
      const manifest = JSON.parse(data ?? '{}');
      expect(manifest).toMatchObject({
        name: '邻里+',
        short_name: '邻里+',
        lang: 'zh-CN',
        start_url: '/',
        display: 'standalone',
      });
      // What Chrome (and Lighthouse's installability check before v12) asks of an installable app.
      expect(await cdp.send('Page.getInstallabilityErrors')).toEqual({ installabilityErrors: [] });

      // Every icon loads at its declared size; "any" keeps its rounded corners transparent, the
      // maskable ones fill the square (the launcher cuts their shape).
      const icons = manifest.icons as { src: string; sizes: string; purpose: string }[];
      expect(icons.map((i) => `${i.purpose} ${i.sizes}`).sort()).toEqual([
        'any 192x192',
        'any 512x512',
        'maskable 192x192',
        'maskable 512x512',
      ]);
      for (const icon of icons) {
        const found = await page.evaluate(async (src) => {
          const img = new Image();
          img.src = src;
          await img.decode();
          const canvas = document.createElement('canvas');
          canvas.width = img.naturalWidth;
          canvas.height = img.naturalHeight;
          const g = canvas.getContext('2d')!;
          g.drawImage(img, 0, 0);
          const alpha = (x: number, y: number) => g.getImageData(x, y, 1, 1).data[3];
          return {
            size: `${img.naturalWidth}x${img.naturalHeight}`,
            corner: alpha(0, 0),
            centre: alpha(img.naturalWidth / 2, img.naturalHeight / 2),
          };
        }, icon.src);
        expect(found, icon.src).toEqual({
          size: icon.sizes,
          corner: icon.purpose === 'maskable' ? 255 : 0,
          centre: 255,
        });
      }
      const touchIcon = await page.locator('link[rel="apple-touch-icon"]').getAttribute('href');
      expect((await fetch(`${server.url}${touchIcon}`)).headers.get('content-type')).toBe('image/png');
      expect(errors()).toEqual([]);
    } finally {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });

  it('sends the built files brotli-compressed to a browser that takes them, the same bytes once decompressed', async () => {
    const html = (await rawGet(`${server.url}/`)).body.toString('utf8');
    const entry = /<script type="module" crossorigin src="([^"]+)"/.exec(html)?.[1];
    expect(entry).toMatch(/^\/assets\/index-[\w-]+\.js$/);
    for (const file of [entry!, '/']) {
      const plain = await rawGet(`${server.url}${file}`);
      const br = await rawGet(`${server.url}${file}`, { 'accept-encoding': 'gzip, deflate, br' });
      expect(br.status, file).toBe(200);
      expect(br.headers['content-encoding'], file).toBe('br');
      expect(br.headers.vary, file).toContain('accept-encoding');
      expect(br.body.length, file).toBeLessThan(plain.body.length / 2);
      expect(zlib.brotliDecompressSync(br.body).equals(plain.body), file).toBe(true);
    }
    const page = await rawGet(`${server.url}/`, { 'accept-encoding': 'br' });
    expect(page.headers['cache-control']).toBe('no-cache');
    const asset = await rawGet(`${server.url}${entry}`, { 'accept-encoding': 'br' });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});
