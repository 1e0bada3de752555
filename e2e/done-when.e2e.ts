import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectAccessible,
  expectConsoleError,
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
 * The service-guide issue's "done when", in a real browser against a real server: the resident
 * 13800000001 (家和社区) finds 最低生活保障 by its pinyin initials `db` on a 360×740 phone, ticks the
 * checklist, signs in, asks for proxy handling (代办) with two photos; jiahe-worker, in the console,
 * asks for a missing material (补正); the resident adds it; jiahe-worker pre-reviews, accepts and
 * forwards it to 罗江区民政局; minzheng-staff completes it in the console; jiahe-worker marks the
 * result ready for pick-up and hands it over; the resident rates it 5 stars with a comment.
 * Every staff step goes through the console's buttons, none through the API. Shots at each step.
 */

const RESIDENT = '13800000001';
const ITEM = '最低生活保障';
const MISSING = '家庭收入和财产状况声明';
const COMMENT = '不用跑腿，社区代办很省心';

let server: RunningServer;
let browser: Browser;
let resident: { context: BrowserContext; page: Page };
let id = '';

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  resident = await newPage(browser, PHONE);
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

async function text(page: Page, selector: string) {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();
}

/** Resident app: waits for the network and for Vant toasts to go, then a full-page shot. */
async function snapPhone(page: Page, name: string) {
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.van-toast')].every((e) => getComputedStyle(e).display === 'none'),
  );
  await still(page);
  await shot(page, name);
}

/** Console: without toasts; a drawer or dialog is taken at the viewport (its overlay is fixed). */
async function snapConsole(page: Page, name: string, overlay = false) {
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

/** A staff member signs in to the console and lands on the workbench. */
async function consoleAs(username: string): Promise<{ context: BrowserContext; page: Page }> {
  const session = await newPage(browser, DESKTOP);
  const { page } = session;
  await page.goto(`${server.url}/console/applications`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await page.locator(sel('login-submit')).click();
  await page.waitForURL('**/console/applications');
  await page.locator(sel('application-table')).waitFor();
  return session;
}

/** Opens the application from the workbench (in the given queue) and waits for its drawer. */
async function openFromQueue(page: Page, queue: string) {
  await page.locator(sel(`queue-${queue}`)).click();
  await page.waitForURL(new RegExp(`status=${queue}`));
  const row = page.locator('.el-table__row', { hasText: ITEM }).first();
  await row.waitFor();
  await row.click();
  await page.waitForURL(`**/console/applications/${id}**`);
  await page.locator(sel('application-status')).waitFor();
}

const drawerStatus = (page: Page) => text(page, sel('application-status'));
const stepButtons = async (page: Page) =>
  (await page.locator(`${sel('application-actions')} button`).allInnerTexts()).map((s) => s.trim());

/** Clicks a step button, fills its dialog (if any) and confirms; waits for the new status. */
async function takeStep(
  page: Page,
  step: string,
  status: string,
  fill?: () => Promise<void>,
  shotName?: string,
) {
  await page.locator(sel(`step-${step}`)).click();
  const submit = page.locator(sel('step-submit'));
  await submit.waitFor({ state: 'visible' });
  if (fill) await fill();
  if (shotName) await snapConsole(page, shotName, true);
  await submit.click();
  await expect.poll(() => drawerStatus(page)).toBe(status);
  await submit.waitFor({ state: 'hidden' });
}

describe('done when: search → checklist → sign in → 代办 → 补正 → accept → forward → complete → rate', () => {
  it('the resident finds 低保 by `db`, ticks the checklist, signs in and asks for proxy handling', async () => {
    const { page } = resident;
    await page.goto(`${server.url}/guide`);
    await page.locator(`${sel('guide-search')} input`).fill('db');
    const hit = page.locator(sel('guide-result'), { hasText: ITEM }).first();
    await hit.waitFor();
    expect(await hit.locator('mark').count()).toBeGreaterThan(0);
    expect(await hit.textContent()).toContain('代办');
    await snapPhone(page, 'done-when-1-search-db');

    await hit.click();
    await page.waitForURL(/\/guide\/[^/]+$/);
    const itemId = page.url().split('/').pop()!;
    await expect.poll(() => text(page, sel('item-name'))).toBe(ITEM);
    const materials = page.locator(sel('material'));
    await materials.nth(0).click();
    await materials.nth(1).click();
    await expect.poll(() => page.locator(`${sel('material-check')}:checked`).count()).toBe(2);
    expect(await text(page, sel('checklist-progress'))).toContain('已备齐 2/5');
    await snapPhone(page, 'done-when-2-checklist');

    await page.goto(`${server.url}/login?redirect=${encodeURIComponent(`/guide/${itemId}`)}`);
    await page.locator(`${sel('phone')} input`).fill(RESIDENT);
    await page.click(sel('send-code'));
    await expect.poll(() => text(page, sel('send-code'))).toMatch(/\d+/);
    await page.locator(`${sel('code')} input`).fill(await devOtp(server, RESIDENT));
    await snapPhone(page, 'done-when-3-sign-in');
    await page.click(sel('submit'));
    await page.waitForURL(`**/guide/${itemId}`);
    await page.locator(sel('material')).first().waitFor();
    // The ticks survived the sign-in.
    await expect.poll(() => page.locator(`${sel('material-check')}:checked`).count()).toBe(2);

    const apply = page.locator(sel('apply'));
    await apply.waitFor();
    expect(await apply.textContent()).toContain('申请代办');
    await apply.click();
    await page.waitForURL(/\/apply$/);
    await page.locator(sel('file-input')).first().waitFor({ state: 'attached' });
    await page
      .locator(sel('file-input'))
      .first()
      .setInputFiles([png('id-front.png'), png('id-back.png')]);
    await expect.poll(() => page.locator(sel('picked-file')).count()).toBe(2);
    await page.locator(`${sel('apply-note')} textarea`).fill('老人行动不便，请社区代办');
    // The other required materials (必需) are brought to the service room: one tick each.
    await page.locator(sel('bring-material')).first().waitFor();
    for (const box of await page.locator(sel('bring-material')).all()) await box.click();
    await snapPhone(page, 'done-when-4-apply');
    await page.click(sel('apply-submit'));
    await page.waitForURL(/\/applications\/[^/]+$/);
    id = page.url().split('/').pop()!;
    await expect.poll(() => text(page, sel('application-status'))).toBe('已提交');
    // The resident sees the receipt number (受理编号) of the 代办 application.
    expect(await text(page, sel('application-number'))).toMatch(/^\d{6}-BJ\d{8}-\d{4,}$/);
    await snapPhone(page, 'done-when-5-submitted');
  });

  it('jiahe-worker asks for a missing material in the console; the resident adds it', async () => {
    const staff = await consoleAs('jiahe-worker');
    const { page } = staff;
    // The new application heads the 待预审 queue, with its count.
    await expect.poll(() => text(page, sel('queue-submitted'))).toMatch(/待预审\s*1/);
    await snapConsole(page, 'done-when-6-workbench');
    await openFromQueue(page, 'submitted');
    expect(await drawerStatus(page)).toBe('待预审');
    expect(await text(page, sel('application-item'))).toBe(ITEM);
    // The resident's name is masked; both photos are there to preview.
    expect(await text(page, sel('application-resident'))).toContain('*');
    await expect.poll(() => page.locator(sel('application-file')).count()).toBe(2);
    expect(await stepButtons(page)).toEqual(['预审通过', '要求补正', '登记到场']);
    await snapConsole(page, 'done-when-7-detail', true);

    await takeStep(
      page,
      'request_more',
      '待补正',
      async () => {
        const option = page.locator(`${sel('more-materials')} .el-checkbox`, { hasText: MISSING });
        await option.waitFor();
        await option.click();
      },
      'done-when-8-needs-more-dialog',
    );
    expect(await text(page, sel('application-missing'))).toContain(MISSING);
    expect(await stepButtons(page)).toEqual(['登记到场']);
    await snapConsole(page, 'done-when-9-needs-more', true);
    await staff.context.close();

    const r = resident.page;
    await r.goto(`${server.url}/applications/${id}`);
    await expect.poll(() => text(r, sel('application-status'))).toBe('需补正');
    expect(await text(r, sel('missing-materials'))).toContain(MISSING);
    await r
      .locator(sel('file-input'))
      .first()
      .setInputFiles([png('income.png')]);
    await expect.poll(() => r.locator(sel('picked-file')).count()).toBe(1);
    await snapPhone(r, 'done-when-10-add-material');
    await r.click(sel('add-materials'));
    await expect.poll(() => text(r, sel('application-status'))).toBe('已提交');
  });

  it('jiahe-worker pre-reviews, records the visit, accepts and forwards it to 罗江区民政局', async () => {
    const staff = await consoleAs('jiahe-worker');
    const { page } = staff;
    await openFromQueue(page, 'submitted');
    await expect.poll(() => page.locator(sel('application-file')).count()).toBe(3);
    // A second tab with the same drawer, left behind while the first one moves on.
    const stale = await staff.context.newPage();
    await stale.goto(page.url());
    await stale.locator(sel('step-pre_review')).waitFor();
    await takeStep(page, 'pre_review', '待受理');
    // The stale tab's step fails on the server (409): the dialog says why and the drawer catches up.
    expectConsoleError(new RegExp(`status of 409 .*/api/v1/applications/${id}/pre-review\\)$`));
    await stale.locator(sel('step-pre_review')).click();
    await stale.locator(sel('step-submit')).click();
    await expect.poll(() => text(stale, sel('step-error'))).toContain('该办件已是“待受理”');
    await snapConsole(stale, 'done-when-11-step-error', true);
    await stale.close();
    await takeStep(page, 'record_visit', '待受理', async () => {
      await page.locator(sel('step-note')).fill('居民到服务室递交原件');
    });
    expect(await text(page, sel('application-visits'))).toContain('居民到服务室递交原件');
    await takeStep(page, 'accept', '办理中');
    expect(await stepButtons(page)).toEqual(['转交部门', '办结', '不予办理', '登记到场']);
    await takeStep(page, 'forward', '已转办', undefined, 'done-when-12-forward-dialog');
    // Once forwarded, the outcome is the department's: the community can only record visits.
    expect(await stepButtons(page)).toEqual(['登记到场']);
    const timeline = await text(page, sel('application-timeline'));
    for (const s of ['提交申请', '要求补正', '补充材料', '预审通过', '受理', '转交部门'])
      expect(timeline).toContain(s);
    await snapConsole(page, 'done-when-13-forwarded', true);
    await expectAccessible(page, { label: 'done-when-13-forwarded' });
    await staff.context.close();
  });

  it('minzheng-staff sees it in the 已转办 queue and completes it', async () => {
    const staff = await consoleAs('minzheng-staff');
    const { page } = staff;
    // Department staff see only what was forwarded to them.
    await expect.poll(() => text(page, sel('queue-all'))).toMatch(/全部\s*1/);
    await snapConsole(page, 'done-when-14-department-workbench');
    await openFromQueue(page, 'forwarded');
    expect(await stepButtons(page)).toEqual(['办结', '不予办理']);
    await takeStep(page, 'complete', '已办结', async () => {
      await page.locator(sel('step-note')).fill('经审核符合条件，已办结');
    });
    expect(await stepButtons(page)).toEqual([]);
    expect(await text(page, sel('application-actions'))).toContain('没有可执行的操作');
    await snapConsole(page, 'done-when-15-completed', true);
    await staff.context.close();
  });

  it('jiahe-worker marks the result ready for pick-up and hands it over', async () => {
    const staff = await consoleAs('jiahe-worker');
    const { page } = staff;
    await openFromQueue(page, 'done');
    await takeStep(page, 'result_ready', '待取件', async () => {
      await page.locator(`${sel('delivery')} .el-radio`, { hasText: '领取' }).click();
    });
    await takeStep(page, 'finish', '已完成');
    await snapConsole(page, 'done-when-16-finished', true);
    await staff.context.close();
  });

  it('the resident rates it 5 stars with a comment', async () => {
    const { page } = resident;
    await page.goto(`${server.url}/applications/${id}`);
    await expect.poll(() => text(page, sel('application-status'))).toBe('已完成');
    const rate = page.locator(sel('rate'));
    await rate.waitFor();
    await rate.locator('.van-rate__item').nth(4).click();
    await rate.locator('textarea').fill(COMMENT);
    await snapPhone(page, 'done-when-17-rate');
    await rate.locator('.van-button').click();
    await expect.poll(() => text(page, sel('application-status'))).toBe('已评价');
    await snapPhone(page, 'done-when-18-rated');

    // The record as the API holds it.
    const app = await page.evaluate(
      (appId) => fetch(`/api/v1/applications/${appId}`).then((r) => r.json()),
      id,
    );
    expect(app).toMatchObject({ status: 'rated', rating: 5, ratingComment: COMMENT, visits: 1 });
    expect(app.events.map((e: { step: string }) => e.step)).toEqual([
      'submit',
      'request_more',
      'add_materials',
      'pre_review',
      'accept',
      'forward',
      'complete',
      'result_ready',
      'finish',
      'rate',
    ]);
    expect(app.files).toHaveLength(3);
  });
});
