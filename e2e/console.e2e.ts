import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PASSWORD,
  DESKTOP,
  expectAccessible,
  expectConsoleError,
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
 * The staff console (apps/console) in a real browser against a started server: sign-in errors,
 * an administrator creating a staff account and granting it a role, that account's first sign-in
 * (forced password change) and its data scope, and a screenshot of every page at both sizes.
 */

const NEW_USER = 'hanlin-grid1';
const NEW_NAME = '网格员小张';
const NEW_PASSWORD = 'Xiaozhang@Wanan88';

let server: RunningServer;
let browser: Browser;
let temporaryPassword = '';
let jiaheWorkerId = '';

/**
 * Screenshot without toasts (they come and go), after drawers finish sliding in. A page with a
 * drawer or dialog open is taken at the viewport (a full-page shot would cut its overlay short),
 * under the same `<name>-<width>x<height>.png` name `shot` uses.
 */
async function capture(page: Page, name: string, options: { overlay?: boolean } = {}) {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('.el-message')) el.remove();
  });
  // Again once still: a smooth scroll under way would have carried on after the first.
  await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
  await still(page);
  await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
  if (!options.overlay) return shot(page, name);
  const v = page.viewportSize();
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}-${v?.width}x${v?.height}.png`) });
}

/** The text of an element (textContent, trimmed). */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').trim();
}

async function signIn(page: Page, username: string, password: string) {
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await page.locator('[data-test=login-submit]').click();
}

/** Opens the header's unit switcher and picks 翰林社区 (罗江区 → 万安镇 → 翰林社区). */
async function switchToHanlin(page: Page) {
  await page.locator('[data-test=org-switcher]').click();
  const popper = page.locator('.org-switcher-popper');
  await popper.waitFor({ state: 'visible' });
  const wanan = popper.locator('.el-tree-node__content', { hasText: '万安镇' });
  await wanan.locator('.el-tree-node__expand-icon').click();
  const hanlin = popper.getByText('翰林社区', { exact: true });
  await hanlin.waitFor({ state: 'visible' });
  await hanlin.click();
  await expect.poll(() => text(page.locator('[data-test=org-switcher]'))).toContain('翰林社区');
}

async function pickOption(page: Page, label: string) {
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: label }).first();
  await option.waitFor({ state: 'visible' });
  await option.click();
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('console', () => {
  it('keeps the initial JavaScript within 250 KB gzip', () => {
    const dist = path.join(ROOT, 'apps/console/dist');
    const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
    const files = [
      ...html.matchAll(/<script[^>]*type="module"[^>]*src="\/console\/([^"]+)"/g),
      ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/console\/([^"]+)"/g),
    ].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(0);
    const bytes = files.reduce(
      (sum, f) => sum + zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length,
      0,
    );
    expect(bytes).toBeLessThanOrEqual(250_000);
  });

  it('sends a signed-out visitor to sign-in and translates a wrong password', async () => {
    const { context, page } = await newPage(browser, DESKTOP);
    await page.goto(`${server.url}/console/accounts`);
    await page.waitForURL(/\/console\/login\?redirect=/);
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await capture(page, 'console-login');
    expectConsoleError(/status of 401 .*\/api\/v1\/auth\/login\)$/);
    await signIn(page, 'admin', 'not-the-password');
    const error = page.locator('[data-test=login-error]');
    await error.waitFor();
    expect(await text(error)).toContain('用户名或密码错误');
    await capture(page, 'console-login-error');
    await context.close();
  });

  it('lets the administrator create a staff account at 翰林社区 and grant it a role there', async () => {
    const { context, page } = await newPage(browser, DESKTOP);
    await page.goto(`${server.url}/console/accounts?status=active`);
    await page.waitForURL(/\/console\/login/);
    await signIn(page, 'admin', DEMO_PASSWORD);
    // Back where the user was, filters included.
    await page.waitForURL(/\/console\/accounts\?status=active$/);
    await page.locator('[data-test=account-table] .el-table__row').first().waitFor();

    // Every page, as the district administrator sees it.
    await page.goto(`${server.url}/console/`);
    await page.locator('[data-test=welcome]').waitFor();
    expect(await text(page.locator('[data-test=welcome]'))).toContain('区级管理员');
    await capture(page, 'console-home');

    await page.goto(`${server.url}/console/org-units`);
    await page.locator('input[data-test=org-search]').fill('翰林');
    await page
      .locator('.result')
      .filter({ has: page.getByText('翰林社区', { exact: true }) })
      .click();
    await page.locator('[data-test=org-detail] h2', { hasText: '翰林社区' }).waitFor();
    expect(await text(page.locator('[data-test=org-detail] .el-breadcrumb'))).toContain('万安镇');
    await page.locator('input[data-test=org-search]').fill('');
    await page.locator('[data-test=org-tree]').waitFor();
    await capture(page, 'console-org-units');

    // Add a grid under 翰林社区, retire it, reinstate it: each button comes from `abilities`.
    const detail = page.locator('[data-test=org-detail]');
    await detail.locator('[data-test=org-add]').click();
    const unitDialog = page.locator('.el-dialog', { hasText: '翰林社区' });
    await unitDialog.locator('input[name=name]').fill('第四网格');
    await unitDialog.locator('input[name=code]').fill('510604100005-G4');
    await capture(page, 'console-org-unit-form', { overlay: true });
    await page.locator('[data-test=org-form-submit]').click();
    await detail.locator('h2', { hasText: '第四网格' }).waitFor();
    expect(await detail.locator('[data-test=org-add]').count()).toBe(0);
    await detail.locator('[data-test=org-retire]').click();
    const retireDialog = page.locator('.el-dialog', { hasText: '撤销原因' });
    await retireDialog.locator('textarea').fill('网格调整，并入第三网格');
    await retireDialog.locator('.el-button--danger').click();
    await detail.locator('[data-test=org-reinstate]').waitFor();
    expect(await text(detail)).toContain('已撤销');
    await detail.locator('[data-test=org-reinstate]').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await detail.locator('[data-test=org-retire]').waitFor();
    expect(await text(detail)).toContain('正常');

    await page.goto(`${server.url}/console/audit`);
    await page.locator('[data-test=audit-table] .el-table__row').first().waitFor();
    await capture(page, 'console-audit');
    // Filtered by action (the demo data writes many audit rows; the seed is not on page one).
    await page.goto(`${server.url}/console/audit?action=account.seed`);
    await page.locator('[data-test=audit-table] .el-table__row', { hasText: '导入演示账号' }).first().click();
    await page.waitForURL(/\/console\/audit\/\d+/);
    await page.locator('[data-test=audit-changes] .el-table__row').first().waitFor();
    await capture(page, 'console-audit-detail', { overlay: true });
    await expectAccessible(page, { label: 'console-audit-detail' });

    await page.goto(`${server.url}/console/notices`);
    await page.locator('[data-test=notice-list] .notice').first().waitFor();
    await capture(page, 'console-notices');

    // Publish a district notice, then retract it.
    await page.locator('[data-test=notice-publish]').click();
    const noticeDialog = page.locator('[data-test=notice-dialog]');
    await noticeDialog.locator('input[name=title]').fill('区政务服务中心周六正常办公');
    await noticeDialog
      .locator('textarea[name=body]')
      .fill('本周六上午九点至十二点，区政务服务中心各窗口正常办理业务。');
    await capture(page, 'console-notice-form', { overlay: true });
    await page.locator('[data-test=notice-submit]').click();
    const published = page.locator('[data-test=notice-list] .notice', {
      hasText: '区政务服务中心周六正常办公',
    });
    await published.waitFor();
    await published.locator('[data-test=notice-retract]').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    await published.waitFor({ state: 'detached' });

    await page.goto(`${server.url}/console/me`);
    await page.locator('[data-test=session-table] .el-table__row').first().waitFor();
    await capture(page, 'console-profile');

    // The id of a 家和社区 account, for the scope check below.
    jiaheWorkerId = await page.evaluate(async () => {
      const res = await fetch('/api/v1/accounts?q=jiahe-worker');
      const body = (await res.json()) as { items: { id: string }[] };
      return body.items[0]?.id ?? '';
    });
    expect(jiaheWorkerId).toMatch(/^[0-9a-f-]{36}$/);

    // Work in 翰林社区: the switcher sets the default unit of lists and forms.
    await page.goto(`${server.url}/console/accounts`);
    await switchToHanlin(page);
    await page.locator('[data-test=account-table] .el-table__row', { hasText: 'hanlin-secretary' }).waitFor();
    await capture(page, 'console-accounts');

    await page.locator('[data-test=account-create]').click();
    const dialog = page.locator('.el-dialog', { hasText: '新建工作人员账号' });
    await dialog.waitFor();
    await dialog.locator('input[name=username]').fill(NEW_USER);
    await dialog.locator('input[name=displayName]').fill(NEW_NAME);
    await dialog.locator('input[name=phone]').fill('13800000123');
    expect(await text(dialog.locator('.el-select[data-test=account-unit]'))).toContain('翰林社区');
    await capture(page, 'console-account-create', { overlay: true });
    await page.locator('[data-test=account-create-submit]').click();
    const temp = page.locator('[data-test=temp-password]');
    await temp.waitFor();
    temporaryPassword = (await text(temp)).trim();
    expect(temporaryPassword.length).toBeGreaterThanOrEqual(10);
    await capture(page, 'console-account-temp-password', { overlay: true });
    await page.locator('[data-test=temp-password-done]').click();

    // The new account's drawer: grant community_worker at 翰林社区.
    const drawer = page.locator('[data-test=account-drawer]');
    await drawer.locator('.name', { hasText: NEW_NAME }).waitFor();
    await page.waitForURL(/\/console\/accounts\/[0-9a-f-]{36}/);
    await drawer.locator('[data-test=grant-open]').click();
    const grantDialog = page.locator('[data-test=grant-dialog]');
    await grantDialog.waitFor();
    expect(await text(grantDialog.locator('.el-select[data-test=grant-unit]'))).toContain('翰林社区');
    await grantDialog.locator('[data-test=grant-role]').click();
    await pickOption(page, '社区工作者');
    await page.locator('[data-test=grant-submit]').click();
    await drawer.locator('[data-test=grant-list] li', { hasText: '社区工作者' }).waitFor();
    expect(await text(drawer.locator('[data-test=grant-list]'))).toContain('翰林社区');
    await capture(page, 'console-account-detail', { overlay: true });
    await expectAccessible(page, { label: 'console-account-detail' });

    // Signed out everywhere from another browser: the next API call here lands on sign-in,
    // which then comes back to the page that was asked for.
    const other = await newPage(browser, DESKTOP);
    await other.page.goto(`${server.url}/console/login`);
    await signIn(other.page, 'admin', DEMO_PASSWORD);
    await other.page.locator('[data-test=welcome]').waitFor();
    await other.page.goto(`${server.url}/console/me`);
    // From here the revoked session's requests answer 401 (what sends this page to sign-in): the
    // bell's unread count, polled on its own clock, may ask first; then the audit page asks for its
    // rows and for the catalogue of action labels at once.
    expectConsoleError(/status of 401 .*\/api\/v1\/(audit(\?|\/catalogue\)$)|messages\/unread-count\)$)/);
    await other.page.locator('[data-test=logout-all]').click();
    await other.page.locator('.el-message-box__btns .el-button--primary').click();
    await other.page.waitForURL(/\/console\/login/);
    await other.context.close();
    await page.keyboard.press('Escape');
    await page.locator('.side-menu .el-menu-item', { hasText: '审计日志' }).click();
    await page.waitForURL(/\/console\/login\?redirect=(%2F|\/)audit$/);
    await signIn(page, 'admin', DEMO_PASSWORD);
    await page.waitForURL(/\/console\/audit$/);
    await context.close();
  });

  it('makes the new account change its temporary password and keeps it inside 翰林社区', async () => {
    const { context, page } = await newPage(browser, DESKTOP);
    await page.goto(`${server.url}/console/`);
    await page.waitForURL(/\/console\/login/);
    await signIn(page, NEW_USER, temporaryPassword);
    await page.locator('[data-test=change-submit]').waitFor();
    await capture(page, 'console-password-change');
    await page.locator('input[name=newPassword]').fill(NEW_PASSWORD);
    await page.locator('input[name=confirmPassword]').fill(NEW_PASSWORD);
    await page.locator('[data-test=change-submit]').click();
    await page.locator('[data-test=welcome]').waitFor();
    expect(await text(page.locator('[data-test=welcome]'))).toContain(NEW_NAME);

    // The menu follows the permissions: a community worker has no audit log.
    const menu = await text(page.locator('.side-menu'));
    expect(menu).toContain('账号管理');
    expect(menu).not.toContain('审计日志');

    await page.goto(`${server.url}/console/accounts`);
    const rows = page.locator('[data-test=account-table] .el-table__body .el-table__row');
    await rows.filter({ hasText: NEW_USER }).waitFor();
    const units = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[3]?.textContent?.trim() ?? ''));
    expect(units.length).toBeGreaterThanOrEqual(2);
    for (const unit of units) expect(unit).toBe('翰林社区');
    expect(await text(page.locator('[data-test=account-table]'))).not.toContain('家和社区');

    // A 家和社区 account's URL: not found, not a peek at it (the server answers 404).
    expectConsoleError(new RegExp(`status of 404 .*/api/v1/accounts/${jiaheWorkerId}\\)$`));
    await page.goto(`${server.url}/console/accounts/${jiaheWorkerId}`);
    await page.locator('[data-test=account-not-found]').waitFor();
    expect(await text(page.locator('[data-test=account-drawer]'))).not.toContain('王小禾');
    await capture(page, 'console-account-not-found', { overlay: true });

    // A page the role does not include.
    await page.goto(`${server.url}/console/audit`);
    await page.locator('[data-test=result-forbidden]').waitFor();
    await capture(page, 'console-forbidden');
    await context.close();
  });

  it('works on a 360 px phone: menu drawer, every page, a reset password', async () => {
    const { context, page } = await newPage(browser, PHONE);
    await page.goto(`${server.url}/console/`);
    await page.waitForURL(/\/console\/login/);
    await capture(page, 'console-login');
    expectConsoleError(/status of 401 .*\/api\/v1\/auth\/login\)$/);
    await signIn(page, 'admin', 'still-not-the-password');
    await page.locator('[data-test=login-error]').waitFor();
    expect(await text(page.locator('[data-test=login-error]'))).toContain('用户名或密码错误');
    await capture(page, 'console-login-error');
    await signIn(page, 'admin', DEMO_PASSWORD);
    await page.locator('[data-test=welcome]').waitFor();
    await capture(page, 'console-home');

    // No sidebar at this width: the menu is a drawer.
    expect(await page.locator('aside.sidebar').count()).toBe(0);
    await page.locator('[data-test=menu-toggle]').click();
    await page.locator('.menu-drawer .side-menu').waitFor();
    await capture(page, 'console-menu', { overlay: true });
    await page.locator('.menu-drawer .el-menu-item', { hasText: '组织架构' }).click();
    await page.waitForURL(/\/console\/org-units/);
    await page.locator('[data-test=org-tree]').waitFor();
    await capture(page, 'console-org-units');
    await page.locator('input[data-test=org-search]').fill('翰林');
    await page
      .locator('.result')
      .filter({ has: page.getByText('翰林社区', { exact: true }) })
      .click();
    await page.locator('[data-test=org-detail] h2', { hasText: '翰林社区' }).waitFor();
    await capture(page, 'console-org-unit-detail');

    await page.goto(`${server.url}/console/accounts`);
    await page.locator('[data-test=account-cards] .card').first().waitFor();
    await capture(page, 'console-accounts');
    await page.locator('[data-test=account-cards] .card', { hasText: NEW_USER }).click();
    const drawer = page.locator('[data-test=account-drawer]');
    await drawer.locator('.name', { hasText: NEW_NAME }).waitFor();
    await capture(page, 'console-account-detail', { overlay: true });

    // Reset the new account's password: a fresh temporary one, shown once.
    await drawer.locator('[data-test=account-reset]').click();
    await page.locator('.el-message-box__btns .el-button--primary').click();
    const reset = page.locator('[data-test=reset-password]');
    await reset.waitFor();
    const resetPassword = (await text(reset)).trim();
    expect(resetPassword).not.toBe(temporaryPassword);
    await capture(page, 'console-account-temp-password', { overlay: true });
    await page.locator('.el-dialog', { hasText: '临时密码' }).locator('.el-button--primary').click();

    await page.goto(`${server.url}/console/audit`);
    await page.locator('[data-test=audit-cards] .card').first().waitFor();
    await capture(page, 'console-audit');
    await page.locator('[data-test=audit-cards] .card', { hasText: '授予角色' }).first().click();
    await page.locator('[data-test=audit-changes] .el-table__row').first().waitFor();
    expect(await text(page.locator('[data-test=audit-changes]'))).toContain('社区工作者');
    await capture(page, 'console-audit-detail', { overlay: true });

    await page.goto(`${server.url}/console/notices`);
    await page.locator('[data-test=notice-list] .notice').first().waitFor();
    await capture(page, 'console-notices');

    // An address that is no page of the console.
    await page.goto(`${server.url}/console/no-such-page`);
    await page.locator('[data-test=result-not-found]').waitFor();
    await capture(page, 'console-not-found');

    await page.goto(`${server.url}/console/me`);
    await page.locator('[data-test=session-table] .el-table__row').first().waitFor();
    await capture(page, 'console-profile');

    // The reset account signs in on a phone: forced change again.
    const second = await newPage(browser, PHONE);
    await second.page.goto(`${server.url}/console/`);
    await second.page.waitForURL(/\/console\/login/);
    await signIn(second.page, NEW_USER, resetPassword);
    await second.page.locator('[data-test=change-submit]').waitFor();
    await capture(second.page, 'console-password-change');
    // Outside its scope once signed in: the server answers 404, the drawer says not found.
    expectConsoleError(new RegExp(`status of 404 .*/api/v1/accounts/${jiaheWorkerId}\\)$`));
    await second.page.goto(`${server.url}/console/accounts/${jiaheWorkerId}`);
    // Not fully signed in yet: the forced change comes first (after a reload it asks for the current one).
    await second.page.locator('[data-test=change-submit]').waitFor();
    await second.page.locator('input[name=currentPassword]').fill(resetPassword);
    await second.page.locator('input[name=newPassword]').fill(`${NEW_PASSWORD}!`);
    await second.page.locator('input[name=confirmPassword]').fill(`${NEW_PASSWORD}!`);
    await second.page.locator('[data-test=change-submit]').click();
    // …then back to the URL it asked for, which is outside its scope.
    await second.page.locator('[data-test=account-not-found]').waitFor();
    await capture(second.page, 'console-account-not-found', { overlay: true });
    await second.page.goto(`${server.url}/console/audit`);
    await second.page.locator('[data-test=result-forbidden]').waitFor();
    await capture(second.page, 'console-forbidden');
    await second.context.close();

    await page.goto(`${server.url}/console/accounts/${jiaheWorkerId}`);
    await page.locator('[data-test=account-drawer] .name', { hasText: '王小禾' }).waitFor();
    await context.close();
  });
});
