import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  beijing,
  DEMO_PASSWORD,
  DESKTOP,
  devOtp,
  launchBrowser,
  newPage,
  nextWorkingDay,
  PHONE,
  type RunningServer,
  SHOTS,
  shot,
  startServer,
  strictApiSession,
  still,
} from './harness';

/**
 * The console's 办件工作台 and 办件统计 against a real server: three applications of the resident
 * 13800000001 are made through the API (the flow through the UI is done-when.e2e.ts); one is
 * accepted, one has two recorded visits. jiahe-worker filters the queue, exports it as .xlsx (read
 * back here) and opens the statistics, whose charts ECharts draws after a lazy import. Shots at
 * 1280×800 and 360×740.
 */

let server: RunningServer;
let browser: Browser;
const sel = (name: string) => `[data-test="${name}"]`;
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let jiahe = '';
const ids: string[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const resident = strictApiSession(server);
  await resident('POST', '/auth/otp', { phone: '13800000001' });
  await resident('POST', '/auth/otp/verify', {
    phone: '13800000001',
    code: await devOtp(server, '13800000001'),
  });
  const me = await resident('GET', '/me');
  jiahe = me.homeOrgUnit.id;
  expect(me.homeOrgUnit.name).toBe('家和社区');
  const dibao = (await resident('GET', `/service-items?q=${encodeURIComponent('低保')}`)).items.find(
    (i: { name: string }) => i.name === '最低生活保障',
  );
  const direct = (await resident('GET', '/service-items?mode=direct&limit=1')).items[0];
  const apply = async (itemId: string, extra: Record<string, string> = {}) => {
    const form = new FormData();
    form.set('itemId', itemId);
    form.set('orgUnitId', jiahe);
    for (const [k, v] of Object.entries(extra)) form.set(k, v);
    // Every other required material is brought on the visit (the server refuses one left out).
    const { guide } = await resident('GET', `/service-items/${itemId}`);
    for (const m of guide.materials as { name: string; required: boolean }[])
      if (m.required && m.name !== '居民身份证（原件）') form.append('bringMaterials', m.name);
    form.append('materialName', '居民身份证（原件）');
    form.append('files', new Blob([PNG], { type: 'image/png' }), 'id.png');
    return (await resident('POST', '/applications', form)).id as string;
  };
  ids.push(await apply(dibao.id, { note: '代办低保' }));
  ids.push(await apply(dibao.id));
  ids.push(await apply(direct.id, { appointmentAt: beijing(await nextWorkingDay(server), '10:00') }));
  const worker = strictApiSession(server);
  await worker('POST', '/auth/login', { username: 'jiahe-worker', password: DEMO_PASSWORD });
  await worker('POST', `/applications/${ids[0]}/pre-review`, {});
  await worker('POST', `/applications/${ids[0]}/accept`, {});
  await worker('POST', `/applications/${ids[1]}/visits`, { note: '第一次' });
  await worker('POST', `/applications/${ids[1]}/visits`, { note: '第二次' });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function text(page: Page, selector: string) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
}

async function snap(page: Page, name: string, overlay = false) {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('.el-message')) el.remove();
  });
  await still(page);
  if (!overlay) return shot(page, name);
  const v = page.viewportSize();
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}-${v?.width}x${v?.height}.png`) });
}

async function signIn(page: Page, to: string) {
  await page.goto(`${server.url}/console${to}`);
  await page.locator('input[name=username]').fill('jiahe-worker');
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await page.locator(sel('login-submit')).click();
  await page.waitForURL(`**/console${to}`);
}

const rowCount = (page: Page) => page.locator('.el-table__row').count();

describe('办件工作台 and 办件统计 (1280×800)', () => {
  it('counts the queues, filters, and exports what it shows', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await signIn(page, '/applications');
    await expect.poll(() => rowCount(page)).toBe(3);
    await expect.poll(() => text(page, sel('queue-all'))).toMatch(/全部\s*3/);
    expect(await text(page, sel('queue-submitted'))).toMatch(/待预审\s*2/);
    expect(await text(page, sel('queue-accepted'))).toMatch(/办理中\s*1/);
    // The broken pledge is flagged on its row.
    expect(await page.locator('.el-table__row', { hasText: '多次跑动' }).count()).toBe(1);
    await snap(page, 'workbench');

    // Queue: 办理中.
    await page.locator(sel('queue-accepted')).click();
    await page.waitForURL(/status=accepted/);
    await expect.poll(() => rowCount(page)).toBe(1);
    await page.locator(sel('queue-all')).click();
    await expect.poll(() => rowCount(page)).toBe(3);

    // Only the applications with more than one trip.
    await page.locator(sel('application-trips-only')).click();
    await page.waitForURL(/trips=1/);
    await expect.poll(() => rowCount(page)).toBe(1);
    await expect.poll(() => text(page, sel('queue-all'))).toMatch(/全部\s*1/);
    await page.locator(sel('application-trips-only')).click();
    await expect.poll(() => rowCount(page)).toBe(3);

    // Item filter: the guide's search, pinyin initials included.
    await page.locator(`${sel('application-item-filter')} input`).fill('db');
    const option = page.locator('.el-select-dropdown__item:visible', { hasText: '最低生活保障' }).first();
    await option.waitFor();
    await option.click();
    await page.waitForURL(/itemId=/);
    await expect.poll(() => rowCount(page)).toBe(2);
    await snap(page, 'workbench-filtered');

    // Export with the same filters: two rows of 最低生活保障, names masked.
    const href = await page.locator(sel('application-export')).getAttribute('href');
    expect(href).toContain('itemId=');
    const bytes = await page.evaluate(async (url) => {
      const res = await fetch(url!);
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        data: [...new Uint8Array(await res.arrayBuffer())],
      };
    }, href);
    expect(bytes.status).toBe(200);
    expect(bytes.type).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(bytes.data) as unknown as ArrayBuffer);
    const rows: string[][] = [];
    wb.worksheets[0]!.eachRow((row) => {
      rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? '')));
    });
    expect(rows[0]!.slice(0, 4)).toEqual(['办件编号', '事项', '事项编码', '社区']);
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([ids[0], ids[1]].sort());
    expect(rows.slice(1).every((r) => r[1] === '最低生活保障' && r[3] === '家和社区')).toBe(true);

    // The drawer of the accepted one: its steps.
    await page.goto(`${server.url}/console/applications/${ids[0]}`);
    await page.locator(sel('application-status')).waitFor();
    expect(await text(page, sel('application-status'))).toBe('办理中');
    expect(
      (await page.locator(`${sel('application-actions')} button`).allInnerTexts()).map((s) => s.trim()),
    ).toEqual(['转交部门', '办结', '不予办理', '登记到场']);
    await snap(page, 'workbench-detail', true);
    // Refusing needs a reason: the dialog says so before anything is sent.
    await page.locator(sel('step-refuse')).click();
    await page.locator(sel('step-submit')).click();
    await expect.poll(() => text(page, sel('step-error'))).toContain('原因至少 2 个字');
    await snap(page, 'workbench-refuse', true);
    await context.close();
  });

  it('draws the statistics with Chinese labels', async () => {
    const { page, context } = await newPage(browser, DESKTOP);
    await signIn(page, '/application-stats');
    await expect.poll(() => text(page, sel('kpi-total'))).toContain('3');
    // (2 + 1 + 0 visits): two of three within one trip.
    expect(await text(page, sel('kpi-one-trip'))).toContain('66.7%');
    expect(await text(page, sel('kpi-handling'))).toContain('—');
    await expect.poll(() => page.locator(`${sel('chart')} canvas`).count()).toBe(4);
    // ECharts came as its own chunk, after the page.
    const scripts = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => e.name.split('/').pop() ?? ''),
    );
    expect(scripts.some((s) => s.startsWith('echarts-'))).toBe(true);
    await snap(page, 'application-stats');
    await context.close();
  });
});

describe('on a phone (360×740)', () => {
  it('shows the workbench as cards and the statistics stacked', async () => {
    const { page, context } = await newPage(browser, PHONE);
    await signIn(page, '/applications');
    await expect
      .poll(() => page.locator(`${sel('application-cards')} ${sel('application-row')}`).count())
      .toBe(3);
    await snap(page, 'workbench');
    await page
      .locator(`${sel('application-cards')} ${sel('application-row')}`)
      .first()
      .click();
    await page.locator(sel('application-status')).waitFor();
    await snap(page, 'workbench-detail', true);
    await page.goto(`${server.url}/console/application-stats`);
    await expect.poll(() => page.locator(`${sel('chart')} canvas`).count()).toBe(4);
    await snap(page, 'application-stats');
    await context.close();
  });
});
