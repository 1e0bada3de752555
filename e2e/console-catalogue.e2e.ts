import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectConsoleError,
  expectAccessible,
  DEMO_PASSWORD,
  DESKTOP,
  launchBrowser,
  newPage,
  PHONE,
  ROOT,
  type RunningServer,
  SHOTS,
  shot,
  startServer,
  still,
} from './harness';

/**
 * The console's service catalogue pages in a real browser: an administrator edits an item's
 * materials and promised time limit (a server validation error lands on the material row),
 * saves a draft, publishes it and reads the history; adds and edits a search synonym; exports
 * and imports the catalogue as .xlsx; a community secretary changes what the service room
 * offers and its hours. Screenshots of every page at 1280×800 and 360×740.
 */

// exceljs is the server's dependency: load it from there to build the import workbooks.
const ExcelJS = createRequire(path.join(ROOT, 'apps/server/package.json'))(
  'exceljs',
) as typeof import('exceljs');

/** Saving, publishing and 100-odd offering calls take a while on a busy machine. */
const SLOW = { timeout: 30_000, interval: 100 };

let server: RunningServer;
let browser: Browser;

interface Detail {
  id: string;
  code: string;
  version: number;
  guide: {
    name: string;
    promisedTimeLimitWorkingDays: number | null;
    statutoryTimeLimitDays: number | null;
    materials: { name: string }[];
  };
  offering: { location: string; hours: string; phone: string | null } | null;
}

async function api<T>(url: string): Promise<T> {
  const res = await fetch(`${server.url}/api/v1${url}`);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
}

/** A GET with the page's session (the console's cookies). */
async function authed<T>(page: Page, url: string): Promise<T> {
  return page.evaluate(async (u) => {
    const res = await fetch(`/api/v1${u}`);
    if (!res.ok) throw new Error(`${u}: ${res.status}`);
    return (await res.json()) as T;
  }, url);
}

/** An Element Plus input by its data-test: on the <input> itself (el-input) or on a wrapper. */
const field = (name: string) => `input[data-test=${name}], [data-test=${name}] input`;

async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}

/** Screenshot without toasts, scrolled to the top; overlays are taken at the viewport. */
async function capture(page: Page, name: string, options: { overlay?: boolean } = {}) {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('.el-message')) el.remove();
  });
  await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
  await still(page);
  await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
  if (!options.overlay) return shot(page, name);
  const v = page.viewportSize();
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}-${v?.width}x${v?.height}.png`) });
}

async function signIn(page: Page, username: string, to: string) {
  await page.goto(`${server.url}/console${to}`);
  await page.waitForURL(/\/console\/login/);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL((u) => u.pathname === `/console${to}`);
}

async function confirmBox(page: Page) {
  await page.locator('.el-message-box__btns .el-button--primary').click();
}

/** Expect no element wider than the viewport (nothing overflowing sideways). */
async function expectNoSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);
}

/** A catalogue workbook with the given rows, header named like the export's. */
async function workbook(rows: Record<string, string | number>[]): Promise<string> {
  const columns = ['code', 'mode', 'name', 'department', 'itemType', 'caseType', 'onsiteVisits', 'materials'];
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('catalogue');
  sheet.columns = columns.map((c) => ({ header: c, key: c }));
  for (const r of rows) sheet.addRow(r);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'linli-xlsx-')), 'catalogue.xlsx');
  await wb.xlsx.writeFile(file);
  return file;
}

let item: Detail;
const NEW_MATERIAL = '参保人员近期一寸免冠照片';
const SYNONYM = '蓝莓芝士';
const SYNONYM_2 = '抹茶拿铁';

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const [first] = (await api<{ items: { id: string }[] }>('/service-items?mode=direct&limit=1')).items;
  item = await api<Detail>(`/service-items/${first!.id}`);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('console service catalogue', () => {
  it('edits an item: a server error on the material row, then draft, publish and history', async () => {
    expect(item.guide.materials.length).toBeGreaterThanOrEqual(2);
    // A 即办件 done on the spot: the edit below promises 3 working days instead.
    expect(item.guide.promisedTimeLimitWorkingDays).toBe(0);
    const { context, page } = await newPage(browser, DESKTOP);
    await signIn(page, 'admin', '/catalogue');
    const table = page.locator('[data-test=catalogue-table]');
    await table.locator('.el-table__row').first().waitFor();
    expect(await table.locator('.el-table__row').count()).toBe(20);
    await capture(page, 'console-catalogue');

    // Filter by mode, then find the item by code.
    await page.locator('[data-test=catalogue-mode]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '代办' }).click();
    await page.waitForURL(/mode=proxy/);
    await expect
      .poll(async () =>
        (await table.locator('.el-table__row').allTextContents()).every((r) => r.includes('代办')),
      )
      .toBe(true);
    await page.locator(field('catalogue-q')).first().fill(item.code);
    await page.locator(field('catalogue-q')).first().press('Enter');
    await page.waitForURL(new RegExp(`q=${item.code}`));
    // A direct item does not match the proxy filter; reset the filters and search again.
    await expect.poll(() => table.locator('.el-table__row').count(), SLOW).toBe(0);
    await page.goto(`${server.url}/console/catalogue?q=${item.code}`);
    const row = table.locator('.el-table__row', { hasText: item.guide.name });
    await row.waitFor();
    await row.click();
    await page.waitForURL(new RegExp(`/console/catalogue/${item.id}$`));
    const editor = page.locator('[data-test=catalogue-editor]');
    await expect
      .poll(() => page.locator(field('material-name-0')).first().inputValue(), SLOW)
      .toBe(item.guide.materials[0]!.name);
    expect(await text(page.locator('[data-test=editor-status]'))).toContain(`现行 v${item.version}`);
    await capture(page, 'console-catalogue-editor');

    // Two materials with the same name and a promised limit over the statutory one: the server
    // refuses, and each error shows at its own field (the material's row, the promised limit).
    await page.locator(field('material-name-1')).first().fill(item.guide.materials[0]!.name);
    await page.locator(field('statutory-days')).first().fill('2');
    await page.locator(field('promised-days')).first().fill('3');
    await page.locator(field('promised-days')).first().blur();
    expectConsoleError(/status of 400 .*\/api\/v1\/service-items\/[^/]+\/draft\)$/);
    await page.locator('[data-test=item-save]').click();
    const rowError = page.locator('[data-test=material-error-1]');
    await rowError.waitFor();
    expect(await text(rowError)).toBe('材料名称与其他材料重复');
    const promisedItem = page.locator('.el-form-item', { has: page.locator(field('promised-days')) });
    expect(await text(promisedItem.locator('.el-form-item__error'))).toBe('承诺时限不能超过法定时限');
    expect(
      await page
        .locator('.el-form-item', { has: page.locator(field('statutory-days')) })
        .locator('.el-form-item__error')
        .count(),
    ).toBe(0);
    await capture(page, 'console-catalogue-editor-errors');
    expect(await text(page.locator('[data-test=editor-error]'))).toContain('提交的内容有误');
    expect(await page.locator('[data-test=material-error-0]').count()).toBe(0);
    expect(
      (await authed<{ draftVersion: number | null }>(page, `/service-items/${item.id}/draft`)).draftVersion,
    ).toBeNull();

    // Fix it, change the promised time limit, save the draft.
    await page.locator(field('material-name-1')).first().fill(NEW_MATERIAL);
    await page.locator(field('material-copies-1')).first().fill('2');
    await page.locator(field('statutory-days')).first().fill('');
    await page.locator(field('statutory-days')).first().blur();
    await page.locator('input[name=changeNote]').fill('照片材料、承诺时限调整');
    await page.locator('[data-test=dirty]').waitFor();
    await page.locator('[data-test=item-save]').click();
    await expect
      .poll(() => text(page.locator('[data-test=editor-status]')), SLOW)
      .toContain(`草稿 v${item.version + 1} 待发布`);
    expect(await page.locator('[data-test=material-error-1]').count()).toBe(0);
    // (the tag fades out)
    await expect.poll(() => page.locator('[data-test=dirty]').count(), SLOW).toBe(0);
    // The draft is not live yet.
    const beforePublish = await api<Detail>(`/service-items/${item.id}`);
    expect(beforePublish.version).toBe(item.version);
    expect(beforePublish.guide.materials.map((m) => m.name)).not.toContain(NEW_MATERIAL);

    // The list's status filter finds exactly this item as waiting to be published.
    await page.goto(`${server.url}/console/catalogue`);
    await table.locator('.el-table__row').first().waitFor();
    await page.locator('[data-test=catalogue-status]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '有待发布的草稿' }).click();
    await page.waitForURL(/status=has-draft/);
    await expect.poll(() => table.locator('.el-table__row').count(), SLOW).toBe(1);
    const draftRow = table.locator('.el-table__row').first();
    expect(await text(draftRow)).toContain(item.guide.name);
    expect(await text(draftRow.locator('[data-test=draft-tag]'))).toBe(`草稿 v${item.version + 1}`);
    // The columns show what is live until the draft is published.
    expect(await text(draftRow)).toContain('当场办结');
    await draftRow.click();
    await page.waitForURL(new RegExp(`/console/catalogue/${item.id}$`));
    await expect
      .poll(() => page.locator(field('material-name-1')).first().inputValue(), SLOW)
      .toBe(NEW_MATERIAL);

    // Publish, through the confirm dialog.
    await page.locator('[data-test=item-publish]').click();
    await page.locator('.el-message-box').waitFor();
    await capture(page, 'console-catalogue-publish', { overlay: true });
    await confirmBox(page);
    await expect
      .poll(() => text(page.locator('[data-test=editor-status]')), SLOW)
      .toContain(`现行 v${item.version + 1}`);
    expect(await text(page.locator('[data-test=editor-status]'))).not.toContain('待发布');

    const live = await api<Detail & { guide: { materials: { name: string; copies: number }[] } }>(
      `/service-items/${item.id}`,
    );
    expect(live.version).toBe(item.version + 1);
    expect(live.guide.promisedTimeLimitWorkingDays).toBe(3);
    // "No statutory limit" stays null (not 0 days) through the form and the API.
    expect(live.guide.statutoryTimeLimitDays).toBeNull();
    expect(live.guide.materials[1]).toMatchObject({ name: NEW_MATERIAL, copies: 2 });
    expect(live.guide.materials[0]!.name).toBe(item.guide.materials[0]!.name);

    // History: both versions, who and when; the old one opens with its old content.
    const history = await authed<{ items: { version: number; createdByName: string | null }[] }>(
      page,
      `/service-items/${item.id}/versions`,
    );
    expect(history.items.map((v) => v.version)).toEqual([item.version + 1, item.version]);
    await editor.locator('.el-tabs__item', { hasText: '历史版本' }).click();
    const rows = page.locator('[data-test=history-table] .el-table__body-wrapper .el-table__row');
    await expect.poll(() => rows.count(), SLOW).toBe(2);
    const newest = await text(rows.first());
    expect(newest).toContain(`v${item.version + 1}`);
    expect(newest).toContain('现行');
    expect(newest).toContain('照片材料、承诺时限调整');
    expect(newest).toContain(history.items[0]!.createdByName!);
    expect(await text(rows.nth(1))).toContain('历史');
    await capture(page, 'console-catalogue-history');
    await page.locator(`[data-test=version-open-${item.version}]`).click();
    const drawer = page.locator('.el-drawer', { hasText: `v${item.version} ·` });
    await drawer.waitFor();
    const oldMaterials = await text(drawer.locator('[data-test=version-materials]'));
    expect(oldMaterials).toContain(item.guide.materials[1]!.name);
    expect(oldMaterials).not.toContain(NEW_MATERIAL);
    await capture(page, 'console-catalogue-version', { overlay: true });
    await context.close();
  });

  it('creates a new item: a taken code is refused on its field, then it is created and published', async () => {
    const { context, page } = await newPage(browser, DESKTOP);
    await signIn(page, 'admin', '/catalogue');
    await page.locator('[data-test=catalogue-create]').click();
    await page.waitForURL(/\/console\/catalogue\/new$/);
    await page.locator('input[name=code]').fill(item.code);
    await page.locator('.el-radio-button', { hasText: '代办' }).click();
    await page.locator('input[name=name]').fill('端到端新建代办事项');
    await page.locator('.el-form-item', { hasText: '实施部门' }).locator('.el-select').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '罗江区民政局' }).click();
    await page.locator(field('material-name-0')).first().fill('居民户口簿');
    // The code is taken: the server's 409 shows on the code field.
    expectConsoleError(/status of 409 .*\/api\/v1\/service-items\)$/);
    await page.locator('[data-test=item-save]').click();
    const codeItem = page.locator('.el-form-item', { has: page.locator('input[name=code]') });
    await expect
      .poll(() => text(codeItem.locator('.el-form-item__error')), SLOW)
      .toBe('已有事项使用这个目录编码');
    expect(page.url()).toMatch(/\/catalogue\/new$/);
    await expectAccessible(page);

    await page.locator('input[name=code]').fill('E2E10');
    await page.locator('[data-test=item-save]').click();
    await page.waitForURL(/\/console\/catalogue\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop()!;
    await expect.poll(() => text(page.locator('[data-test=item-status]')), SLOW).toBe('未发布');
    expect(await text(page.locator('[data-test=editor-status]'))).toContain('草稿 v1 待发布');
    expect((await fetch(`${server.url}/api/v1/service-items/${id}`)).status).toBe(404);
    await page.locator('[data-test=item-publish]').click();
    await confirmBox(page);
    await expect.poll(() => text(page.locator('[data-test=editor-status]')), SLOW).toContain('现行 v1');
    const created = await api<Detail & { mode: string }>(`/service-items/${id}`);
    expect(created).toMatchObject({ code: 'E2E10', mode: 'proxy' });
    expect(created.guide).toMatchObject({ name: '端到端新建代办事项', materials: [{ name: '居民户口簿' }] });
    await context.close();
  });

  it('adds and edits a search synonym that the public search uses at once', async () => {
    const { context, page } = await newPage(browser, DESKTOP);
    await signIn(page, 'admin', '/catalogue-synonyms');
    await page.locator('[data-test=synonym-row]').first().waitFor();
    const before = await page.locator('[data-test=synonym-row]').count();
    const searchIds = async (q: string) =>
      (await api<{ items: { id: string }[] }>(`/service-items?q=${encodeURIComponent(q)}&limit=5`)).items.map(
        (i) => i.id,
      );
    expect(await searchIds(SYNONYM)).not.toContain(item.id);

    await page.locator('[data-test=synonym-add]').click();
    const dialog = page.locator('[data-test=synonym-dialog]');
    const tagInput = dialog.locator(field('synonym-terms')).first();
    await tagInput.fill(SYNONYM);
    await tagInput.press('Enter');
    await tagInput.fill(item.guide.name);
    await tagInput.press('Enter');
    await capture(page, 'console-catalogue-synonym-dialog', { overlay: true });
    await dialog.locator('[data-test=synonym-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.locator('[data-test=synonym-row]').count(), SLOW).toBe(before + 1);
    const added = page.locator('[data-test=synonym-row]', { hasText: SYNONYM });
    expect(await text(added)).toContain(item.guide.name);
    expect(await searchIds(SYNONYM)).toContain(item.id);

    // Edit: a third word joins the group.
    await added.locator('[data-test=synonym-edit]').click();
    await dialog.waitFor();
    await tagInput.fill(SYNONYM_2);
    await tagInput.press('Enter');
    await dialog.locator('[data-test=synonym-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => text(page.locator('[data-test=synonym-row]', { hasText: SYNONYM })), SLOW)
      .toContain(SYNONYM_2);
    expect(await page.locator('[data-test=synonym-row]').count()).toBe(before + 1);
    expect(await searchIds(SYNONYM_2)).toContain(item.id);
    await capture(page, 'console-catalogue-synonyms');
    await context.close();
  });

  it('exports the catalogue as .xlsx and rejects an import with a bad row, listing it', async () => {
    const { context, page } = await newPage(browser, DESKTOP);
    await signIn(page, 'admin', '/catalogue');
    await page.locator('[data-test=catalogue-table] .el-table__row').first().waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-test=catalogue-export]').click(),
    ]);
    expect(download.suggestedFilename()).toBe('service-items.xlsx');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'linli-export-')), 'export.xlsx');
    await download.saveAs(file);
    const exported = new ExcelJS.Workbook();
    await exported.xlsx.readFile(file);
    const sheet = exported.worksheets[0]!;
    // A header, the 125 seeded items and the one created above.
    expect(sheet.rowCount).toBe(127);
    const codes = sheet.getColumn(1).values.slice(2).map(String);
    const itemRow = sheet.getRow(codes.indexOf(item.code) + 2);
    expect(String(itemRow.getCell(12).value)).toContain(NEW_MATERIAL);

    // A file with one good and one bad row: nothing is imported, the bad row is listed.
    const bad = await workbook([
      {
        code: 'E2E01',
        mode: 'direct',
        name: '端到端导入测试事项',
        department: '罗江区民政局',
        itemType: '公共服务',
        caseType: '即办件',
        onsiteVisits: 1,
        materials: '居民身份证|原件|1|是',
      },
      {
        code: 'E2E02',
        mode: 'walk-in',
        name: '端到端坏行',
        department: '不存在的局',
        itemType: '公共服务',
        caseType: '即办件',
        onsiteVisits: 'x',
      },
    ]);
    await page.locator('[data-test=catalogue-import]').click();
    const dialog = page.locator('[data-test=import-dialog]');
    await dialog.locator('[data-test=import-file]').setInputFiles(bad);
    // The server refuses the whole workbook (422) and the dialog lists the bad rows.
    expectConsoleError(/status of 422 .*\/api\/v1\/service-items\/import\?publish=false\)$/);
    await dialog.locator('[data-test=import-submit]').click();
    const report = dialog.locator('[data-test=import-report]');
    await report.waitFor();
    const reportText = await text(report);
    expect(reportText).toContain('1 行有误（共 3 处），未导入任何内容');
    const reportRows = report.locator('.el-table__body-wrapper .el-table__row');
    expect(await reportRows.count()).toBe(3);
    const lines = await reportRows.allTextContents();
    expect(lines.every((l) => l.startsWith('3'))).toBe(true);
    expect(lines.join('\n')).toContain('只能是 direct（直接办理）或 proxy（代办），不能是“walk-in”');
    expect(lines.join('\n')).toContain('没有名为“不存在的局”的部门');
    expect(lines.join('\n')).toContain('到现场次数（onsiteVisits）');
    await capture(page, 'console-catalogue-import-report', { overlay: true });
    const afterBad = await authed<{ items: unknown[] }>(page, '/service-items/admin?q=E2E0');
    expect(afterBad.items).toEqual([]);

    // The good row alone imports, as a draft.
    const good = await workbook([
      {
        code: 'E2E01',
        mode: 'direct',
        name: '端到端导入测试事项',
        department: '罗江区民政局',
        itemType: '公共服务',
        caseType: '即办件',
        onsiteVisits: 1,
        materials: '居民身份证|原件|1|是',
      },
    ]);
    await dialog.locator('[data-test=import-file]').setInputFiles(good);
    await dialog.locator('[data-test=import-submit]').click();
    const result = dialog.locator('[data-test=import-result]');
    await result.waitFor();
    expect(await text(result)).toContain('新建 1 项，更新 0 项，均为待发布的草稿');
    expect(await dialog.locator('[data-test=import-report]').count()).toBe(0);
    const afterGood = await authed<{ items: { code: string; status: string; draftVersion: number }[] }>(
      page,
      '/service-items/admin?q=E2E0',
    );
    expect(afterGood.items).toEqual([
      expect.objectContaining({ code: 'E2E01', status: 'draft', draftVersion: 1 }),
    ]);
    await context.close();
  });

  it('lets the 翰林社区 secretary change what the service room offers and its hours', async () => {
    const { context, page } = await newPage(browser, DESKTOP);
    await signIn(page, 'hanlin-secretary', '/offerings');
    expect(await text(page.locator('.page-head'))).toContain('翰林社区');
    // The catalogue itself is the district's: not in this menu, and forbidden by URL.
    const menu = await text(page.locator('.side-menu'));
    expect(menu).toContain('便民服务室事项');
    expect(menu).not.toContain('办事目录');
    expect(menu).not.toContain('搜索同义词');
    const list = page.locator('[data-test=offerings-list]');
    const box = list.locator(`[data-test=offer-${item.code}]`);
    await box.waitFor();
    expect(await box.locator('input').isChecked()).toBe(true);
    const hanlin = await page.evaluate(async () => {
      const res = await fetch('/api/v1/me');
      const me = (await res.json()) as { grants: { orgUnit: { id: string; name: string } }[] };
      return me.grants.find((g) => g.orgUnit.name === '翰林社区')!.orgUnit.id;
    });
    // Another item this room offers, to see the new hours on.
    const offered = await authed<{ items: { itemId: string; active: boolean }[] }>(
      page,
      `/org-units/${hanlin}/offerings`,
    );
    const other = offered.items.find((o) => o.active && o.itemId !== item.id)!;
    const hoursInput = page.locator('input[name=hours]');
    await expect.poll(() => hoursInput.inputValue(), SLOW).not.toBe('');
    await capture(page, 'console-offerings');

    const NEW_HOURS = '工作日 8:30–12:00，14:00–18:00；周六上午 9:00–12:00';
    await hoursInput.fill(NEW_HOURS);
    await page.locator('input[name=phone]').fill('0838-3100000');
    await box.click();
    expect(await box.locator('input').isChecked()).toBe(false);
    expect(await text(page.locator('[data-test=offerings-save]'))).toContain('(2)');
    await page.locator('[data-test=offerings-save]').click();
    await expect
      .poll(() => text(page.locator('.el-message').last()), SLOW)
      .toContain('已保存：新增 0 项，停办 1 项');
    await expect.poll(() => text(page.locator('[data-test=offerings-save]')), SLOW).not.toContain('(');

    // What residents see: the item is no longer offered here; another one has the new hours.
    const dropped = await api<Detail>(`/service-items/${item.id}?orgUnitId=${hanlin}`);
    expect(dropped.offering).toBeNull();
    const kept = await api<Detail>(`/service-items/${other.itemId}?orgUnitId=${hanlin}`);
    expect(kept.offering).toMatchObject({ hours: NEW_HOURS, phone: '0838-3100000' });
    // After a reload the page shows the saved state.
    await page.reload();
    await box.waitFor();
    expect(await box.locator('input').isChecked()).toBe(false);
    await expect.poll(() => hoursInput.inputValue(), SLOW).toBe(NEW_HOURS);
    await page.goto(`${server.url}/console/catalogue`);
    await page.waitForURL(/\/console\/forbidden$/);
    await context.close();
  });

  it('fits a phone screen (360×740) on every catalogue page', async () => {
    const admin = await newPage(browser, PHONE);
    await signIn(admin.page, 'admin', '/catalogue');
    await admin.page.locator('[data-test=catalogue-cards] .card').first().waitFor();
    // Published: the list now shows the new promised time limit.
    expect(
      await text(admin.page.locator('[data-test=catalogue-cards] .card', { hasText: item.code })),
    ).toContain('承诺 3 个工作日');
    await expectNoSidewaysScroll(admin.page);
    await capture(admin.page, 'console-catalogue');
    await admin.page.goto(`${server.url}/console/catalogue/${item.id}`);
    await admin.page.locator(field('material-name-0')).first().waitFor();
    await expectNoSidewaysScroll(admin.page);
    await capture(admin.page, 'console-catalogue-editor');
    await admin.page.locator('.el-tabs__item', { hasText: '历史版本' }).click();
    const cards = admin.page.locator('[data-test=history-cards] .card');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(2);
    expect(await text(cards.first())).toContain('照片材料、承诺时限调整');
    await capture(admin.page, 'console-catalogue-history');
    await admin.page.goto(`${server.url}/console/catalogue-synonyms`);
    await admin.page.locator('[data-test=synonym-row]').first().waitFor();
    await expectNoSidewaysScroll(admin.page);
    await capture(admin.page, 'console-catalogue-synonyms');
    await admin.page.goto(`${server.url}/console/catalogue`);
    await admin.page.locator('[data-test=catalogue-import]').click();
    await admin.page.locator('[data-test=import-dialog]').waitFor();
    await capture(admin.page, 'console-catalogue-import', { overlay: true });
    await admin.context.close();

    // 家和社区's community worker manages that room (the secretary's is shown above).
    const secretary = await newPage(browser, PHONE);
    await signIn(secretary.page, 'jiahe-worker', '/offerings');
    await secretary.page.locator(`[data-test=offerings-list] .el-table__row`).first().waitFor();
    expect(await text(secretary.page.locator('.page-head'))).toContain('家和社区');
    expect(
      await secretary.page
        .locator(field(`offer-${item.code}`))
        .first()
        .isChecked(),
    ).toBe(true);
    await expectNoSidewaysScroll(secretary.page);
    await capture(secretary.page, 'console-offerings');
    await secretary.context.close();
  });
});
