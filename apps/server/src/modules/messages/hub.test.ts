import type { Message, MessagePage, NotificationPreferences } from '@linli/contracts';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, type TestApp } from '../../../test/harness';
import { auditLog } from '../../core/schema';
import { FakeClock } from '../../core/clock';
import { caseDispatched, caseOverdue } from '../cases/events';
import { accountByUsername } from '../cases/fixtures';
import { admissionTaskAssigned } from '../admission/events';
import { buildResident, sessionAs, type UnitRow, unitByName } from '../identity/fixtures';
import { buildApplication, itemByName } from '../service-guide/applications-fixtures';
import { runDailyDigest } from './deliveries';
import { notify, staffHolding } from './hub';
import { notificationDeliveries } from './schema';

/**
 * The hub through the API and the job runner (the development `log` SMS sender; the real
 * providers and WeChat have their own test against fakes): a module's event becomes the
 * person's message and, per their choices, a text the runner sends; quiet hours; preferences;
 * the morning digest; the inbox's filters and counts.
 */

let t: TestApp;
// Wednesday 2 December 2026, 10:00 Beijing.
const clock = new FakeClock(new Date('2026-12-02T02:00:00Z'));
let workerId: string;
let jiahe: UnitRow;
let hanlin: UnitRow;
let itemId: string;

beforeAll(async () => {
  t = await buildTestApp({}, { clock });
  workerId = (await accountByUsername(t.database.db, 'jiahe-worker')).id;
  jiahe = await unitByName(t.database.db, '家和社区');
  hanlin = await unitByName(t.database.db, '翰林社区');
  itemId = (await itemByName(t.database.db, '最低生活保障')).id;
});
afterAll(async () => {
  await t.close();
});

let phoneSeq = 0;
/** A resident of 家和社区 with a submitted 最低生活保障 application, signed in. */
async function applicant() {
  const phone = `1370022${String(++phoneSeq).padStart(4, '0')}`;
  const resident = await buildResident(t.database.db, jiahe.districtId, jiahe, phone);
  const application = await buildApplication(t.database.db, {
    orgUnitId: jiahe.id,
    itemId,
    residentId: resident.id,
    status: 'submitted',
    at: clock.now(),
  });
  return {
    phone,
    id: resident.id,
    client: await sessionAs(t.app, resident.id),
    applicationId: application.id,
    /** The receipt number (受理编号) every step's message quotes. */
    number: application.number,
  };
}

/** The worker takes a step (signed in afresh: the clock jumps hours between tests). */
async function step(applicationId: string, name: string, body: unknown = {}) {
  const worker = await sessionAs(t.app, workerId);
  const res = await worker.post(`/api/v1/applications/${applicationId}/${name}`, body);
  expect(res.statusCode, res.body).toBe(200);
}

const inbox = async (c: Client, query = '') => {
  const res = await c.get(`/api/v1/messages?limit=100${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as MessagePage;
};

const deliveriesOf = (accountId: string) =>
  t.database.db
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.accountId, accountId))
    .orderBy(asc(notificationDeliveries.id));

const sends = async () => (await t.app.jobs.runDue()).filter((r) => r.name === 'messages.deliver');

describe('a 办件 step', () => {
  it("writes the resident's message and queues a text, which the job runner sends through the provider", async () => {
    const a = await applicant();
    await step(a.applicationId, 'pre-review');
    const [m] = (await inbox(a.client)).items;
    expect(m).toMatchObject({
      eventCode: 'service-guide.application_step',
      title: '办件已预审：最低生活保障',
      body: `您申请的“最低生活保障”已预审。受理编号：${a.number}。`,
      link: `/applications/${a.applicationId}`,
      deliveries: [{ channel: 'sms', status: 'queued', attempts: 0, sentAt: null }],
    });
    // Nothing leaves before the runner runs: the outbox commits with the step.
    expect(t.otp.texts(a.phone)).toEqual([]);
    expect(await sends()).toMatchObject([{ state: 'done' }]);
    expect(t.otp.texts(a.phone)).toEqual([
      `【邻里+】您申请的“最低生活保障”（受理编号${a.number}）已预审，详情请在邻里+“我的办件”中查看。`,
    ]);
    const [after] = (await inbox(a.client)).items;
    expect(after!.deliveries).toEqual([
      expect.objectContaining({
        status: 'sent',
        attempts: 1,
        sentAt: clock.now().toISOString(),
        errorCode: null,
      }),
    ]);
    // A second run sends nothing again.
    expect(await sends()).toEqual([]);
    expect(t.otp.texts(a.phone)).toHaveLength(1);
  });

  it('is held through quiet hours: a step at 23:00 is texted at 08:00, while a sign-in code at 23:00 goes at once', async () => {
    const a = await applicant();
    clock.set('2026-12-02T15:00:00Z'); // 23:00 Beijing
    try {
      await step(a.applicationId, 'pre-review');
      expect(await sends()).toMatchObject([{ state: 'done' }]);
      expect(t.otp.texts(a.phone)).toEqual([]);
      const [held] = await deliveriesOf(a.id);
      expect(held).toMatchObject({ status: 'queued', attempts: 0 });
      expect(held!.notBefore.toISOString()).toBe('2026-12-03T00:00:00.000Z'); // 08:00 Beijing

      // A one-time code is not a notification: it goes now.
      const otp = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/otp',
        payload: { phone: a.phone },
      });
      expect(otp.statusCode, otp.body).toBe(200);
      expect(t.otp.texts(a.phone)).toEqual([
        expect.stringMatching(/^【邻里\+】您的登录验证码为\d{6}，5分钟内有效/),
      ]);

      clock.set('2026-12-02T23:59:00Z');
      expect(await sends()).toEqual([]);
      clock.set('2026-12-03T00:00:00Z');
      expect(await sends()).toMatchObject([{ state: 'done' }]);
      expect(t.otp.texts(a.phone)).toHaveLength(2);
      expect(t.otp.texts(a.phone)[1]).toContain('已预审');
      expect((await deliveriesOf(a.id))[0]).toMatchObject({ status: 'sent', attempts: 1 });
    } finally {
      clock.set('2026-12-03T02:00:00Z');
    }
  });

  it("follows the person's choices: no text when they turned texts off, English when they chose it", async () => {
    const a = await applicant();
    const res = await a.client.request({
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      payload: { locale: 'en', events: [{ code: 'service-guide.application_step', sms: 'off' }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const prefs = res.json() as NotificationPreferences;
    expect(prefs.locale).toBe('en');
    expect(prefs.events.find((e) => e.code === 'service-guide.application_step')).toEqual({
      code: 'service-guide.application_step',
      module: 'service-guide',
      name: { zh: '办件进度', en: 'Application progress' },
      audience: 'resident',
      sms: 'off',
      smsModes: ['immediate', 'digest', 'off'],
      wechat: true,
      defaults: { sms: 'immediate', wechat: true },
    });
    // Residents choose among the events residents receive.
    expect(prefs.events.map((e) => e.audience)).not.toContain('staff');
    expect(prefs.hasPhone).toBe(true);

    await step(a.applicationId, 'request-more', { missingMaterials: ['户口簿'] });
    const [m] = (await inbox(a.client)).items;
    expect(m).toMatchObject({
      title: 'Application needs more materials: 最低生活保障',
      body: `Your application for “最低生活保障” needs more materials: 户口簿. Please add them in My applications. Receipt number: ${a.number}.`,
      deliveries: [],
    });
    expect(await deliveriesOf(a.id)).toEqual([]);

    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'notification_preferences.update'), eq(auditLog.entityId, a.id)));
    expect(audit!.changes).toMatchObject({
      locale: { before: 'zh-CN', after: 'en' },
      'service-guide.application_step': {
        before: { sms: 'immediate', wechat: true },
        after: { sms: 'off', wechat: true },
      },
    });
  });

  it('answers 400 naming the field for an event the person does not receive, twice named, or a channel it lacks', async () => {
    const a = await applicant();
    const put = (payload: unknown) =>
      a.client.request({ method: 'PUT', url: '/api/v1/me/notification-preferences', payload });
    const fields = async (payload: unknown) => {
      const res = await put(payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      return (res.json().errors as { field: string }[]).map((e) => e.field);
    };
    expect(await fields({ events: [{ code: 'cases.overdue', sms: 'off' }] })).toEqual(['body/events/0/code']);
    expect(await fields({ events: [{ code: 'nothing.here', sms: 'off' }] })).toEqual(['body/events/0/code']);
    // An event only in the app has no texts to choose.
    expect(await fields({ events: [{ code: 'cases.reported', sms: 'immediate' }] })).toEqual([
      'body/events/0/sms',
    ]);
    expect(
      await fields({
        events: [
          { code: 'cases.step', wechat: false },
          { code: 'cases.step', sms: 'off' },
        ],
      }),
    ).toEqual(['body/events/1/code']);
    expect((await put({ locale: 'fr' })).statusCode).toBe(400);
    // Staff choose among every event; a channel the event lacks is named.
    const squad = await loginAs(t.app, 'hanlin-squad1');
    const bad = await squad.request({
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      payload: { events: [{ code: 'cases.dispatched', sms: 'digest', wechat: true }] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['body/events/0/wechat']);
    // The digest cannot come in the digest.
    const digest = await squad.request({
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      payload: { events: [{ code: 'messages.daily_digest', sms: 'digest' }] },
    });
    expect(digest.json().errors.map((e: { field: string }) => e.field)).toEqual(['body/events/0/sms']);
    // Nothing was half-written.
    const prefs = (
      await a.client.get('/api/v1/me/notification-preferences')
    ).json() as NotificationPreferences;
    expect(prefs.events.find((e) => e.code === 'cases.step')).toMatchObject({ sms: 'off', wechat: true });
  });
});

describe('the inbox', () => {
  it('filters by unread, by event or module and by day; marks one and all read; counts unread', async () => {
    const secretary = await loginAs(t.app, 'hanlin-secretary');
    const me = (await accountByUsername(t.database.db, 'hanlin-secretary')).id;
    const before = (await inbox(secretary)).items.length;
    const send = (event: typeof caseDispatched | typeof caseOverdue, at: string, n: string) =>
      t.database.db.transaction((tx) =>
        event === caseDispatched
          ? notify(
              tx,
              [me],
              caseDispatched,
              { caseId: 'c', number: n, category: '小广告' },
              { at: new Date(at) },
            )
          : notify(
              tx,
              [me],
              caseOverdue,
              { caseId: 'c', number: n, card: { 'zh-CN': '黄牌', en: 'yellow card' }, status: '已派遣' },
              { at: new Date(at) },
            ),
      );
    await send(caseDispatched, '2026-11-01T03:00:00Z', 'N1'); // 1 November, Beijing
    await send(caseOverdue, '2026-11-02T03:00:00Z', 'N2');
    await send(caseOverdue, '2026-11-02T17:00:00Z', 'N3'); // 3 November 01:00 Beijing
    await t.database.db.transaction((tx) =>
      notify(
        tx,
        [me],
        admissionTaskAssigned,
        { title: '创文宣传', termEnd: '2027-02-28' },
        { at: clock.now() },
      ),
    );

    const titles = async (q: string) => (await inbox(secretary, q)).items.map((m: Message) => m.title);
    expect(await titles('&event=cases')).toEqual(['案件超时黄牌：N3', '案件超时黄牌：N2', '新派遣案件：N1']);
    expect(await titles('&event=cases.overdue')).toEqual(['案件超时黄牌：N3', '案件超时黄牌：N2']);
    // (The demo district's approved requests left the secretary tasks too.)
    expect(await titles('&event=admission')).toContain('新的准入任务：创文宣传');
    expect(await titles('&event=admission')).not.toContain('新派遣案件：N1');
    expect(await titles('&from=2026-11-02&to=2026-11-02')).toEqual(['案件超时黄牌：N2']);
    expect(await titles('&event=cases&from=2026-11-03')).toEqual(['案件超时黄牌：N3']);
    const bad = await secretary.get('/api/v1/messages?from=2026-11-03&to=2026-11-02');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring/to');

    const all = await inbox(secretary);
    expect(all.items).toHaveLength(before + 4);
    const count = (await secretary.get('/api/v1/messages/unread-count')).json();
    expect(count).toEqual({ unread: all.unread, latest: all.items[0]!.id });

    const read = await secretary.post(`/api/v1/messages/${all.items[0]!.id}/read`);
    expect(read.json().readAt).toBe(clock.now().toISOString());
    expect((await secretary.get('/api/v1/messages/unread-count')).json().unread).toBe(all.unread - 1);

    const marked = await secretary.post('/api/v1/messages/read-all', { event: 'cases' });
    expect(marked.json()).toEqual({ marked: 3, unread: all.unread - 4 });
    expect(await titles('&unread=true&event=cases')).toEqual([]);
    expect((await secretary.post('/api/v1/messages/read-all', {})).json().unread).toBe(0);
    expect((await secretary.get('/api/v1/messages/unread-count')).json()).toEqual({
      unread: 0,
      latest: null,
    });
  });
});

describe('the morning digest', () => {
  it('texts once a person who chose the digest and has unread messages of those events, and nobody else', async () => {
    const db = t.database.db;
    const townAdmin = (await accountByUsername(db, 'wanan-admin')).id; // 13800000116
    const admin = (await accountByUsername(db, 'admin')).id; // 13800000100
    const secretaryId = (await accountByUsername(db, 'hanlin-secretary')).id; // 13800000101
    // The secretary wants overdue cases texted at once.
    const secretary = await loginAs(t.app, 'hanlin-secretary');
    await secretary.request({
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      payload: { events: [{ code: 'cases.overdue', sms: 'immediate' }] },
    });
    // Thursday 08:30: the day's digest slot runs, as on a running server.
    clock.set('2026-12-03T00:30:00Z');
    expect((await t.app.jobs.runDue()).filter((r) => r.name === 'messages.dailyDigest')).toHaveLength(1);
    clock.set('2026-12-03T07:00:00Z'); // Thursday 15:00
    const overdue = (n: string) =>
      db.transaction((tx) =>
        notify(
          tx,
          [townAdmin, admin, secretaryId],
          caseOverdue,
          { caseId: 'c', number: n, card: { 'zh-CN': '红牌', en: 'red card' }, status: '处置中' },
          { at: clock.now() },
        ),
      );
    await overdue('D1');
    await overdue('D2');
    // The district administrator reads theirs the same afternoon: nothing pending for them.
    const adminClient = await loginAs(t.app, 'admin');
    await adminClient.post('/api/v1/messages/read-all', { event: 'cases.overdue' });
    // Digest by default: no text now, except for the secretary who asked for them at once.
    expect((await deliveriesOf(townAdmin)).map((d) => d.eventCode)).toEqual([]);
    expect(
      (await deliveriesOf(secretaryId)).filter((d) => d.eventCode === 'cases.overdue').map((d) => d.status),
    ).toEqual(['queued', 'queued']);
    await sends();
    const secretaryTexts = t.otp.texts('13800000101').length;

    clock.set('2026-12-04T00:30:00Z'); // Friday 08:30: the digest's slot
    const runs = await t.app.jobs.runDue();
    expect(runs.filter((r) => r.name === 'messages.dailyDigest')).toMatchObject([{ state: 'done' }]);
    expect(t.otp.texts('13800000116').at(-1)).toBe(
      '【邻里+】您有2条未读消息：案件超时（黄牌、红牌）2条。请登录邻里+查看。',
    );
    expect(await deliveriesOf(townAdmin)).toMatchObject([
      { eventCode: 'messages.daily_digest', channel: 'sms', status: 'sent', messageId: null },
    ]);
    expect(await deliveriesOf(admin)).toEqual([]);
    // The secretary had theirs one by one: no digest on top.
    expect(t.otp.texts('13800000101')).toHaveLength(secretaryTexts);
    // Someone who turned the digest itself off gets none, however much is pending.
    const squadId = (await accountByUsername(db, 'hanlin-squad1')).id;
    const squadClient = await loginAs(t.app, 'hanlin-squad1');
    await squadClient.request({
      method: 'PUT',
      url: '/api/v1/me/notification-preferences',
      payload: { events: [{ code: 'messages.daily_digest', sms: 'off' }] },
    });
    clock.set('2026-12-04T07:00:00Z');
    await db.transaction((tx) =>
      notify(
        tx,
        [squadId, townAdmin],
        caseOverdue,
        { caseId: 'c', number: 'D3', card: { 'zh-CN': '黄牌', en: 'yellow card' }, status: '已派遣' },
        { at: clock.now() },
      ),
    );
    clock.set('2026-12-05T00:30:00Z'); // Saturday 08:30
    await t.app.jobs.runDue();
    expect((await deliveriesOf(squadId)).filter((d) => d.eventCode === 'messages.daily_digest')).toEqual([]);
    expect(t.otp.texts('13800000116').at(-1)).toBe(
      '【邻里+】您有1条未读消息：案件超时（黄牌、红牌）1条。请登录邻里+查看。',
    );
    // Once a day, however often it runs.
    expect(await runDailyDigest({ db, clock })).toEqual({ queued: 0 });
  });
});

describe('who hears about work', () => {
  it('finds the staff holding a permission over a unit or an ancestor of it, and not beside it', async () => {
    const db = t.database.db;
    const id = async (u: string) => (await accountByUsername(db, u)).id;
    const overHanlin = await staffHolding(db, 'cases.supervise', hanlin.id);
    expect(overHanlin).toEqual(expect.arrayContaining([await id('wanan-admin'), await id('admin')]));
    expect(overHanlin).not.toContain(await id('hanlin-secretary'));
    const overJiahe = await staffHolding(db, 'cases.supervise', jiahe.id);
    expect(overJiahe).toContain(await id('admin'));
    expect(overJiahe).not.toContain(await id('wanan-admin'));
  });
});
