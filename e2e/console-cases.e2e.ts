import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  axeViolations,
  beijing,
  DEMO_PASSWORD,
  DESKTOP,
  devOtp,
  launchBrowser,
  newPage,
  nextWorkingDay,
  PHONE,
  type RunningServer,
  shot,
  startServer,
  apiSession,
  strictApiSession,
  watchConsole,
  still,
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
let resident: ReturnType<typeof apiSession>;

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  resident = apiSession(server);
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
  await still(page);
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
    // ECharts geo: the secretary's 翰林社区 with its grids, the case as one point.
    const map = page.locator(sel('case-map'));
    await page.locator(`${sel('case-map')} canvas`).waitFor();
    await expect.poll(() => map.getAttribute('data-points')).toBe('1');
    expect(await map.getAttribute('data-level')).toBe('grid');
    expect(Number(await map.getAttribute('data-regions'))).toBeGreaterThan(0);
    await page.locator('.point-list summary').click();
    const listed = page.locator(sel('map-point'));
    expect(await listed.count()).toBe(1);
    expect(await listed.getAttribute('data-status')).toBe('closed');
    // Hovering where the point is drawn shows its tooltip.
    await expect.poll(() => listed.getAttribute('data-x')).toMatch(/^\d+$/);
    const box = (await map.boundingBox())!;
    const [px, py] = [
      Number(await listed.getAttribute('data-x')),
      Number(await listed.getAttribute('data-y')),
    ];
    expect(px).toBeGreaterThan(0);
    expect(px).toBeLessThan(box.width);
    expect(py).toBeGreaterThan(0);
    expect(py).toBeLessThan(box.height);
    await page.mouse.move(box.x + px, box.y + py);
    await expect.poll(() => text(page, sel('case-map'))).toContain(caseNumber);
    await snap(page, 'console-case-map');
    // Zoom in with the wheel: the point moves with the map and stays listed.
    await page.mouse.wheel(0, -400);
    await expect.poll(() => listed.getAttribute('data-x')).not.toBe(String(px));
    // The heat layer instead of points, and back.
    await page.locator(sel('map-layer')).getByText('热力').click();
    await expect.poll(() => map.getAttribute('data-heat')).toBe('1');
    expect(await map.getAttribute('data-points')).toBe('0');
    await snap(page, 'console-case-map-heat');
    await page.locator(sel('map-layer')).getByText('点位').click();
    await expect.poll(() => map.getAttribute('data-points')).toBe('1');

    // The case from the map: its place by the boundaries, the reporter's text, a small map, 导航.
    await listed.click();
    await expect.poll(() => text(page, sel('case-number'))).toBe(caseNumber);
    await expect.poll(() => text(page, sel('case-place'))).toMatch(/^万安镇 · 翰林社区 · \S+/);
    expect(await text(page, sel('case-reporter-address'))).toContain('万安镇翰林社区3栋');
    await page.locator(sel('case-spot-boundary')).waitFor();
    const spotArea = (await page.locator(sel('case-spot-boundary')).boundingBox())!;
    const spotPin = (await page.locator(sel('case-spot-pin')).boundingBox())!;
    expect(spotPin.x + spotPin.width / 2).toBeGreaterThan(spotArea.x);
    expect(spotPin.x + spotPin.width / 2).toBeLessThan(spotArea.x + spotArea.width);
    // WGS-84 31.3175 N, 104.5062 E as each app expects it: GCJ-02 for AMap and Tencent, BD-09 for Baidu.
    const href = (app: string) => page.locator(sel(`navigate-${app}`)).getAttribute('href');
    expect(await href('amap')).toMatch(/^https:\/\/uri\.amap\.com\/marker\?position=104\.508728,31\.315243&/);
    expect(await href('baidu')).toMatch(
      /^https:\/\/api\.map\.baidu\.com\/marker\?location=31\.321502,104\.515145&/,
    );
    expect(await href('tencent')).toMatch(
      /^https:\/\/apis\.map\.qq\.com\/uri\/v1\/marker\?marker=coord:31\.315243,104\.508728;/,
    );
    // The link opens the map app's page in a new tab (answered here: the machine is offline).
    await context.route('https://uri.amap.com/**', (r) =>
      r.fulfill({ status: 200, contentType: 'text/html', body: '<title>amap</title>' }),
    );
    const [tab] = await Promise.all([page.waitForEvent('popup'), page.locator(sel('navigate-amap')).click()]);
    await tab.waitForLoadState();
    expect(tab.url()).toContain('uri.amap.com/marker?position=104.508728,31.315243');
    await tab.close();
    await page.locator(sel('case-spot')).scrollIntoViewIfNeeded();
    await snap(page, 'console-case-spot');
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
    // The case opened from the 督办 queue (a drawer over it).
    await page.goto(`${server.url}/console/case-supervision/${caseId}`);
    await expect.poll(() => text(page, sel('case-number'))).toBe(caseNumber);
    await page.waitForLoadState('networkidle');
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await expectAccessible(page, { label: 'console-case-supervision-detail' });
    await context.close();
  });

  it('shows the board as cards on a phone', async () => {
    const { page, context } = await newPage(browser, PHONE);
    await signIn(page, 'hanlin-secretary', '/cases');
    await page.locator(sel('case-row')).first().waitFor();
    expect(await text(page, sel('case-cards'))).toContain(caseNumber);
    await snap(page, 'console-case-board');
    // The case on a phone: its place, the small map and the 导航 links fit the drawer.
    await page.goto(`${server.url}/console/cases/${caseId}`);
    await page.locator(sel('case-spot-boundary')).waitFor();
    expect(await text(page, sel('case-place'))).toMatch(/^万安镇 · 翰林社区/);
    const nav = (await page.locator(sel('case-navigate')).boundingBox())!;
    expect(nav.x + nav.width).toBeLessThanOrEqual(360);
    await page.locator(sel('case-spot')).scrollIntoViewIfNeeded();
    await snap(page, 'console-case-spot');
    await context.close();
  });
});

/**
 * Issue #16, "a workbench per role": the console home shows each person what they have to do now,
 * as counts that open the filtered list. More work is put in first, through the API: five more
 * reports in 翰林社区 left at 已上报, 已立案, 已派遣 (督办 by 万安镇), 已签收 and 已处置; the first
 * case rated; two 最低生活保障 applications of the resident (one forwarded to 罗江区民政局); an
 * office-hour session of 民政局. The demo data holds admission requests and tasks.
 */
describe('the 工作台 per role (1280×800 and 360×740)', () => {
  beforeAll(async () => {
    const secretary = await staffSession('hanlin-secretary');
    const squad1 = await staffSession('hanlin-squad1');
    const town = await staffSession('wanan-admin');
    const minzheng = await staffSession('minzheng-staff');
    await resident('POST', `/cases/${caseId}/rate`, { rating: 'satisfied' });
    const report = async (description: string) => {
      const form = new FormData();
      form.set('categoryCode', '0201');
      form.set('description', description);
      form.set('lat', '31.3175');
      form.set('lng', '104.5062');
      form.append('photos', new Blob([PNG], { type: 'image/png' }), 'before.png');
      const res = await resident('POST', '/cases', form);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    const ids: string[] = [];
    for (const what of [
      '楼道堆放杂物堵塞消防通道',
      '路灯不亮已经一周',
      '小区门口占道经营',
      '垃圾桶满溢无人清运',
      '绿化带被踩踏',
    ])
      ids.push(await report(what));
    const [, registered, dispatched, accepted, handled] = ids as [string, string, string, string, string];
    for (const id of [registered, dispatched, accepted, handled])
      await secretary('POST', `/cases/${id}/register`, {});
    for (const id of [dispatched, accepted, handled]) await secretary('POST', `/cases/${id}/dispatch`, {});
    for (const id of [accepted, handled]) await squad1('POST', `/cases/${id}/accept`, {});
    await squad1('POST', `/cases/${handled}/start`, {});
    const form = new FormData();
    form.set('note', '已清运');
    form.append('photos', new Blob([PNG], { type: 'image/png' }), 'after.png');
    await squad1('POST', `/cases/${handled}/handle`, form);
    await town('POST', `/cases/${dispatched}/supervise`, { note: '居民多次反映，请尽快处置' });

    // Applications: one waiting for 预审, one forwarded to 民政局.
    const hanlin = (await secretary('GET', '/me')).grants[0].orgUnit.id as string;
    const dibao = (await resident('GET', `/service-items?q=${encodeURIComponent('低保')}`)).body.items.find(
      (i: { name: string }) => i.name === '最低生活保障',
    );
    // The ID card is uploaded; the other required materials are brought on the visit.
    const { guide } = (await resident('GET', `/service-items/${dibao.id}`)).body as {
      guide: { materials: { name: string; required: boolean }[] };
    };
    const apply = async () => {
      const f = new FormData();
      f.set('itemId', dibao.id);
      f.set('orgUnitId', hanlin);
      for (const m of guide.materials)
        if (m.required && m.name !== '居民身份证（原件）') f.append('bringMaterials', m.name);
      f.append('materialName', '居民身份证（原件）');
      f.append('files', new Blob([PNG], { type: 'image/png' }), 'id.png');
      const res = await resident('POST', '/applications', f);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    await apply();
    const forwarded = await apply();
    await secretary('POST', `/applications/${forwarded}/pre-review`, {});
    await secretary('POST', `/applications/${forwarded}/accept`, {});
    await secretary('POST', `/applications/${forwarded}/forward`, {});
    const day = await nextWorkingDay(server);
    await minzheng('POST', '/office-hours', {
      orgUnitId: hanlin,
      startsAt: beijing(day, '09:00'),
      endsAt: beijing(day, '11:30'),
      place: '翰林社区党群服务中心一楼',
      itemIds: [dibao.id],
      capacity: 8,
    });
  });

  /** The cards each person must see with work in them (the counts are the API tests' business). */
  const ROLES: [string, string, string[]][] = [
    ['hanlin-squad2', 'squad', ['cases.toAccept', 'cases.toHandle', 'cases.toVerify']],
    [
      'hanlin-secretary',
      'secretary',
      [
        'cases.toRegister',
        'cases.toDispatch',
        'cases.toVerify',
        'service-guide.toPreReview',
        'admission.tasksOpen',
      ],
    ],
    ['minzheng-staff', 'department', ['service-guide.forwarded', 'service-guide.officeHours']],
    ['admin', 'district', ['cases.supervised', 'cases.toRegister', 'admission.toReview', 'cases.onTimeRate']],
  ];

  const count = async (page: Page, id: string) =>
    Number(await page.locator(sel(`card-${id}`)).getAttribute('data-count'));

  it.each(ROLES)(
    'shows %s their own to-dos with counts, on a desktop and on a phone',
    async (user, name, expected) => {
      for (const size of [DESKTOP, PHONE]) {
        const { page, context } = await newPage(browser, size);
        const errors = watchConsole(page);
        await signIn(page, user, '/');
        await page.locator(sel('workbench-todos')).first().waitFor();
        for (const id of expected.filter((x) => x !== 'cases.onTimeRate'))
          expect({ id, n: await count(page, id) }).toMatchObject({ id, n: expect.any(Number) });
        for (const id of expected.filter((x) => x !== 'cases.onTimeRate'))
          expect({ user, id, positive: (await count(page, id)) > 0 }).toEqual({ user, id, positive: true });
        if (expected.includes('cases.onTimeRate'))
          expect(await text(page, sel('card-cases.onTimeRate'))).toMatch(/100\.0%/);
        expect(await axeViolations(page, ['.home'])).toEqual([]);
        await snap(page, `console-workbench-${name}`);
        expect(errors()).toEqual([]);
        await context.close();
      }
    },
  );

  it('opens the filtered list from a card, and leaves 我的任务 out of the menu of someone in no squad', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await signIn(page, 'hanlin-squad2', '/');
    await page.locator(sel('card-cases.toAccept')).waitFor();
    expect(await text(page, '.side-menu')).toContain('我的任务');
    const n = await count(page, 'cases.toAccept');
    await page.locator(sel('card-cases.toAccept')).click();
    await page.waitForURL(/\/case-tasks\?status=dispatched/);
    await expect.poll(() => page.locator(sel('case-row')).count()).toBe(n);
    await context.close();

    const admin = await newPage(browser, DESKTOP);
    await signIn(admin.page, 'admin', '/');
    await admin.page.locator(sel('workbench-todos')).first().waitFor();
    expect(await text(admin.page, '.side-menu')).toContain('派遣台');
    expect(await text(admin.page, '.side-menu')).not.toContain('我的任务');
    const supervised = await count(admin.page, 'cases.supervised');
    await admin.page.locator(sel('card-cases.supervised')).click();
    await admin.page.waitForURL(/\/case-supervision/);
    await expect.poll(() => admin.page.locator(sel('case-row')).count()).toBe(supervised);
    await admin.context.close();
  });
});
