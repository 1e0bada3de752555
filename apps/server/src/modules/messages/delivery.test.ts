import type { MessagePage, NotificationPreferences } from '@linli/contracts';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AliyunSmsFake, startAliyunSmsFake } from '../../../test/fakes/aliyun-sms';
import { startTencentSmsFake, type TencentSmsFake } from '../../../test/fakes/tencent-sms';
import { startWechatFake, type WechatFake } from '../../../test/fakes/wechat';
import { buildTestApp, Client, type TestApp } from '../../../test/harness';
import { type Config, loadConfig } from '../../config';
import { FakeClock } from '../../core/clock';
import { jobs } from '../../core/jobs';
import { accountByUsername } from '../cases/fixtures';
import { buildResident, sessionAs, type UnitRow, unitByName } from '../identity/fixtures';
import { buildApplication, itemByName } from '../service-guide/applications-fixtures';
import { DELIVERY_MAX_ATTEMPTS, deliveryCollectors } from './deliveries';
import { notificationDeliveries } from './schema';

/**
 * The outbox against loopback fakes of the real providers, through their official SDKs: a text
 * reaches Alibaba Cloud or Tencent Cloud with its approved template; a refusal that a retry will
 * not change is recorded against the message and not retried; throttling and silence are retried
 * with back-off until the runner gives up; WeChat subscription messages go to the person's bound
 * openid; and one-time codes reach the provider on a production server.
 */

const KEYS = {
  ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI5tTestKey',
  ALIYUN_SMS_ACCESS_KEY_SECRET: 'test-secret',
  TENCENT_SMS_SECRET_ID: 'AKIDtest',
  TENCENT_SMS_SECRET_KEY: 'test-key',
  TENCENT_SMS_SDK_APP_ID: '1400123456',
};
const WECHAT = { WECHAT_APPID: 'wx0123456789abcdef', WECHAT_SECRET: 'wechat-secret' };

/** The settings a test app takes from these variables (the notification ones only). */
function notifyConfig(env: Record<string, string>): Partial<Config> {
  const c = loadConfig({ ...env, NOTIFY_TIMEOUT_SECONDS: '1' });
  return { smsSender: c.smsSender, sms: c.sms, wechat: c.wechat, notifyTemplateIds: c.notifyTemplateIds };
}

let jiahe: UnitRow;
let itemId: string;
let phoneSeq = 0;

async function applicant(t: TestApp, clock: FakeClock) {
  jiahe ??= await unitByName(t.database.db, '家和社区');
  itemId ??= (await itemByName(t.database.db, '最低生活保障')).id;
  const phone = `1370033${String(++phoneSeq).padStart(4, '0')}`;
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

async function preReview(t: TestApp, applicationId: string) {
  const worker = await sessionAs(t.app, (await accountByUsername(t.database.db, 'jiahe-worker')).id);
  const res = await worker.post(`/api/v1/applications/${applicationId}/pre-review`, {});
  expect(res.statusCode, res.body).toBe(200);
}

const deliveriesOf = (t: TestApp, accountId: string) =>
  t.database.db
    .select()
    .from(notificationDeliveries)
    .where(eq(notificationDeliveries.accountId, accountId))
    .orderBy(asc(notificationDeliveries.id));

/** linli_messages_delivery_attempts_total by outcome, as /metrics reads it. */
const attempts = async (): Promise<Record<string, number>> => {
  const samples = await deliveryCollectors()[0]!.collect();
  return Object.fromEntries(samples.map((x) => [x.labels!.outcome!, x.value]));
};
const sends = async (t: TestApp) => (await t.app.jobs.runDue()).filter((r) => r.name === 'messages.deliver');

describe('texts through Alibaba Cloud SMS', () => {
  let t: TestApp;
  let fake: AliyunSmsFake;
  const clock = new FakeClock(new Date('2026-12-02T02:00:00Z')); // Wednesday 10:00 Beijing
  beforeAll(async () => {
    fake = await startAliyunSmsFake({
      accessKeyId: KEYS.ALIYUN_SMS_ACCESS_KEY_ID,
      accessKeySecret: KEYS.ALIYUN_SMS_ACCESS_KEY_SECRET,
    });
    t = await buildTestApp(
      notifyConfig({
        ...KEYS,
        SMS_SENDER: 'aliyun',
        ALIYUN_SMS_ENDPOINT: fake.url,
        // This district had its own template approved for 办件 progress.
        NOTIFY_TEMPLATE_IDS: JSON.stringify({
          'service-guide.application_step': { aliyun: 'SMS_465123456' },
        }),
      }),
      { clock },
    );
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it("sends the district's approved template with its parameters and keeps the provider's id", async () => {
    const a = await applicant(t, clock);
    await preReview(t, a.applicationId);
    expect(await sends(t)).toMatchObject([{ state: 'done' }]);
    expect(fake.sent.at(-1)).toEqual({
      phone: a.phone,
      signName: '邻里+',
      templateCode: 'SMS_465123456',
      params: { item: '最低生活保障', number: a.number, status: '已预审' },
    });
    const [d] = await deliveriesOf(t, a.id);
    expect(d).toMatchObject({ status: 'sent', attempts: 1, errorCode: null });
    expect(d!.providerId).toMatch(/\^0$/);
  });

  it('records a refusal a retry will not change against the message, shows it, and does not retry it', async () => {
    const a = await applicant(t, clock);
    fake.script({ refuse: 'isv.SMS_TEMPLATE_ILLEGAL', message: '模板不合法(不存在或被拉黑)' });
    await preReview(t, a.applicationId);
    expect(await sends(t)).toMatchObject([{ state: 'done' }]);
    const page = (await a.client.get('/api/v1/messages')).json() as MessagePage;
    expect(page.items[0]!.deliveries).toEqual([
      expect.objectContaining({
        channel: 'sms',
        status: 'failed',
        attempts: 1,
        errorCode: 'isv.SMS_TEMPLATE_ILLEGAL',
      }),
    ]);
    clock.advance(3_600_000);
    expect(await sends(t)).toEqual([]);
  });

  it('retries throttling with back-off and sends once the provider lets it through', async () => {
    const a = await applicant(t, clock);
    const before = fake.sent.length;
    fake.script('throttle');
    await preReview(t, a.applicationId);
    expect(await sends(t)).toMatchObject([{ state: 'failed', error: expect.stringContaining('Throttling') }]);
    expect((await deliveriesOf(t, a.id))[0]).toMatchObject({
      status: 'retrying',
      attempts: 1,
      errorCode: 'Throttling.User',
    });
    // Not again at once: the runner waits.
    expect(await sends(t)).toEqual([]);
    clock.advance(60_000);
    const before2 = await attempts();
    expect(await sends(t)).toMatchObject([{ state: 'done', attempt: 2 }]);
    // /metrics counts the attempts by outcome.
    const after = await attempts();
    expect(after.sent).toBe((before2.sent ?? 0) + 1);
    expect(after.error).toBeGreaterThanOrEqual(1);
    expect((await deliveriesOf(t, a.id))[0]).toMatchObject({ status: 'sent', attempts: 2, errorCode: null });
    expect(fake.sent.length).toBe(before + 1);
  });

  it('gives up on a provider that never answers after its attempts: the delivery and its job are dead', async () => {
    const a = await applicant(t, clock);
    fake.script(...Array.from({ length: DELIVERY_MAX_ATTEMPTS }, () => 'hang' as const));
    await preReview(t, a.applicationId);
    const runs = [];
    for (let i = 0; i < DELIVERY_MAX_ATTEMPTS; i++) {
      runs.push(...(await sends(t)));
      clock.advance(2 * 3_600_000);
    }
    expect(runs.map((r) => r.state)).toEqual([...Array(DELIVERY_MAX_ATTEMPTS - 1).fill('failed'), 'dead']);
    expect((await deliveriesOf(t, a.id))[0]).toMatchObject({
      status: 'dead',
      attempts: DELIVERY_MAX_ATTEMPTS,
    });
    const [job] = await t.database.db
      .select()
      .from(jobs)
      .where(eq(jobs.id, runs.at(-1)!.id));
    expect(job).toMatchObject({ state: 'dead', attempts: DELIVERY_MAX_ATTEMPTS });
    // Nothing more: dead stays dead until an administrator retries the job.
    clock.advance(24 * 3_600_000);
    expect(await sends(t)).toEqual([]);
  });
});

describe('texts through Tencent Cloud SMS', () => {
  let t: TestApp;
  let fake: TencentSmsFake;
  const clock = new FakeClock(new Date('2026-12-02T02:00:00Z'));
  beforeAll(async () => {
    fake = await startTencentSmsFake({
      secretId: KEYS.TENCENT_SMS_SECRET_ID,
      secretKey: KEYS.TENCENT_SMS_SECRET_KEY,
    });
    t = await buildTestApp(notifyConfig({ ...KEYS, SMS_SENDER: 'tencent', TENCENT_SMS_ENDPOINT: fake.url }), {
      clock,
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('sends the template id with its parameters in order, and records a number on the blacklist as refused', async () => {
    const a = await applicant(t, clock);
    await preReview(t, a.applicationId);
    expect(await sends(t)).toMatchObject([{ state: 'done' }]);
    expect(fake.sent.at(-1)).toEqual({
      phone: a.phone,
      signName: '邻里+',
      sdkAppId: '1400123456',
      templateId: '2480201',
      params: ['最低生活保障', a.number, '已预审'],
    });
    const b = await applicant(t, clock);
    fake.script({ refuse: 'FailedOperation.PhoneNumberInBlacklist' });
    await preReview(t, b.applicationId);
    expect(await sends(t)).toMatchObject([{ state: 'done' }]);
    expect((await deliveriesOf(t, b.id))[0]).toMatchObject({
      status: 'failed',
      errorCode: 'FailedOperation.PhoneNumberInBlacklist',
    });
  });

  it('refuses WeChat binding on a server without WeChat', async () => {
    const a = await applicant(t, clock);
    const res = await a.client.post('/api/v1/me/wechat-binding', { code: 'good-x' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('wechat-unavailable');
  });
});

describe('one-time codes on a production server', () => {
  let t: TestApp;
  let fake: AliyunSmsFake;
  // Midday in Shanghai: on the wall clock, a run near 08:00 met the quiet-hours release and the
  // digest, whose texts took the answers scripted for the codes (CI, 2026-12-08).
  const clock = new FakeClock(new Date('2026-12-02T04:00:00Z'));
  beforeAll(async () => {
    fake = await startAliyunSmsFake({
      accessKeyId: KEYS.ALIYUN_SMS_ACCESS_KEY_ID,
      accessKeySecret: KEYS.ALIYUN_SMS_ACCESS_KEY_SECRET,
    });
    t = await buildTestApp(
      {
        env: 'production',
        dev: false,
        demo: false,
        ...notifyConfig({ ...KEYS, SMS_SENDER: 'aliyun', ALIYUN_SMS_ENDPOINT: fake.url }),
      },
      { clock },
    );
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('reach the resident through the provider, and the code signs them in', async () => {
    const c = new Client(t.app);
    const phone = '13900004401';
    expect((await c.post('/api/v1/auth/otp', { phone })).statusCode).toBe(200);
    const sent = fake.sent.at(-1)!;
    expect(sent).toMatchObject({ phone, signName: '邻里+', templateCode: 'SMS_480001001' });
    expect(sent.params.code).toMatch(/^\d{6}$/);
    const res = await c.post('/api/v1/auth/otp/verify', { phone, code: sent.params.code });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().me.kind).toBe('resident');
  });

  it('answers 400 naming the phone for a number the provider refuses, 503 while it is throttled', async () => {
    const c = new Client(t.app);
    fake.script({ refuse: 'isv.MOBILE_NUMBER_ILLEGAL' });
    const before = fake.requests.length;
    const refused = await c.post('/api/v1/auth/otp', { phone: '13900004402' });
    const reached = fake.requests
      .slice(before)
      .map((r) => new URL(r.url, 'http://fake').searchParams.get('PhoneNumbers'));
    expect(reached, 'only the code reached the provider').toEqual(['13900004402']);
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'sms-refused', errors: [{ field: 'body/phone' }] });
    fake.script('throttle');
    const busy = await c.post('/api/v1/auth/otp', { phone: '13900004403' });
    expect(busy.statusCode).toBe(503);
    // The code that did not go out does not block a new one.
    expect((await c.post('/api/v1/auth/otp', { phone: '13900004403' })).statusCode).toBe(200);
  });
});

describe('WeChat subscription messages', () => {
  let t: TestApp;
  let fake: WechatFake;
  const clock = new FakeClock(new Date('2026-12-02T02:00:00Z'));
  beforeAll(async () => {
    fake = await startWechatFake({ appId: WECHAT.WECHAT_APPID, secret: WECHAT.WECHAT_SECRET });
    t = await buildTestApp(notifyConfig({ ...WECHAT, WECHAT_API_BASE: fake.url }), { clock });
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it("binds a person's WeChat from a login code and sends their 办件 steps to it, beside the text", async () => {
    const a = await applicant(t, clock);
    const bad = await a.client.post('/api/v1/me/wechat-binding', { code: 'expired-code' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'wechat-code-invalid', errors: [{ field: 'body/code' }] });
    const bound = await a.client.post('/api/v1/me/wechat-binding', { code: 'good-1' });
    expect(bound.statusCode, bound.body).toBe(200);
    expect(bound.json()).toEqual({ wechatBound: true });
    const prefs = (
      await a.client.get('/api/v1/me/notification-preferences')
    ).json() as NotificationPreferences;
    expect(prefs).toMatchObject({ wechatAvailable: true, wechatBound: true });

    await preReview(t, a.applicationId);
    expect((await deliveriesOf(t, a.id)).map((d) => d.channel)).toEqual(['sms', 'wechat']);
    expect(await sends(t)).toMatchObject([{ state: 'done' }, { state: 'done' }]);
    expect(fake.sent.at(-1)).toEqual({
      touser: 'ogood-1',
      template_id: 'linli-application-progress',
      page: `pages/applications/detail?id=${a.applicationId}`,
      data: {
        character_string4: { value: a.number },
        thing1: { value: '最低生活保障' },
        phrase2: { value: '已预审' },
        thing3: { value: '您申请的“最低生活保障”已预审。' },
      },
      miniprogram_state: 'formal',
      lang: 'zh_CN',
    });
    expect((await deliveriesOf(t, a.id))[1]).toMatchObject({
      status: 'sent',
      providerId: expect.any(String),
    });
  });

  it('fetches a new token once when WeChat says it is stale, and keeps one token otherwise', async () => {
    const a = await applicant(t, clock);
    await a.client.post('/api/v1/me/wechat-binding', { code: 'good-2' });
    const tokens = fake.tokenRequests();
    fake.script('expire-token');
    await preReview(t, a.applicationId);
    await sends(t);
    expect((await deliveriesOf(t, a.id))[1]).toMatchObject({ channel: 'wechat', status: 'sent' });
    expect(fake.tokenRequests()).toBe(tokens + 1);
  });

  it('records a person who unsubscribed (43101) as refused, retries a busy WeChat, and stops after unbinding', async () => {
    const a = await applicant(t, clock);
    await a.client.post('/api/v1/me/wechat-binding', { code: 'good-3' });
    fake.script({ errcode: 43101, errmsg: 'user refuse to accept the msg' });
    await preReview(t, a.applicationId);
    await sends(t);
    expect((await deliveriesOf(t, a.id))[1]).toMatchObject({ status: 'failed', errorCode: '43101' });

    const b = await applicant(t, clock);
    await b.client.post('/api/v1/me/wechat-binding', { code: 'good-4' });
    fake.script('busy');
    await preReview(t, b.applicationId);
    await sends(t);
    expect((await deliveriesOf(t, b.id))[1]).toMatchObject({ status: 'retrying', errorCode: '-1' });
    clock.advance(60_000);
    await sends(t);
    expect((await deliveriesOf(t, b.id))[1]).toMatchObject({ status: 'sent', attempts: 2 });

    const unbound = await b.client.delete('/api/v1/me/wechat-binding');
    expect(unbound.json()).toEqual({ wechatBound: false });
    const again = await buildApplication(t.database.db, {
      orgUnitId: jiahe.id,
      itemId,
      residentId: b.id,
      status: 'submitted',
      at: clock.now(),
    });
    await preReview(t, again.id);
    expect((await deliveriesOf(t, b.id)).map((d) => d.channel)).toEqual(['sms', 'wechat', 'sms']);
  });
});
