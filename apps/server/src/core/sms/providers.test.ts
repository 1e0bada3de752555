import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AliyunSmsFake, startAliyunSmsFake } from '../../../test/fakes/aliyun-sms';
import { startTencentSmsFake, type TencentSmsFake } from '../../../test/fakes/tencent-sms';
import { loadConfig } from '../../config';
import type { SmsRequest } from '../notify-templates';
import { AliyunSmsProvider } from './aliyun';
import { TencentSmsProvider } from './tencent';
import { SmsSendError } from './types';

/**
 * Each provider adapter, through its official SDK, against a loopback fake of that provider's
 * HTTP API that checks the request's signature: what is sent, and how each kind of answer is
 * sorted (sent; refused for good; worth a retry).
 */

const message: SmsRequest = {
  text: '【邻里+】您申请的“最低生活保障”已受理，详情请在邻里+“我的办件”中查看。',
  aliyun: { templateCode: 'SMS_480002001', params: { item: '最低生活保障', status: '已受理' } },
  tencent: { templateId: '2480201', params: ['最低生活保障', '已受理'] },
};

async function refusal(p: Promise<unknown>): Promise<SmsSendError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SmsSendError);
  return err as SmsSendError;
}

describe('Alibaba Cloud SMS', () => {
  let fake: AliyunSmsFake;
  let provider: AliyunSmsProvider;
  beforeAll(async () => {
    fake = await startAliyunSmsFake({ accessKeyId: 'LTAI-test', accessKeySecret: 'secret-1' });
    const config = loadConfig({
      SMS_SENDER: 'aliyun',
      ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-test',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'secret-1',
      ALIYUN_SMS_ENDPOINT: fake.url,
      NOTIFY_TIMEOUT_SECONDS: '1',
    });
    provider = new AliyunSmsProvider(config.sms.aliyun!, config.sms.signName, config.sms.timeoutMs);
  });
  afterAll(() => fake.close());

  it('sends the template, its parameters and the signature, and keeps the BizId', async () => {
    const { providerId } = await provider.send('13800002201', message);
    expect(providerId).toMatch(/^\d+\^0$/);
    expect(fake.sent.at(-1)).toEqual({
      phone: '13800002201',
      signName: '邻里+',
      templateCode: 'SMS_480002001',
      params: { item: '最低生活保障', status: '已受理' },
    });
  });

  it('sorts refusals: a bad number or an unapproved template is final, throttling and silence are not', async () => {
    const badNumber = await refusal(provider.send('1380000', message));
    expect([badNumber.permanent, badNumber.code]).toEqual([true, 'isv.MOBILE_NUMBER_ILLEGAL']);
    fake.script({ refuse: 'isv.SMS_TEMPLATE_ILLEGAL', message: '模板不合法(不存在或被拉黑)' });
    const template = await refusal(provider.send('13800002201', message));
    expect([template.permanent, template.code]).toEqual([true, 'isv.SMS_TEMPLATE_ILLEGAL']);
    fake.script('throttle');
    const throttled = await refusal(provider.send('13800002201', message));
    expect([throttled.permanent, throttled.code]).toEqual([false, 'Throttling.User']);
    fake.script({ refuse: 'isv.BUSINESS_LIMIT_CONTROL', message: '触发号码天级流控' });
    const limited = await refusal(provider.send('13800002201', message));
    expect([limited.permanent, limited.code]).toEqual([false, 'isv.BUSINESS_LIMIT_CONTROL']);
    fake.script('hang');
    const silent = await refusal(provider.send('13800002201', message));
    expect(silent.permanent).toBe(false);
  });

  it('is refused by the gateway when signed with another secret', async () => {
    const config = loadConfig({
      SMS_SENDER: 'aliyun',
      ALIYUN_SMS_ACCESS_KEY_ID: 'LTAI-test',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 'not-the-secret',
      ALIYUN_SMS_ENDPOINT: fake.url,
    });
    const wrong = new AliyunSmsProvider(config.sms.aliyun!, '邻里+', 2000);
    const before = fake.sent.length;
    const err = await refusal(wrong.send('13800002201', message));
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(fake.sent.length).toBe(before);
  });
});

describe('Tencent Cloud SMS', () => {
  let fake: TencentSmsFake;
  let provider: TencentSmsProvider;
  beforeAll(async () => {
    fake = await startTencentSmsFake({ secretId: 'AKID-test', secretKey: 'key-1' });
    const config = loadConfig({
      SMS_SENDER: 'tencent',
      TENCENT_SMS_SECRET_ID: 'AKID-test',
      TENCENT_SMS_SECRET_KEY: 'key-1',
      TENCENT_SMS_SDK_APP_ID: '1400000001',
      TENCENT_SMS_ENDPOINT: fake.url,
      NOTIFY_TIMEOUT_SECONDS: '1',
    });
    provider = new TencentSmsProvider(config.sms.tencent!, config.sms.signName, config.sms.timeoutMs);
  });
  afterAll(() => fake.close());

  it('sends the template id, its ordered parameters, the app id and the signature', async () => {
    const { providerId } = await provider.send('13800002202', message);
    expect(providerId).toMatch(/^5000:/);
    expect(fake.sent.at(-1)).toEqual({
      phone: '13800002202',
      signName: '邻里+',
      sdkAppId: '1400000001',
      templateId: '2480201',
      params: ['最低生活保障', '已受理'],
    });
  });

  it('sorts refusals: a bad number or an unapproved template is final, throttling and silence are not', async () => {
    const badNumber = await refusal(provider.send('1380000', message));
    expect([badNumber.permanent, badNumber.code]).toEqual([
      true,
      'InvalidParameterValue.IncorrectPhoneNumber',
    ]);
    fake.script({ refuse: 'FailedOperation.TemplateIncorrectOrUnapproved' });
    const template = await refusal(provider.send('13800002202', message));
    expect([template.permanent, template.code]).toEqual([
      true,
      'FailedOperation.TemplateIncorrectOrUnapproved',
    ]);
    fake.script('throttle');
    const throttled = await refusal(provider.send('13800002202', message));
    expect([throttled.permanent, throttled.code]).toEqual([false, 'RequestLimitExceeded']);
    fake.script({ refuse: 'LimitExceeded.PhoneNumberThirtySecondLimit' });
    const limited = await refusal(provider.send('13800002202', message));
    expect(limited.permanent).toBe(false);
    fake.script('hang');
    const silent = await refusal(provider.send('13800002202', message));
    expect(silent.permanent).toBe(false);
  });

  it('is refused by the API when signed with another key', async () => {
    const config = loadConfig({
      SMS_SENDER: 'tencent',
      TENCENT_SMS_SECRET_ID: 'AKID-test',
      TENCENT_SMS_SECRET_KEY: 'not-the-key',
      TENCENT_SMS_SDK_APP_ID: '1400000001',
      TENCENT_SMS_ENDPOINT: fake.url,
    });
    const wrong = new TencentSmsProvider(config.sms.tencent!, '邻里+', 2000);
    const err = await refusal(wrong.send('13800002202', message));
    expect(err.code).toBe('AuthFailure.SignatureFailure');
  });
});
