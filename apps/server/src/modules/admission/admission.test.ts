import ExcelJS from 'exceljs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, buildTestApp, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { FakeClock } from '../../core/clock';
import { uuidv7 } from '../../core/db/columns';
import { buildStaff, sessionAs, unitByName } from '../identity/fixtures';
import { findDepartmentByName } from '../identity/lookups';
import { orgUnits } from '../identity/schema';
import { requestBody } from './fixtures';
import { admissionTasks } from './schema';

const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
let t: TestApp;
let dept: Client;
let otherDept: Client;
let admin: Client;
let hanlinSecretary: Client;
let jiaheWorker: Client;
let ids: { hanlin: string; jiahe: string; wanan: string; foreign: string };

beforeAll(async () => {
  t = await buildTestApp({}, { clock });
  const db = t.database.db;
  const hanlin = await unitByName(db, '翰林社区');
  const jiahe = await unitByName(db, '家和社区');
  const wanan = await unitByName(db, '万安镇');
  const district = await unitByName(db, '罗江区');
  // A community of another district, for the "outside the department's district" case.
  const otherDistrictId = uuidv7();
  const otherCommunityId = uuidv7();
  await db.insert(orgUnits).values([
    {
      id: otherDistrictId,
      districtId: otherDistrictId,
      code: `zz-other-${otherDistrictId.slice(-6)}`,
      name: '旌阳区',
      kind: 'district',
      path: `/${otherDistrictId}/`,
      depth: 0,
    },
    {
      id: otherCommunityId,
      districtId: otherDistrictId,
      parentId: otherDistrictId,
      code: `zz-other-c-${otherCommunityId.slice(-6)}`,
      name: '外区社区',
      kind: 'community',
      path: `/${otherDistrictId}/${otherCommunityId}/`,
      depth: 1,
    },
  ]);
  ids = { hanlin: hanlin.id, jiahe: jiahe.id, wanan: wanan.id, foreign: otherCommunityId };
  dept = await loginAs(t.app, 'minzheng-staff');
  admin = await loginAs(t.app, 'admin');
  hanlinSecretary = await loginAs(t.app, 'hanlin-secretary');
  jiaheWorker = await loginAs(t.app, 'jiahe-worker');
  const renshe = await findDepartmentByName(db, district.districtId, '罗江区人力资源和社会保障局');
  const staff = await buildStaff(db, district, [{ role: 'department_staff', unit: district }], {
    departmentId: renshe!.id,
  });
  otherDept = await sessionAs(t.app, staff.id);
});
afterAll(() => t.close());

const file = (c: Client, over: Parameters<typeof requestBody>[0] = {}) =>
  c.post('/api/v1/admission/requests', requestBody(over));

describe('matching (POST /admission/match)', () => {
  it('answers any signed-in staff with the best matches first, each with its list and score', async () => {
    const res = await jiaheWorker.post('/api/v1/admission/match', {
      text: '请各社区代收辖区居民有线电视费和物业费',
    });
    expect(res.statusCode).toBe(200);
    const { matches } = res.json();
    expect(matches[0]).toMatchObject({ code: 'FM05', list: 'negative' });
    expect(Object.keys(matches[0]).sort()).toEqual(['code', 'list', 'name', 'score']);
    for (let i = 1; i < matches.length; i++)
      expect(matches[i].score).toBeLessThanOrEqual(matches[i - 1].score);
  });
  it('is for staff only', async () => {
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admission/match',
      payload: { text: '低保' },
    });
    expect(anonymous.statusCode).toBe(401);
    const resident = await residentLogin(t, '13800000001');
    expect((await resident.post('/api/v1/admission/match', { text: '低保' })).statusCode).toBe(403);
  });
});

describe('the issue’s flow through the API', () => {
  let burdenBefore: Record<
    string,
    { tasks: number; forms: number; meetings: number; hours: number; outsideReports: number }
  >;
  const burdenOf = async () => {
    const res = await admin.get(`/api/v1/admission/burden?orgUnitId=${ids.hanlin}&from=2026-11&to=2027-03`);
    expect(res.statusCode).toBe(200);
    const out: typeof burdenBefore = {};
    for (const r of res.json().rows) out[r.month] = r;
    return { byMonth: out, body: res.json() };
  };
  const zero = { tasks: 0, forms: 0, meetings: 0, hours: 0, outsideReports: 0 };
  const delta = (after: typeof burdenBefore, month: string, key: keyof (typeof burdenBefore)[string]) =>
    (after[month]?.[key] ?? 0) - (burdenBefore[month] ?? zero)[key];

  beforeAll(async () => {
    burdenBefore = (await burdenOf()).byMonth;
  });

  let refusedId: string;
  it('refuses a task under a negative-list item at once, citing it', async () => {
    const res = await file(dept, {
      title: '代收有线电视费和物业费',
      description: '请各社区代收辖区居民2027年度有线电视费和物业费，月底前汇总上交。',
      targets: { mode: 'chosen', orgUnitIds: [ids.hanlin] },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    refusedId = body.id;
    expect(body).toMatchObject({
      status: 'refused',
      route: 'refused_negative',
      refusal: { item: { code: 'FM05', list: 'negative' } },
      dueAt: null,
      taskCount: 0,
      abilities: ['appeal'],
    });
    expect(body.refusal.reason).toContain('FM05');
    expect(body.matches[0]).toMatchObject({ code: 'FM05', list: 'negative' });
    expect(body.matches[0].score).toBeGreaterThan(0.15);
  });

  it('lets the department appeal with a justification, which goes to review with a deadline', async () => {
    const res = await dept.post(`/api/v1/admission/requests/${refusedId}/appeal`, {
      justification: '仅代收本社区老年活动中心的水费，已与物业协商。',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'in_review',
      appeal: { justification: expect.stringContaining('水费') },
    });
    expect(res.json().dueAt).toBe('2026-12-18T09:30:00.000Z');
  });

  it('refuses a department inspecting or rating communities, citing FM07, without appeal', async () => {
    const res = await file(dept, {
      title: '民政服务站建设达标评比',
      description: '对各社区民政服务站建设情况开展季度打分排名。',
      ratesCommunities: true,
      targets: { mode: 'chosen', orgUnitIds: [ids.hanlin] },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ status: 'refused', route: 'refused_inspection', abilities: [] });
    expect(res.json().refusal.item.code).toBe('FM07');
    const appeal = await dept.post(`/api/v1/admission/requests/${res.json().id}/appeal`, {
      justification: '需要',
    });
    expect(appeal.statusCode).toBe(403);
  });

  let approvedId: string;
  let hanlinTaskId: string;
  it('fast-tracks an assisting item with funding; the approval puts one task in each target inbox', async () => {
    const res = await file(dept, {
      claimedItemCode: 'XZ05',
      targets: { mode: 'chosen', orgUnitIds: [ids.hanlin, ids.jiahe] },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      status: 'fast_track',
      route: 'fast_track',
      matchedItem: { code: 'XZ05', list: 'assist' },
      claimedItem: { code: 'XZ05' },
      targetCount: 2,
    });
    approvedId = res.json().id;
    // The fast track only needs the office's confirmation: 5 working days.
    expect(res.json().dueAt).toBe('2026-12-04T09:30:00.000Z');
    // Nothing reaches a community before the decision.
    expect(
      await t.database.db.select().from(admissionTasks).where(eq(admissionTasks.requestId, approvedId)),
    ).toEqual([]);

    const queue = await admin.get('/api/v1/admission/requests?queue=review');
    expect(queue.json().items.map((r: { id: string }) => r.id)).toContain(approvedId);

    const decided = await admin.post(`/api/v1/admission/requests/${approvedId}/decide`, {
      decision: 'approve',
      reasons: '属协助事项，经费到位',
    });
    expect(decided.statusCode).toBe(200);
    expect(decided.json()).toMatchObject({
      status: 'approved',
      decision: { outcome: 'approve' },
      termStart: '2026-12-01',
      termEnd: '2027-02-28',
      taskCount: 2,
    });

    // Both target communities' staff were told, in the same transaction as the tasks.
    for (const c of [hanlinSecretary, jiaheWorker]) {
      const messages = (await c.get('/api/v1/messages?limit=50')).json().items as {
        title: string;
        link: string;
      }[];
      expect(messages.filter((m) => m.link === '/console/admission/tasks').map((m) => m.title)).toContain(
        `新的准入任务：${(await hanlinSecretary.get(`/api/v1/admission/requests/${approvedId}`)).json().title}`,
      );
    }

    const inbox = await hanlinSecretary.get('/api/v1/admission/tasks');
    expect(inbox.statusCode).toBe(200);
    const task = inbox.json().items.find((x: { requestId: string }) => x.requestId === approvedId);
    expect(task).toMatchObject({
      status: 'open',
      orgUnit: { id: ids.hanlin },
      department: { name: '罗江区民政局' },
      fundingNote: expect.stringContaining('400'),
      requiredForms: [{ name: '核查登记表', frequency: 'monthly', fieldCount: 12 }],
      abilities: ['acknowledge'],
    });
    hanlinTaskId = task.id;
    const dept2 = await dept.get(`/api/v1/admission/requests/${approvedId}`);
    expect(
      dept2
        .json()
        .tasks.map((x: { orgUnit: { id: string } }) => x.orgUnit.id)
        .sort(),
    ).toEqual([ids.hanlin, ids.jiahe].sort());
  });

  it('answers 409 to a second decision on a decided request', async () => {
    const res = await admin.post(`/api/v1/admission/requests/${approvedId}/decide`, {
      decision: 'reject',
      reasons: '再议',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'invalid-transition', state: 'approved' });
  });

  it('keeps another community out of the task: 404 to see it or complete it', async () => {
    expect((await jiaheWorker.get(`/api/v1/admission/tasks/${hanlinTaskId}`)).statusCode).toBe(404);
    const complete = await jiaheWorker.post(`/api/v1/admission/tasks/${hanlinTaskId}/complete`, {
      evidence: '不是我们的',
    });
    expect(complete.statusCode).toBe(404);
    const own = await jiaheWorker.get('/api/v1/admission/tasks');
    expect(own.json().items.every((x: { orgUnit: { id: string } }) => x.orgUnit.id === ids.jiahe)).toBe(true);
  });

  it('lets the community acknowledge, report progress and complete the task with evidence', async () => {
    const early = await hanlinSecretary.post(`/api/v1/admission/tasks/${hanlinTaskId}/complete`, {
      evidence: '已完成',
    });
    expect(early.statusCode).toBe(409);
    expect(early.json().state).toBe('open');
    const ack = await hanlinSecretary.post(`/api/v1/admission/tasks/${hanlinTaskId}/acknowledge`, {});
    expect(ack.json()).toMatchObject({ status: 'acknowledged', abilities: ['progress', 'complete'] });
    const progress = await hanlinSecretary.post(`/api/v1/admission/tasks/${hanlinTaskId}/progress`, {
      percent: 50,
      note: '已核查 40 户',
    });
    expect(progress.json()).toMatchObject({ status: 'acknowledged', progressPercent: 50 });
    const done = await hanlinSecretary.post(`/api/v1/admission/tasks/${hanlinTaskId}/complete`, {
      evidence: '核查登记表 95 份已归档',
    });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({
      status: 'completed',
      progressPercent: 100,
      evidence: '核查登记表 95 份已归档',
    });
    expect(done.json().events.map((e: { step: string }) => e.step)).toEqual([
      'assign',
      'acknowledge',
      'progress',
      'complete',
    ]);
    const seen = await dept.get(`/api/v1/admission/requests/${approvedId}`);
    expect(seen.json().tasks.find((x: { id: string }) => x.id === hanlinTaskId).status).toBe('completed');
  });

  let reviewId: string;
  it('sends an unlisted task to full review with a 15-working-day deadline and takes secretaries’ comments', async () => {
    const res = await file(dept, {
      title: '文旅节宣传转发',
      description: '请各社区组织居民在朋友圈转发文旅节宣传海报并截图上报。',
      targets: { mode: 'town', orgUnitIds: [ids.wanan] },
      fundingYuanPerMonth: 0,
    });
    expect(res.statusCode).toBe(201);
    reviewId = res.json().id;
    expect(res.json()).toMatchObject({ status: 'in_review', route: 'full_review', matchedItem: null });
    expect(res.json().dueAt).toBe('2026-12-18T09:30:00.000Z');
    expect(res.json().targets.map((u: { id: string }) => u.id)).toContain(ids.hanlin);
    expect(res.json().targets.map((u: { id: string }) => u.id)).not.toContain(ids.jiahe);

    const mine = await hanlinSecretary.get('/api/v1/admission/requests?queue=comment');
    expect(mine.json().items.map((r: { id: string }) => r.id)).toContain(reviewId);
    const comment = await hanlinSecretary.post(`/api/v1/admission/requests/${reviewId}/comments`, {
      body: '社区无力每周截图上报，建议取消。',
    });
    expect(comment.statusCode).toBe(201);
    expect(comment.json().comments).toMatchObject([
      { orgUnit: { id: ids.hanlin }, body: expect.stringContaining('截图') },
    ]);
    // 家和社区 (金山镇) is not a target: the request does not exist for it.
    expect((await jiaheWorker.get(`/api/v1/admission/requests/${reviewId}`)).statusCode).toBe(404);
  });

  it('rejects with a reason (none: 422 naming it) and nothing reaches any community', async () => {
    const bare = await admin.post(`/api/v1/admission/requests/${reviewId}/decide`, { decision: 'reject' });
    expect(bare.statusCode).toBe(422);
    expect(bare.json().errors[0].field).toBe('body/reasons');
    const res = await admin.post(`/api/v1/admission/requests/${reviewId}/decide`, {
      decision: 'reject',
      reasons: '未列入清单，且属过度留痕。',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'rejected',
      decision: { outcome: 'reject', reasons: '未列入清单，且属过度留痕。' },
      taskCount: 0,
    });
    expect(
      await t.database.db.select().from(admissionTasks).where(eq(admissionTasks.requestId, reviewId)),
    ).toEqual([]);
    const messages = await dept.get('/api/v1/messages');
    expect(messages.json().items.some((m: { title: string }) => m.title.includes('不予准入'))).toBe(true);
  });

  let reportId: string;
  it('puts a task pushed outside the system into the oversight queue', async () => {
    const res = await hanlinSecretary.post('/api/v1/admission/outside-reports', {
      departmentName: '区创文办',
      kind: 'meeting',
      what: '电话通知社区书记每周参加创文推进会',
      happenedOn: '2026-11-26',
      channel: '电话',
      estimatedHours: 2,
    });
    expect(res.statusCode).toBe(201);
    reportId = res.json().id;
    expect(res.json()).toMatchObject({
      status: 'open',
      orgUnit: { id: ids.hanlin },
      departmentName: '区创文办',
    });
    const queue = await admin.get('/api/v1/admission/outside-reports?status=open');
    expect(queue.json().items.map((r: { id: string }) => r.id)).toContain(reportId);
    const theirs = await jiaheWorker.get('/api/v1/admission/outside-reports');
    expect(theirs.json().items.map((r: { id: string }) => r.id)).not.toContain(reportId);
    expect((await dept.get('/api/v1/admission/outside-reports')).statusCode).toBe(403);
    const handled = await admin.post(`/api/v1/admission/outside-reports/${reportId}/handle`, {
      note: '已约谈创文办',
    });
    expect(handled.json()).toMatchObject({ status: 'handled', handlingNote: '已约谈创文办' });
    const again = await admin.post(`/api/v1/admission/outside-reports/${reportId}/handle`, { note: '再次' });
    expect(again.statusCode).toBe(409);
  });

  it('shows all of it in the burden index, by month and by department, and exports the month', async () => {
    const { byMonth: after, body } = await burdenOf();
    // The approved recurring task weighs on every month of its term (Dec–Feb), nothing else did.
    for (const m of ['2026-12', '2027-01', '2027-02']) {
      expect(delta(after, m, 'tasks'), m).toBe(1);
      expect(delta(after, m, 'forms'), m).toBe(1);
      expect(delta(after, m, 'meetings'), m).toBe(1);
      expect(delta(after, m, 'hours'), m).toBe(8);
    }
    expect(delta(after, '2027-03', 'tasks')).toBe(0);
    // The outside report: one meeting, 2 hours, in November.
    expect(delta(after, '2026-11', 'outsideReports')).toBe(1);
    expect(delta(after, '2026-11', 'meetings')).toBe(1);
    expect(delta(after, '2026-11', 'hours')).toBe(2);
    expect(body.byDepartment.map((d: { department: string }) => d.department)).toEqual(
      expect.arrayContaining(['罗江区民政局', '区创文办']),
    );
    expect(body.byMonth.find((m: { month: string }) => m.month === '2026-12').tasks).toBeGreaterThanOrEqual(
      1,
    );
    // What never reached the community is there too: refused and rejected requests by department.
    const minzheng = body.requests.find((d: { department: string }) => d.department === '罗江区民政局');
    expect(minzheng.refused).toBeGreaterThanOrEqual(1);
    expect(minzheng.rejected).toBeGreaterThanOrEqual(1);
    expect(minzheng.approved).toBeGreaterThanOrEqual(1);
    expect(minzheng.inReview).toBeGreaterThanOrEqual(1);

    const xlsx = await admin.get(`/api/v1/admission/burden/export.xlsx?month=2026-12&orgUnitId=${ids.wanan}`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const rows = sheet.getSheetValues().filter(Boolean) as unknown[][];
    expect(rows[0]).toContain('报表台账');
    const hanlinRow = rows.find((r) => r.includes('翰林社区'))!;
    expect(hanlinRow).toContain('万安镇');
    expect(book.worksheets[1]!.name).toBe('按部门');
  });

  it('keeps the burden index to those who may see it', async () => {
    expect((await dept.get('/api/v1/admission/burden')).statusCode).toBe(403);
    expect((await jiaheWorker.get('/api/v1/admission/burden')).statusCode).toBe(403);
    const own = await hanlinSecretary.get('/api/v1/admission/burden');
    expect(own.statusCode).toBe(200);
    expect(own.json().rows.every((r: { orgUnit: { id: string } }) => r.orgUnit.id === ids.hanlin)).toBe(true);
    const bad = await admin.get('/api/v1/admission/burden?from=2027-03&to=2027-01');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring/to');
  });

  it('withdraws (退出) an approved admission: open tasks end, completed ones stay', async () => {
    const res = await admin.post(`/api/v1/admission/requests/${approvedId}/withdraw`, {
      reason: '经费未到位',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'withdrawn', withdrawal: { reason: '经费未到位' } });
    const statuses = Object.fromEntries(
      res.json().tasks.map((x: { orgUnit: { id: string }; status: string }) => [x.orgUnit.id, x.status]),
    );
    expect(statuses).toEqual({ [ids.hanlin]: 'completed', [ids.jiahe]: 'withdrawn' });
  });
});

describe('bad input', () => {
  it('answers 422 naming legalBasis when it is missing or blank', async () => {
    for (const legalBasis of [undefined, '   ']) {
      const body = requestBody({ legalBasis });
      if (legalBasis === undefined) delete body.legalBasis;
      const res = await dept.post('/api/v1/admission/requests', body);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['body/legalBasis']);
    }
  });

  it("answers 403 to targets outside the department's district", async () => {
    const res = await file(dept, { targets: { mode: 'chosen', orgUnitIds: [ids.hanlin, ids.foreign] } });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toContain('外区社区');
  });

  it('answers 422 to a town given as a chosen community, and to an unknown claimed item', async () => {
    const wrong = await file(dept, { targets: { mode: 'chosen', orgUnitIds: [ids.wanan] } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0].field).toBe('body/targets/orgUnitIds');
    const claimed = await file(dept, { claimedItemCode: 'XX99' });
    expect(claimed.statusCode).toBe(422);
    expect(claimed.json().errors[0].field).toBe('body/claimedItemCode');
  });

  it('lets only department staff file and only the admission office decide', async () => {
    expect((await file(jiaheWorker)).statusCode).toBe(403);
    const res = await file(dept, { targets: { mode: 'chosen', orgUnitIds: [ids.hanlin] } });
    expect(
      (await dept.post(`/api/v1/admission/requests/${res.json().id}/decide`, { decision: 'approve' }))
        .statusCode,
    ).toBe(403);
  });
});

describe('scope', () => {
  it("hides a department's request from another department", async () => {
    const res = await file(dept, { targets: { mode: 'chosen', orgUnitIds: [ids.hanlin] } });
    const id = res.json().id;
    expect((await otherDept.get(`/api/v1/admission/requests/${id}`)).statusCode).toBe(404);
    const theirs = await otherDept.get('/api/v1/admission/requests');
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json().items.map((r: { id: string }) => r.id)).not.toContain(id);
    const ours = await dept.get('/api/v1/admission/requests?queue=mine');
    expect(ours.json().items.map((r: { id: string }) => r.id)).toContain(id);
  });
});

describe('certificates (public)', () => {
  const ask = (q: string) => t.app.inject(`/api/v1/admission/certificates?q=${encodeURIComponent(q)}`);
  it('says no, and who issues it instead', async () => {
    const res = await ask('无犯罪记录证明');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ answer: 'may_not_issue', best: { name: '无犯罪记录证明' } });
    expect(res.json().best.issuedBy).toContain('公安');
    expect((await ask('开单身证明')).json()).toMatchObject({
      answer: 'may_not_issue',
      best: { code: 'BZ03' },
    });
    expect((await ask('健在证明')).json().best.issuedBy).toContain('认证');
  });
  it('says yes, and how', async () => {
    const res = await ask('居住证明');
    expect(res.json()).toMatchObject({ answer: 'may_issue', best: { code: 'ZM01' } });
    expect(res.json().best.howToIssue).toBeTruthy();
    expect((await ask('家庭经济困难证明')).json().best.code).toBe('ZM02');
  });
  it('says it does not know, and lists both lists without a question', async () => {
    expect((await ask('火星签证')).json()).toMatchObject({ answer: 'unknown', best: null });
    const all = (await t.app.inject('/api/v1/admission/certificates')).json();
    expect(all.mayIssue).toHaveLength(4);
    expect(all.mayNotIssue.length).toBeGreaterThanOrEqual(15);
  });
});

describe('list versions', () => {
  it('shows the lists in force to anyone: version 1 with 14 / 57 / 10 items', async () => {
    const res = await t.app.inject('/api/v1/admission/lists');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ version: 1, counts: { self: 14, assist: 57, negative: 10 } });
  });

  it('edits a draft, refuses to publish duplicate codes (422 naming them), publishes and compares', async () => {
    expect((await dept.post('/api/v1/admission/list-versions/draft')).statusCode).toBe(403);
    const created = await admin.post('/api/v1/admission/list-versions/draft');
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ version: 2, status: 'draft' });
    expect((await admin.post('/api/v1/admission/list-versions/draft')).statusCode).toBe(409);

    const items = created.json().items as { code: string; name: string }[];
    const edited = items
      .filter((i) => i.code !== 'ZZ14')
      .map((i) => (i.code === 'XZ06' ? { ...i, name: `${i.name}（含特殊困难老年人月探访）` } : i));
    const added = {
      ...items.find((i) => i.code === 'XZ57')!,
      code: 'XZ58',
      name: '协助开展适老化改造需求摸排',
    };
    const dup = { ...added, name: '重复编码' };
    const saved = await admin.request({
      method: 'PUT',
      url: '/api/v1/admission/list-versions/draft',
      payload: { items: [...edited, added, dup], changeNote: '草稿' },
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().duplicateCodes).toEqual(['XZ58']);

    const refused = await admin.post('/api/v1/admission/list-versions/draft/publish', {
      effectiveDate: '2026-11-27',
      changeNote: '新增适老化改造',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().detail).toContain('XZ58');
    expect(refused.json().errors[0]).toMatchObject({
      field: 'items',
      message: expect.stringContaining('XZ58'),
    });

    await admin.request({
      method: 'PUT',
      url: '/api/v1/admission/list-versions/draft',
      payload: { items: [...edited, added] },
    });
    const published = await admin.post('/api/v1/admission/list-versions/draft/publish', {
      effectiveDate: '2026-11-27',
      changeNote: '新增适老化改造，删除 ZZ14，修订 XZ06',
    });
    expect(published.statusCode).toBe(200);
    expect(published.json()).toMatchObject({ version: 2, status: 'published', current: true });

    const diff = await dept.get('/api/v1/admission/list-versions/compare?from=1&to=2');
    expect(diff.statusCode).toBe(200);
    expect(diff.json().added.map((i: { code: string }) => i.code)).toEqual(['XZ58']);
    expect(diff.json().removed.map((i: { code: string }) => i.code)).toEqual(['ZZ14']);
    expect(diff.json().changed).toMatchObject([{ code: 'XZ06', fields: ['name'] }]);

    const lists = (await t.app.inject('/api/v1/admission/lists')).json();
    expect(lists).toMatchObject({ version: 2, counts: { self: 13, assist: 58, negative: 10 } });
    const draft3 = await admin.post('/api/v1/admission/list-versions/draft');
    expect(draft3.json()).toMatchObject({ version: 3, status: 'draft', current: false });
    expect((await dept.get('/api/v1/admission/list-versions/3')).statusCode).toBe(404);
    expect((await admin.get('/api/v1/admission/list-versions/3')).statusCode).toBe(200);
    expect((await admin.post('/api/v1/admission/list-versions/draft/discard')).statusCode).toBe(200);
    expect((await admin.get('/api/v1/admission/list-versions/draft')).statusCode).toBe(404);

    const versions = (await dept.get('/api/v1/admission/list-versions')).json().items;
    expect(versions.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([
      [2, true],
      [1, false],
    ]);
  });
});
