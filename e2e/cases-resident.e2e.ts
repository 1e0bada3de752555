import type { Case, CasePage, CasePublicPage } from '@linli/contracts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agreeToPrivacyNotice,
  DEMO_PASSWORD,
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
 * 城社共治, the resident side, in a real browser against a real server: a fresh resident of 翰林社区
 * reports 暴露垃圾 (市容环境) with two photos at 31.3175 N, 104.5062 E from the phone's location, gets
 * the receipt number at once and finds the case in 我的诉求; the staff steps run through the API
 * (立案, 派遣 to 翰林社区's squad, 签收 and 处置 with a photo by hanlin-squad1, 核查 by hanlin-squad2);
 * the resident sees the handler's photo, rates 不满意 → reopened → handled again and closed → 满意.
 * ("Me too" for a neighbour reporting the same is walked in cases-done-when.e2e.ts.) A report made
 * offline is kept on the phone and sent once, when back online.
 * Photographed at 360×740 and 1280×800.
 */

const RESIDENT = '13800000301';
const SPOT = { latitude: 31.3175, longitude: 104.5062, accuracy: 15 };
const DESCRIPTION = '翰林社区3栋旁边的垃圾桶满了，垃圾堆在路边好几天没人清运';
const OFFLINE_DESCRIPTION = '小区门口电线杆上贴满了小广告，影响市容';
const KB = 1024;

let server: RunningServer;
let browser: Browser;
let resident: { page: Page; context: BrowserContext };
let caseId = '';
let caseNumber = '';

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

async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.van-toast')].every((e) => getComputedStyle(e).display === 'none'),
  );
  await still(page);
}

/** A full-page picture; the fixed tab bar sits at the end of the page for it (as in resident.e2e.ts). */
async function snap(page: Page, name: string, opts: { popup?: boolean } = {}) {
  await settle(page);
  // A bottom sheet is fixed to the screen: the picture is then the screen, as the resident sees it.
  const locked = opts.popup
    ? await page.addStyleTag({ content: '.app-shell { height: 100vh; overflow: hidden; }' })
    : null;
  // From the top, so the sticky title bar is where a resident sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  const style = await page.addStyleTag({ content: '.app-tabbar { position: absolute !important; }' });
  await shot(page, name);
  await style.evaluate((el) => (el as Element).remove());
  await locked?.evaluate((el) => (el as Element).remove());
}

async function text(page: Page, selector: string) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ');
}

/** A phone with the location granted at a point (or refused when `at` is null). */
async function phoneAt(at: typeof SPOT | null, viewport = PHONE) {
  const { page, context } = await newPage(browser, viewport);
  if (at) {
    await context.grantPermissions(['geolocation'], { origin: server.url });
    await context.setGeolocation(at);
  }
  return { page, context };
}

/** Signs a fresh resident in with the development code and makes 翰林社区 (or another) home on 我的. */
async function signInHanlin(page: Page, phone: string, home = '翰林社区') {
  await page.goto(`${server.url}/login?redirect=${encodeURIComponent('/me')}`);
  await page.locator(`${sel('phone')} input`).fill(phone);
  await page.click(sel('send-code'));
  await expect.poll(() => text(page, sel('send-code'))).toMatch(/\d+/);
  await page.locator(`${sel('code')} input`).fill(await devOtp(server, phone));
  await page.click(sel('submit'));
  await agreeToPrivacyNotice(page);
  await page.waitForURL('**/me');
  await page.click(sel('me-community'));
  await page.locator(`${sel('community-search')} input`).fill(home.slice(0, 2));
  await page.locator(sel('community-result'), { hasText: home }).first().click();
  await expect.poll(() => text(page, sel('me-community'))).toContain(home);
}

/** Picks a sub-category through the search box of the picker. */
async function pickCategory(page: Page, search: string, name: string) {
  await page.click(sel('case-category'));
  await page.locator(`${sel('category-search')} input`).fill(search);
  await page.locator(sel('category-option'), { hasText: new RegExp(`^${name}$`) }).click();
  await expect.poll(() => text(page, sel('case-category'))).toContain(name);
}

/** A noisy 2400×1800 PNG made in the page, put into the photo input with a small PNG: a real phone photo's weight. */
async function addPhotos(page: Page) {
  await page.evaluate(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = 2400;
    canvas.height = 1800;
    const ctx = canvas.getContext('2d')!;
    const img = ctx.createImageData(canvas.width, canvas.height);
    for (let i = 0; i < img.data.length; i += 4) {
      const x = (i / 4) % canvas.width;
      img.data[i] = (x / 10 + Math.random() * 90) & 255;
      img.data[i + 1] = 120 + Math.random() * 100;
      img.data[i + 2] = Math.random() * 255;
      img.data[i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    const big = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/png'));
    const input = document.querySelector<HTMLInputElement>('[data-test="case-photo-input"]')!;
    const dt = new DataTransfer();
    dt.items.add(new File([big], 'scene.png', { type: 'image/png' }));
    input.files = dt.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    (window as unknown as { bigPhotoBytes: number }).bigPhotoBytes = big.size;
  });
  await expect.poll(() => page.locator(sel('case-photo')).count(), { timeout: 30_000 }).toBe(1);
  await page
    .locator(sel('case-photo-input'))
    .setInputFiles([{ name: 'close-up.png', mimeType: 'image/png', buffer: PNG }]);
  await expect.poll(() => page.locator(sel('case-photo')).count()).toBe(2);
}

// ---- staff through the HTTP API

interface Staff {
  cookie: string;
  csrf: string;
}

async function staff(username: string): Promise<Staff> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { origin: server.url, 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('linli_csrf='))?.slice('linli_csrf='.length) ?? '';
  return { cookie: cookies.join('; '), csrf: decodeURIComponent(csrf) };
}

async function call<T>(who: Staff, method: string, path: string, body?: unknown): Promise<T> {
  const isForm = body instanceof FormData;
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: {
      origin: server.url,
      cookie: who.cookie,
      'x-csrf-token': who.csrf,
      ...(body !== undefined && !isForm ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
  });
  const answer = await res.text();
  expect(res.status, `${method} ${path}: ${answer}`).toBe(200);
  return JSON.parse(answer) as T;
}

/** 处置反馈 with a photo of the result. */
function handleWithPhoto(who: Staff, id: string, note: string) {
  const form = new FormData();
  form.append('note', note);
  form.append('photos', new Blob([PNG], { type: 'image/png' }), 'after.png');
  return call<Case>(who, 'POST', `/cases/${id}/handle`, form);
}

/** The resident's own view of a case, through the browser's session. */
async function residentCase(page: Page, id: string): Promise<Case> {
  const res = await page.request.get(`${server.url}/api/v1/cases/${id}`);
  expect(res.status()).toBe(200);
  return (await res.json()) as Case;
}

async function myCases(page: Page): Promise<CasePage> {
  const res = await page.request.get(`${server.url}/api/v1/cases/mine?limit=50`);
  expect(res.status()).toBe(200);
  return (await res.json()) as CasePage;
}

/** Today's date in Beijing as YYYYMMDD: the middle of a case number. */
const beijingDay = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');

describe('随手拍 and 我的诉求 on a phone (360×740)', () => {
  it('reports 暴露垃圾 with two photos at the phone’s location and gets the receipt number at once', async () => {
    resident = await phoneAt(SPOT);
    const { page } = resident;
    await signInHanlin(page, RESIDENT);

    await page.goto(`${server.url}/`);
    await page.locator(sel('tile-case-report')).waitFor();
    const tiles = await page
      .locator('[data-test^="tile-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-test')));
    expect(tiles).toEqual(expect.arrayContaining(['tile-case-report', 'tile-cases']));
    // Four to a row (five when there are exactly five), every title on one line inside its tile.
    const boxes = await page.locator('[data-test^="tile-"]').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        const title = e.querySelector('.tile-title')!;
        return { top: Math.round(r.top), fits: title.scrollWidth <= (e as HTMLElement).clientWidth };
      }),
    );
    expect(new Set(boxes.map((b) => b.top)).size).toBe(
      Math.ceil(boxes.length / (boxes.length === 5 ? 5 : 4)),
    );
    expect(boxes.every((b) => b.fits)).toBe(true);
    await snap(page, 'cases-home');

    await page.click(sel('tile-case-report'));
    await page.waitForURL('**/cases/report');
    await expect.poll(() => text(page, sel('case-geo')), { timeout: 20_000 }).toContain('已获取手机定位');
    await pickCategory(page, '垃圾', '暴露垃圾');
    await page.locator(`${sel('case-description')} textarea`).fill(DESCRIPTION);
    await addPhotos(page);
    // Shrunk in the browser to about 300 KB, whatever the phone took.
    const bigBytes = await page.evaluate(
      () => (window as unknown as { bigPhotoBytes: number }).bigPhotoBytes,
    );
    expect(bigBytes).toBeGreaterThan(2000 * KB);
    // The sketch around the phone (there is no online map): the resident's dot is drawn.
    await page.locator(sel('case-pin-map')).waitFor();
    await snap(page, 'cases-report-form');

    await page.click(sel('case-submit'));
    await page.locator(sel('case-receipt')).waitFor();
    caseNumber = await text(page, sel('case-number'));
    expect(caseNumber).toMatch(new RegExp(`^510604-${beijingDay()}-\\d{4}$`));
    expect(await text(page, sel('case-receipt'))).toContain('翰林社区城管中队');
    await expect
      .poll(() => text(page, sel('case-receipt-where')), { timeout: 10_000 })
      .toMatch(/^翰林社区 · /);
    await snap(page, 'cases-receipt');

    await page.click(sel('case-view'));
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    caseId = page.url().split('/').pop()!;
    const c = await residentCase(page, caseId);
    expect(c).toMatchObject({
      number: caseNumber,
      status: 'reported',
      category: { code: '0102', name: '暴露垃圾' },
      community: { name: '翰林社区' },
      handler: { kind: 'squad', name: '翰林社区城管中队' },
      hideName: false,
      relation: 'reporter',
    });
    expect(c.location?.lat).toBeCloseTo(SPOT.latitude, 4);
    expect(c.location?.lng).toBeCloseTo(SPOT.longitude, 4);
    expect(c.photos).toHaveLength(2);
    for (const p of c.photos) {
      expect(p.mime).toBe('image/jpeg');
      expect(p.size).toBeLessThanOrEqual(300 * KB);
    }
    expect(Math.max(...c.photos.map((p) => p.size))).toBeGreaterThan(50 * KB);
    expect(await text(page, sel('case-detail-number'))).toBe(caseNumber);
    expect(await text(page, sel('case-status'))).toBe('待立案');

    // 我的诉求, from the home tile.
    await page.goto(`${server.url}/`);
    await page.click(sel('tile-cases'));
    await page.waitForURL('**/cases');
    await page.locator(sel('my-case')).first().waitFor();
    const row = await text(page, sel('my-case'));
    expect(row).toContain('暴露垃圾');
    expect(row).toContain(caseNumber);
    expect(row).toContain('待立案');
    expect(await page.locator(sel('my-case')).count()).toBe(1);
    await snap(page, 'cases-mine');
  });

  it('shows the handler’s photo in the timeline; 不满意 reopens; handled again and closed, then 满意', async () => {
    const { page } = resident;
    const secretary = await staff('hanlin-secretary');
    const squad1 = await staff('hanlin-squad1');
    const squad2 = await staff('hanlin-squad2');
    const squads = await call<{ items: { id: string; name: string }[] }>(secretary, 'GET', '/squads');
    const squad = squads.items.find((s) => s.name === '翰林社区城管中队');
    expect(squad).toBeTruthy();

    expect((await call<Case>(secretary, 'POST', `/cases/${caseId}/register`, {})).status).toBe('registered');

    const dispatched = await call<Case>(secretary, 'POST', `/cases/${caseId}/dispatch`, {
      kind: 'squad',
      targetId: squad!.id,
    });
    expect(dispatched).toMatchObject({ status: 'dispatched', handler: { name: '翰林社区城管中队' } });
    expect((await call<Case>(squad1, 'POST', `/cases/${caseId}/accept`, {})).status).toBe('accepted');
    expect((await call<Case>(squad1, 'POST', `/cases/${caseId}/start`, {})).status).toBe('handling');
    expect((await handleWithPhoto(squad1, caseId, '已联系环卫清运，现场已清理')).status).toBe('handled');
    expect((await call<Case>(squad2, 'POST', `/cases/${caseId}/verify-pass`, {})).status).toBe('closed');

    await page.goto(`${server.url}/cases/${caseId}`);
    await expect.poll(() => text(page, sel('case-status')), { timeout: 10_000 }).toBe('已办结');
    const timeline = await text(page, sel('case-timeline'));
    for (const step of ['提交诉求', '立案', '派遣处置单位', '处置单位签收', '处置完成', '核查通过，办结'])
      expect(timeline).toContain(step);
    expect(timeline).toContain('已联系环卫清运，现场已清理');
    expect(timeline).toMatch(/\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);
    // The handler's photo is in the timeline, and it really loads.
    const photo = page.locator(sel('case-event-photo')).first();
    await photo.scrollIntoViewIfNeeded();
    await expect
      .poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), {
        timeout: 10_000,
      })
      .toBe(1);
    await page.locator(sel('case-rate')).waitFor();
    await snap(page, 'cases-detail-closed');

    await page.click(sel('rate-unsatisfied'));
    await page.locator(`${sel('rate-comment')} textarea`).fill('第二天又堆满了');
    await page.click(sel('rate-submit'));
    await page.locator(sel('case-reopened')).waitFor();
    await expect.poll(() => text(page, sel('case-status')), { timeout: 10_000 }).toBe('处置中');
    expect(await text(page, sel('badge-reopened'))).toBe('重办');
    expect(await text(page, sel('case-timeline'))).toContain('重新办理');
    expect(await residentCase(page, caseId)).toMatchObject({ status: 'handling', reopened: true });
    await snap(page, 'cases-detail-reopened');

    expect((await handleWithPhoto(squad1, caseId, '已加派清运车次')).status).toBe('handled');
    expect((await call<Case>(squad2, 'POST', `/cases/${caseId}/verify-pass`, {})).status).toBe('closed');
    await page.reload();
    await expect.poll(() => text(page, sel('case-status')), { timeout: 10_000 }).toBe('已办结');
    await page.click(sel('rate-satisfied'));
    await page.click(sel('rate-submit'));
    await page.locator(sel('case-rating')).waitFor();
    expect(await text(page, sel('case-rating'))).toContain('满意');
    await expect.poll(() => text(page, sel('case-status')), { timeout: 10_000 }).toBe('已评价');
    expect(await residentCase(page, caseId)).toMatchObject({ status: 'rated', rating: 'satisfied' });
    expect(await page.locator(sel('case-event-photo')).count()).toBe(2);
    // Reopened once already: no second 重办 is offered.
    expect(await text(page, sel('case-rating'))).not.toContain('申请重办');
    await snap(page, 'cases-detail-rated');
  });

  it('shows the community board (from 我的诉求) without the reporter', async () => {
    const { page } = resident;
    await page.goto(`${server.url}/`);
    await page.click(sel('tile-cases'));
    await page.click(sel('cases-board'));
    await page.waitForURL('**/cases/board');
    await page.locator(sel('board-case')).first().waitFor();
    const board = await text(page, sel('case-board'));
    expect(board).toContain('暴露垃圾');
    expect(board).toContain('已评价');
    expect(board).toContain(DESCRIPTION);
    expect(board).toContain('翰林社区');
    // Never who reported: neither the number nor a name.
    expect(board).not.toContain(RESIDENT.slice(-4));
    const me = (await (await page.request.get(`${server.url}/api/v1/me`)).json()) as { displayName: string };
    if (me.displayName) expect(board).not.toContain(me.displayName);
    const api = (await (await fetch(`${server.url}/api/v1/cases/public?limit=50`)).json()) as CasePublicPage;
    expect(JSON.stringify(api)).not.toMatch(/reporter|phone/i);
    await snap(page, 'cases-board');
  });

  it('keeps a report made offline on the phone and sends it once when back online', async () => {
    const { page, context } = resident;
    await page.goto(`${server.url}/cases/report`);
    await expect.poll(() => text(page, sel('case-geo')), { timeout: 20_000 }).toContain('已获取手机定位');
    await pickCategory(page, '广告', '非法小广告');
    await page.locator(`${sel('case-description')} textarea`).fill(OFFLINE_DESCRIPTION);
    await page
      .locator(sel('case-photo-input'))
      .setInputFiles([{ name: 'poster.png', mimeType: 'image/png', buffer: PNG }]);
    await expect.poll(() => page.locator(sel('case-photo')).count()).toBe(1);
    // The pin, moved on the community's outline to the east of the phone's dot: the report goes there.
    const map = page.locator(sel('case-pin-map'));
    const box = (await map.boundingBox())!;
    const dot = (await page.locator(sel('case-pin-gps')).boundingBox())!;
    await map.click({
      position: { x: dot.x + dot.width / 2 - box.x + 30, y: dot.y + dot.height / 2 - box.y },
    });
    await page.locator(sel('case-pin-marker')).waitFor();

    await context.setOffline(true);
    await page.click(sel('case-submit'));
    await page.locator(sel('case-saved')).waitFor();
    expect(await text(page, sel('case-saved'))).toContain('已保存，联网后自动提交');
    const secretary = await staff('hanlin-secretary');
    const before = await call<CasePage>(secretary, 'GET', '/cases?categoryCode=0201&limit=50');
    expect(before.items.filter((i) => i.description === OFFLINE_DESCRIPTION)).toHaveLength(0);
    await snap(page, 'cases-saved-offline');

    await context.setOffline(false);
    await page.locator(sel('case-receipt')).waitFor({ timeout: 30_000 });
    expect(await text(page, sel('case-number'))).toMatch(new RegExp(`^510604-${beijingDay()}-\\d{4}$`));
    // Sent once, with the photo, and nothing is left on the phone to send again.
    await page.reload();
    await page.locator(sel('case-form')).waitFor();
    await page.waitForTimeout(1500);
    expect(await page.locator(sel('case-drafts')).count()).toBe(0);
    const after = await call<CasePage>(secretary, 'GET', '/cases?categoryCode=0201&limit=50');
    const sent = after.items.filter((i) => i.description === OFFLINE_DESCRIPTION);
    expect(sent).toHaveLength(1);
    const mine = await myCases(page);
    expect(mine.items.filter((i) => i.description === OFFLINE_DESCRIPTION)).toHaveLength(1);
    const kept = await residentCase(page, sent[0]!.id);
    expect(kept).toMatchObject({ community: { name: '翰林社区' }, category: { code: '0201' } });
    expect(kept.photos).toHaveLength(1);
    // Due east of the phone (same latitude within a pixel or two), a little way off.
    expect(kept.location!.lat).toBeCloseTo(SPOT.latitude, 3);
    expect(kept.location!.lng).toBeGreaterThan(SPOT.longitude + 0.0002);
    expect(kept.location!.lng).toBeLessThan(SPOT.longitude + 0.02);
  });

  it('says so plainly when the location is refused, and takes a typed address instead', async () => {
    const { page, context } = await phoneAt(null);
    await context.addCookies(await resident.context.cookies());
    await page.goto(`${server.url}/cases/report`);
    await expect.poll(() => text(page, sel('case-geo')), { timeout: 20_000 }).toContain('未获得定位权限');
    // No phone dot; the community's outline is still there to place a pin on by hand.
    expect(await page.locator(sel('case-pin-gps')).count()).toBe(0);
    await pickCategory(page, '噪声', '广场舞、音响等公共场所噪声');
    await page.locator(`${sel('case-description')} textarea`).fill('晚上十点后广场舞音响声音很大');
    await page.click(sel('case-submit'));
    expect(await text(page, sel('case-error'))).toContain('请获取手机定位或填写地址');
    await page.locator(`${sel('case-address')} input`).fill('万安镇翰林社区中心广场');
    expect(await page.locator(sel('case-error')).count()).toBe(0);
    await page.click(sel('case-hide-name'));
    await snap(page, 'cases-report-denied');
    await page.click(sel('case-submit'));
    await page.locator(sel('case-receipt')).waitFor();
    expect(await text(page, sel('case-receipt'))).toContain('翰林社区');
    await page.click(sel('case-view'));
    await page.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    const filed = await residentCase(page, page.url().split('/').pop()!);
    expect(filed).toMatchObject({ hideName: true, location: null, address: '万安镇翰林社区中心广场' });
    expect(filed.community?.name).toBe('翰林社区');
    await expect.poll(() => text(page, '.page'), { timeout: 10_000 }).toContain('（不公开姓名）');
    await context.close();
  });

  it('draws the community the phone is in: at home in 家和社区, standing in 翰林社区', async () => {
    const { page, context } = await phoneAt(SPOT);
    await signInHanlin(page, '13800000302', '家和社区');
    await page.goto(`${server.url}/cases/report`);
    await expect.poll(() => text(page, sel('case-geo')), { timeout: 20_000 }).toContain('已获取手机定位');
    // The server placed the phone in 翰林社区: its outline is drawn, with the phone's dot inside.
    await expect.poll(() => text(page, sel('case-pin')), { timeout: 10_000 }).toContain('您现在在翰林社区');
    const area = (await page.locator(`${sel('case-pin-map')} path.area`).boundingBox())!;
    const dot = (await page.locator(sel('case-pin-gps')).boundingBox())!;
    const [dx, dy] = [dot.x + dot.width / 2, dot.y + dot.height / 2];
    expect(dx).toBeGreaterThan(area.x);
    expect(dx).toBeLessThan(area.x + area.width);
    expect(dy).toBeGreaterThan(area.y);
    expect(dy).toBeLessThan(area.y + area.height);
    // The pin goes where the resident taps, beside the dot, inside the community: no warning.
    const map = (await page.locator(sel('case-pin-map')).boundingBox())!;
    await page.locator(sel('case-pin-map')).click({ position: { x: dx - map.x + 12, y: dy - map.y } });
    await page.locator(sel('case-pin-marker')).waitFor();
    expect(await page.locator(`${sel('case-pin')} .warn`).count()).toBe(0);
    await page.locator(sel('case-pin')).scrollIntoViewIfNeeded();
    await snap(page, 'cases-report-pin-elsewhere');
    await context.close();
  });
});

describe('the same pages at 1280×800', () => {
  it('photographs 我的诉求, a case, the board and the form on a desktop', async () => {
    const { page, context } = await phoneAt(SPOT, DESKTOP);
    await context.addCookies(await resident.context.cookies());
    await page.goto(`${server.url}/`);
    await page.locator(sel('tile-cases')).waitFor();
    await snap(page, 'cases-home');
    await page.goto(`${server.url}/cases`);
    await page.locator(sel('my-case')).first().waitFor();
    await snap(page, 'cases-mine');
    await page.goto(`${server.url}/cases/${caseId}`);
    await page.locator(sel('case-timeline')).waitFor();
    await snap(page, 'cases-detail-rated');
    await page.goto(`${server.url}/cases/board`);
    await page.locator(sel('board-case')).first().waitFor();
    await snap(page, 'cases-board');
    await page.goto(`${server.url}/cases/report`);
    await expect.poll(() => text(page, sel('case-geo')), { timeout: 20_000 }).toContain('已获取手机定位');
    await snap(page, 'cases-report-form');
    await context.close();
    await resident.context.close();
  });
});
