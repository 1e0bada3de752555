import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectConsoleError,
  DEMO_PASSWORD,
  SHOTS,
  DESKTOP,
  launchBrowser,
  newPage,
  PHONE,
  type RunningServer,
  shot,
  startServer,
  still,
} from './harness';

/**
 * Issue #6's Done-when in chromium (console 1280×800): 罗江区民政局 (minzheng-staff) files a task
 * under a negative-list item → refused citing it; one under an assisting item with enough funding →
 * fast track → admin admits it → it is in 翰林社区's inbox → hanlin-secretary completes it; an
 * unlisted one → review → admin rejects it with a reason → no community gets a task (inboxes read
 * through the API); hanlin-secretary records work pushed down outside the system → admin's
 * oversight queue shows it; admin's burden dashboard shows all of it. Then the resident's
 * certificate question at 360×740.
 */

let server: RunningServer;
let browser: Browser;
const sel = (name: string) => `[data-test="${name}"]`;

/** A cookie-keeping fetch against the public API, signed in as a demo account. */
async function apiAs(username: string) {
  const jar = new Map<string, string>();
  const call = async (method: string, url: string, body?: unknown) => {
    const headers: Record<string, string> = { origin: server.url };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = jar.get('linli_csrf');
    if (csrf) headers['x-csrf-token'] = decodeURIComponent(csrf);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.url}/api/v1${url}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  await call('POST', '/auth/login', { username, password: DEMO_PASSWORD });
  return call;
}

/** An Element Plus input by its data-test (el-input puts attributes on the native input). */
function field(scope: Page | Locator, name: string): Locator {
  const n = `[data-test="${name}"]`;
  return scope.locator(`input${n}, textarea${n}, ${n} input, ${n} textarea`).first();
}

async function text(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: innerText is the visible text, on purpose
  return (await locator.first().innerText()).replace(/\s+/g, ' ').trim();
}

async function snap(page: Page, name: string) {
  await page.waitForLoadState('networkidle');
  await page.evaluate(() => {
    for (const el of document.querySelectorAll('.el-message')) el.remove();
    window.scrollTo(0, 0);
  });
  await still(page);
  await shot(page, name);
}

async function openConsole(username: string, to: string, size = DESKTOP): Promise<Page> {
  const { page } = await newPage(browser, size);
  await page.goto(`${server.url}/console${to}`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(DEMO_PASSWORD);
  await page.locator(sel('login-submit')).click();
  await page.waitForURL(`**/console${to}`);
  return page;
}

/** Beijing today, and a day `n` days on, as YYYY-MM-DD. */
const day = (n = 0) => new Date(Date.now() + 8 * 3_600_000 + n * 86_400_000).toISOString().slice(0, 10);

/** Picks 万安镇 → 翰林社区 in the request form's community picker. */
async function pickHanlin(page: Page) {
  await page.locator(`.el-select${sel('req-target-picker')}`).click();
  const popper = page.locator('.el-select-dropdown:visible');
  const town = popper.locator('.el-tree-node__content', { hasText: '万安镇' }).first();
  if (!(await town.isVisible().catch(() => false))) {
    await popper
      .locator('.el-tree-node__content', { hasText: '罗江区' })
      .first()
      .locator('.el-tree-node__expand-icon')
      .click();
  }
  await town.waitFor({ state: 'visible' });
  await town.locator('.el-tree-node__expand-icon').click();
  await still(page);
  const hanlin = popper.getByText('翰林社区', { exact: true });
  await hanlin.waitFor({ state: 'visible' });
  await hanlin.click();
  await expect.poll(() => text(page.locator(sel('req-targets')))).toContain('翰林社区');
  await page.keyboard.press('Escape');
}

interface RequestInput {
  title: string;
  description: string;
  legalBasis: string;
  hours?: number;
  funding?: number;
  claimed?: string;
  hanlinOnly?: boolean;
  form?: { name: string; fields: number };
}

/** Fills the 准入申请 form as a department would and files it. */
async function fileRequest(page: Page, r: RequestInput) {
  await field(page, 'req-title').fill(r.title);
  await field(page, 'req-description').fill(r.description);
  await field(page, 'req-legal-basis').fill(r.legalBasis);
  if (r.claimed) {
    await page.locator(sel('req-claimed')).click();
    await page.keyboard.type(r.claimed);
    await page.locator('.el-select-dropdown__item:visible', { hasText: r.claimed }).first().click();
  }
  if (r.hanlinOnly) {
    await page.locator(sel('req-target-mode')).getByText('指定社区').click();
    await pickHanlin(page);
  }
  const inputs = await page.locator('[data-test="request-form"] .el-range-editor .el-range-input').all();
  await inputs[0]!.fill(day(3));
  await inputs[1]!.fill(day(60));
  await inputs[1]!.press('Enter');
  await page.locator('.page-head h1').click();
  if (r.hours !== undefined) await field(page, 'req-hours').fill(String(r.hours));
  if (r.funding !== undefined) await field(page, 'req-funding').fill(String(r.funding));
  if (r.form) {
    await page.locator(sel('req-add-form')).click();
    const row = page.locator(sel('req-form-row')).last();
    await row.locator('.form-name input').fill(r.form.name);
    await row.locator('.form-fields input').fill(String(r.form.fields));
  }
  await page.locator('.page-head h1').click();
  await page.locator(sel('req-submit')).click();
  await page.locator(sel('request-outcome')).waitFor({ state: 'visible' });
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const NEGATIVE = '代收辖区居民水电气费';
const ASSIST = '高龄津贴资格核查（2027年第一季度）';
const UNLISTED = '城市马拉松赛道沿线商户宣传动员';
const OUTSIDE = '要求社区每天在工作群打卡上传创卫巡查照片';
let assistId = '';
let unlistedId = '';

describe('事项准入 end to end (1280×800)', () => {
  it('refuses a negative-list task at once, citing the item, with the live preview warning first', async () => {
    const page = await openConsole('minzheng-staff', '/admission/new');
    // Filed empty, the form names every field that needs filling at once, beside each field.
    await page.locator(sel('req-submit')).click();
    await expect.poll(() => text(page.locator(sel('req-error')))).toContain('有 3 处需要填写或修改');
    // The fields' own messages render a moment after the summary: polled, not read once.
    const marked = page.locator(`${sel('request-form')} .el-form-item.is-error .el-form-item__error`);
    await expect
      .poll(() => marked.allInnerTexts())
      .toEqual(['请填写事项名称', '请填写法律法规或政策依据', '请选择起止日期']);
    // The live preview warns as the title and description are typed, before anything is filed.
    await field(page, 'req-title').fill(NEGATIVE);
    await field(page, 'req-description').fill('请各社区每月代收辖区居民水费、电费、燃气费并汇总上交');
    await expect.poll(() => text(page.locator(sel('match-preview'))), { timeout: 10_000 }).toContain('FM05');
    expect(await text(page.locator(sel('preview-negative')))).toContain('提交将被拒绝');
    expect(await text(page.locator(`${sel('match-preview')} ${sel('match')}`).first())).toContain('FM05');
    await snap(page, 'admission-request-preview');

    await fileRequest(page, {
      title: NEGATIVE,
      description: '请各社区每月代收辖区居民水费、电费、燃气费并汇总上交',
      legalBasis: '区公用事业费收缴工作方案',
      hours: 10,
    });
    expect(await text(page.locator(sel('outcome-title')))).toContain('申请已被拒绝');
    const refusal = await text(page.locator(sel('outcome-refusal')));
    expect(refusal).toContain('FM05');
    expect(refusal).toContain('不得要求社区代收代缴水电气费');
    // A refused request may be appealed.
    await page.locator(sel('appeal-box')).waitFor({ state: 'visible' });
    await snap(page, 'admission-request-refused');

    // An assisting item with funding ≥ 30 yuan × 8 hours: fast track.
    await page.locator(sel('outcome-another')).click();
    await fileRequest(page, {
      title: ASSIST,
      description: '请社区对辖区80周岁以上高龄老人开展津贴资格核查，入户核实健在和居住情况，填写核查登记表。',
      legalBasis: '《四川省老年人权益保障条例》；区民政局高龄津贴发放管理办法',
      claimed: 'XZ05',
      hanlinOnly: true,
      hours: 8,
      funding: 400,
      form: { name: '高龄津贴资格核查登记表', fields: 12 },
    });
    expect(await text(page.locator(sel('outcome-title')))).toContain('快速通道');
    await snap(page, 'admission-request-fast-track');
    await page.locator(sel('outcome-open')).click();
    await page.waitForURL('**/console/admission/requests/*');
    assistId = page.url().split('/').pop()!;
    expect(await text(page.locator(sel('request-status')))).toContain('快速通道');

    // Nothing on the lists: full review with its 15-working-day deadline.
    await page.goto(`${server.url}/console/admission/new`);
    await fileRequest(page, {
      title: UNLISTED,
      description: '请社区组织人员到马拉松赛道沿线商户逐户上门发放赛事宣传单，并拍照上报发放情况。',
      legalBasis: '区马拉松赛事组委会通知',
      hours: 6,
    });
    expect(await text(page.locator(sel('outcome-title')))).toContain('已进入准入审核');
    expect(await text(page.locator(sel('outcome-deadline')))).toMatch(/决定期限：\d{4}-\d{2}-\d{2}/);
    await page.locator(sel('outcome-open')).click();
    await page.waitForURL('**/console/admission/requests/*');
    unlistedId = page.url().split('/').pop()!;

    // 我的申请 lists all three with their outcomes.
    await page.goto(`${server.url}/console/admission/mine`);
    await expect.poll(() => text(page.locator(sel('request-table')))).toContain(UNLISTED);
    const mine = await text(page.locator(sel('request-table')));
    expect(mine).toContain(NEGATIVE);
    expect(mine).toContain(ASSIST);
    await snap(page, 'admission-mine');
    await page.context().close();
  });

  it('lets the admission office admit the fast-tracked one and reject the unlisted one', async () => {
    const page = await openConsole('admin', '/admission/review');
    await expect.poll(() => text(page.locator(sel('request-table')))).toContain(ASSIST);
    expect(await text(page.locator(sel('request-table')))).toContain(UNLISTED);
    // The refused one is not in the review queue.
    expect(await text(page.locator(sel('request-table')))).not.toContain(NEGATIVE);
    await snap(page, 'admission-review-queue');

    await page.locator(sel('request-row'), { hasText: ASSIST }).click();
    await page.waitForURL(`**/admission/requests/${assistId}`);
    await page.locator(sel('step-approve')).click();
    await field(page, 'decide-reasons').fill('属协助事项，经费到位，准予准入。');
    await page.locator(sel('decide-submit')).click();
    await expect.poll(() => text(page.locator(sel('request-status')))).toContain('已准入');
    expect(await text(page.locator(sel('request-tasks')))).toContain('翰林社区');
    await snap(page, 'admission-request-approved');

    await page.goto(`${server.url}/console/admission/requests/${unlistedId}`);
    await page.locator(sel('step-reject')).click();
    // A rejection needs reasons.
    expect(await page.locator(sel('decide-submit')).isDisabled()).toBe(true);
    await field(page, 'decide-reasons').fill('赛事宣传应由组委会负责，不属社区工作事项。');
    await page.locator(sel('decide-submit')).click();
    await expect.poll(() => text(page.locator(sel('request-status')))).toContain('不予准入');
    expect(await text(page.locator(sel('request-decision')))).toContain('赛事宣传应由组委会负责');
    await snap(page, 'admission-request-rejected');
    await page.context().close();

    // Nothing of the rejected (or refused) request reached any community.
    const admin = await apiAs('admin');
    const rejected = await admin('GET', `/admission/requests/${unlistedId}`);
    expect(rejected.status).toBe('rejected');
    expect(rejected.taskCount).toBe(0);
    expect(rejected.tasks).toEqual([]);
    for (const who of ['hanlin-secretary', 'jiahe-worker']) {
      const inbox = await (await apiAs(who))('GET', '/admission/tasks?limit=100');
      const titles = inbox.items.map((t: { title: string }) => t.title);
      expect(titles).not.toContain(UNLISTED);
      expect(titles).not.toContain(NEGATIVE);
      // The admitted one only went to 翰林社区.
      expect(titles.includes(ASSIST)).toBe(who === 'hanlin-secretary');
    }
  });

  it('puts the admitted task into 翰林社区’s inbox, where the community completes it', async () => {
    const page = await openConsole('hanlin-secretary', '/admission/tasks');
    const task = page.locator(sel('task'), { hasText: ASSIST });
    await task.waitFor({ state: 'visible' });
    expect(await text(task.locator(sel('task-status')))).toContain('待签收');
    expect(await text(task.locator(sel('task-funding')))).toContain('400');
    expect(await text(task)).toContain('高龄津贴资格核查登记表');
    await snap(page, 'admission-inbox');

    await task.locator(sel('task-acknowledge')).click();
    await expect.poll(() => text(task.locator(sel('task-status')))).toContain('办理中');
    await task.locator(sel('task-complete')).click();
    await field(page, 'task-text').fill('核查登记表 46 份已归档（翰林社区台账柜 2 号）');
    await page.locator(sel('task-submit')).click();
    await expect.poll(() => text(task.locator(sel('task-status')))).toContain('已完成');
    expect(await text(task.locator(sel('task-evidence')))).toContain('台账柜 2 号');

    // Work pushed down outside the system.
    await page.locator(sel('outside-open')).click();
    const dialog = page.locator(sel('outside-dialog'));
    await dialog.locator(sel('outside-department')).click();
    await page.keyboard.type('区创卫办');
    await page.keyboard.press('Enter');
    await field(dialog, 'outside-what').fill(OUTSIDE);
    await field(dialog, 'outside-channel').fill('微信工作群');
    await field(dialog, 'outside-hours').fill('5');
    await dialog.locator(sel('outside-submit')).click();
    await expect.poll(() => text(page.locator(sel('outside-mine')))).toContain(OUTSIDE);
    await snap(page, 'admission-inbox-done');

    // The secretary is asked for comments on requests under review that target 翰林社区.
    await page.locator(sel('comment-queue')).getByText('文旅节宣传转发').click();
    await page.waitForURL('**/console/admission/requests/*');
    await field(page, 'comment-text').fill('社区无力承担逐户截图上报，建议改为线上自愿转发。');
    await page.locator(sel('comment-submit')).click();
    await expect.poll(() => text(page.locator(sel('request-comments')))).toContain('建议改为线上自愿转发');
    expect(await text(page.locator(sel('request-comments')))).toContain('翰林社区');
    await snap(page, 'admission-request-commented');
    await page.context().close();

    const admin = await apiAs('admin');
    const done = await admin('GET', `/admission/requests/${assistId}`);
    expect(done.tasks.map((t: { status: string }) => t.status)).toEqual(['completed']);
  });

  it('shows the outside report in the oversight queue and everything on the burden dashboard', async () => {
    const page = await openConsole('admin', '/admission/oversight');
    const row = page.locator('.el-table__row', { hasText: OUTSIDE });
    await row.waitFor({ state: 'visible' });
    expect(await text(row)).toContain('区创卫办');
    expect(await text(row)).toContain('翰林社区');
    await snap(page, 'admission-oversight');

    await page.goto(`${server.url}/console/admission/burden`);
    await page.locator(sel('burden-tasks')).waitFor({ state: 'visible' });
    // The same range the page shows (it reaches into the coming months, where the admitted task runs).
    const [from, to] = await page
      .locator(`${sel('burden-months')} .el-range-input, .stats-months .el-range-input`)
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(from).toMatch(/^\d{4}-\d{2}$/);
    const admin = await apiAs('admin');
    const burden = await admin('GET', `/admission/burden?from=${from}&to=${to}`);
    for (const k of ['tasks', 'forms', 'meetings', 'inspections', 'outsideReports', 'hours']) {
      expect(await text(page.locator(sel(`burden-${k}`)))).toContain(String(burden.totals[k]));
    }
    expect(burden.totals.tasks).toBeGreaterThan(0);
    expect(burden.totals.outsideReports).toBeGreaterThan(0);
    // By department: 民政局 filed three, one refused, one admitted, one rejected.
    const minzheng = burden.requests.find((r: { department: string }) => r.department === '罗江区民政局');
    expect(minzheng.refused).toBeGreaterThanOrEqual(1);
    expect(minzheng.rejected).toBeGreaterThanOrEqual(1);
    expect(minzheng.approved).toBeGreaterThanOrEqual(1);
    const requests = page
      .locator(sel('burden-requests'))
      .locator('.el-table__row', { hasText: '罗江区民政局' });
    expect(await text(requests)).toContain(String(minzheng.filed));
    // The outside report counts against the department the community named.
    expect(burden.byDepartment.map((d: { department: string }) => d.department)).toContain('区创卫办');
    // Per community per month: 翰林社区 this month, with our task and report in it.
    expect(await text(page.locator(sel('burden-rows')))).toContain('翰林社区');
    // ECharts drew both charts (lazily imported).
    await expect.poll(() => page.locator(`${sel('burden-by-month')} canvas`).count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator(`${sel('burden-by-department')} canvas`).count()).toBeGreaterThan(0);
    await snap(page, 'admission-burden');

    // The monthly .xlsx answers a spreadsheet.
    const href = await page.locator(sel('burden-export')).getAttribute('href');
    const cookies = await page.context().cookies();
    const res = await fetch(`${server.url}${href}`, {
      headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');

    // 退出: the admission office withdraws the admitted task; the completed task stays completed.
    await page.goto(`${server.url}/console/admission/requests/${assistId}`);
    await page.locator(sel('step-withdraw')).click();
    await page.locator('.el-message-box textarea').fill('季度核查已完成，本事项退出。');
    await page.locator('.el-message-box').getByRole('button', { name: '确认' }).click();
    await expect.poll(() => text(page.locator(sel('request-status')))).toContain('已退出');
    expect(await page.locator(sel('step-withdraw')).count()).toBe(0);
    const after = await admin('GET', `/admission/requests/${assistId}`);
    expect(after.status).toBe('withdrawn');
    expect(after.tasks.map((t: { status: string }) => t.status)).toEqual(['completed']);
    await page.context().close();
  });

  it('edits a draft of the lists: duplicate codes refused naming them, then published and compared', async () => {
    const page = await openConsole('admin', '/admission/lists');
    await expect.poll(() => text(page.locator(sel('lists-current')))).toContain('第 1 版');
    expect(await text(page.locator(sel('lists-table')))).toContain('XZ05');
    await snap(page, 'admission-lists');

    await page.getByRole('tab', { name: '草稿' }).click();
    await page.locator(sel('draft-create')).click();
    await page.locator(sel('draft-editor')).waitFor({ state: 'visible' });
    await page.locator(sel('draft-add')).click();
    await field(page, 'item-code').fill('XZ05');
    await field(page, 'item-name').fill('协助开展社区充电桩安全巡查宣传');
    await page.locator(sel('item-save')).click();
    expect(await text(page.locator(sel('draft-duplicates')))).toContain('XZ05');
    await page.locator(sel('draft-publish')).click();
    await field(page, 'publish-note').fill('新增充电桩安全巡查宣传');
    // The server refuses: 422 naming the duplicate code.
    expectConsoleError(/status of 422 .*\/api\/v1\/admission\/list-versions\/draft\/publish\)$/);
    await page.locator(sel('publish-submit')).click();
    await expect.poll(() => text(page.locator(sel('publish-error')))).toContain('XZ05');
    // A dialog: the viewport, not the full page (the overlay is fixed).
    await page.screenshot({ path: path.join(SHOTS, 'admission-lists-duplicate-1280x800.png') });
    await page.locator(sel('publish-dialog')).getByRole('button', { name: '取消' }).click();

    await field(page, 'draft-search').fill('充电桩');
    await page.locator(sel('draft-edit')).first().click();
    await field(page, 'item-code').fill('XZ58');
    await page.locator(sel('item-save')).click();
    await page.locator(sel('draft-publish')).click();
    await page.locator(sel('publish-submit')).click();
    await expect.poll(() => text(page.locator(sel('lists-versions')))).toContain('第 2 版');
    await page
      .locator(sel('lists-versions'))
      .locator('.el-table__row', { hasText: '第 2 版' })
      .getByRole('button')
      .click();
    await expect.poll(() => text(page.locator(sel('compare-result')))).toContain('新增（1）');
    expect(await text(page.locator(sel('diff-added')))).toContain('XZ58');
    await snap(page, 'admission-lists-compare');
    await page.context().close();

    const current = await (await apiAs('admin'))('GET', '/admission/lists');
    expect(current.version).toBe(2);
    expect(current.items.map((i: { code: string }) => i.code)).toContain('XZ58');
  });
});

describe('事项准入 in English (1280×800)', () => {
  it('shows the request form and its live preview in English', async () => {
    const page = await openConsole('minzheng-staff', '/admission/new');
    await page.evaluate(() => localStorage.setItem('linli.console.locale', 'en'));
    await page.reload();
    await expect.poll(() => text(page.locator('.page-head h1'))).toBe('Admission request for community work');
    await field(page, 'req-title').fill('代收辖区居民水电气费');
    await expect.poll(() => text(page.locator(sel('match-preview')))).toContain('Closest to a negative item');
    await snap(page, 'admission-request-preview-en');
    await page.context().close();
  });
});

describe('事项准入 console pages on a phone (360×740)', () => {
  it('fits every page on the screen, nothing overflowing sideways', async () => {
    const pages: [string, string, string][] = [
      ['minzheng-staff', '/admission/new', 'admission-phone-new'],
      ['minzheng-staff', '/admission/mine', 'admission-phone-mine'],
      ['admin', '/admission/review', 'admission-phone-review'],
      ['admin', '/admission/lists', 'admission-phone-lists'],
      ['admin', '/admission/oversight', 'admission-phone-oversight'],
      ['admin', '/admission/burden', 'admission-phone-burden'],
      ['hanlin-secretary', '/admission/tasks', 'admission-phone-tasks'],
    ];
    for (const [username, to, name] of pages) {
      const page = await openConsole(username, to, PHONE);
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, to).toBeLessThanOrEqual(1);
      await snap(page, name);
      await page.context().close();
    }
  });
});

describe('证明事项 in the resident app (360×740)', () => {
  it('answers whether the community can issue a certificate, and who does instead', async () => {
    const { page } = await newPage(browser, PHONE);
    await page.goto(`${server.url}/admission/certificates`);
    const box = field(page, 'cert-search');
    await box.fill('无犯罪记录证明');
    await expect.poll(() => text(page.locator(sel('cert-answer'))), { timeout: 10_000 }).toContain('不能');
    expect(await text(page.locator(sel('cert-answer')))).toContain('公安机关');
    await snap(page, 'resident-certificates-no');
    await box.fill('居住证明');
    await expect.poll(() => text(page.locator(sel('cert-answer')))).toContain('可以');
    expect(await text(page.locator(sel('cert-answer')))).toContain('怎么开');
    await snap(page, 'resident-certificates-yes');

    // The three lists in force, public, with the effective date.
    await page.locator(sel('lists-link')).click();
    await expect
      .poll(() => text(page.locator(sel('lists-version'))))
      .toMatch(/第 \d+ 版 · \d{4}-\d{2}-\d{2} 起施行/);
    await page.locator(sel('lists-tab-negative')).click();
    expect(await text(page.locator(sel('lists-group'), { hasText: 'FM05' }))).toContain('代收代缴水电气费');
    await snap(page, 'resident-admission-lists');

    // The home page's tile leads here.
    await page.goto(`${server.url}/`);
    await page.locator(sel('tile-certificates')).waitFor({ state: 'visible' });
    await snap(page, 'resident-home-certificates-tile');
    await page.context().close();
  });
});
