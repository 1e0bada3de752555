import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { beijingDay, quietUntil } from './quiet-hours';

const QUIET = { start: 22 * 60, end: 8 * 60 };
const until = (utc: string) => quietUntil(new Date(utc), QUIET)?.toISOString() ?? null;

describe('quiet hours (22:00–08:00 Beijing)', () => {
  it.each([
    ['2026-12-02T13:59:59Z', null], // 21:59:59
    ['2026-12-02T14:00:00Z', '2026-12-03T00:00:00.000Z'], // 22:00 → 08:00 next day
    ['2026-12-02T15:59:00Z', '2026-12-03T00:00:00.000Z'], // 23:59
    ['2026-12-02T16:00:00Z', '2026-12-03T00:00:00.000Z'], // 00:00 → 08:00 the same day
    ['2026-12-02T23:59:59Z', '2026-12-03T00:00:00.000Z'], // 07:59:59
    ['2026-12-03T00:00:00Z', null], // 08:00
    ['2026-12-03T04:00:00Z', null], // noon
  ])('at %s holds until %s', (at, expected) => {
    expect(until(at)).toBe(expected);
  });

  it('holds nothing when switched off, and reads a window that does not wrap midnight', () => {
    expect(quietUntil(new Date('2026-12-02T15:00:00Z'), null)).toBeNull();
    const lunch = { start: 12 * 60, end: 14 * 60 };
    expect(quietUntil(new Date('2026-12-02T04:30:00Z'), lunch)?.toISOString()).toBe(
      '2026-12-02T06:00:00.000Z',
    );
    expect(quietUntil(new Date('2026-12-02T06:00:00Z'), lunch)).toBeNull();
  });

  it('names the Beijing day, which starts at 16:00 UTC', () => {
    expect(beijingDay(new Date('2026-12-02T15:59:59Z'))).toBe('2026-12-02');
    expect(beijingDay(new Date('2026-12-02T16:00:00Z'))).toBe('2026-12-03');
  });
});

describe('the notification settings', () => {
  const err = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (e) {
      return e instanceof ConfigError ? e.variable : String(e);
    }
    return null;
  };

  it('reads SMS_QUIET_HOURS, and stops the start naming the variable for a bad window', () => {
    expect(loadConfig({}).sms.quietHours).toEqual(QUIET);
    expect(loadConfig({ SMS_QUIET_HOURS: 'off' }).sms.quietHours).toBeNull();
    expect(loadConfig({ SMS_QUIET_HOURS: '21:30-07:00' }).sms.quietHours).toEqual({ start: 1290, end: 420 });
    expect(err({ SMS_QUIET_HOURS: '22-8' })).toBe('SMS_QUIET_HOURS');
    expect(err({ SMS_QUIET_HOURS: '08:00-08:00' })).toBe('SMS_QUIET_HOURS');
  });

  it("needs each provider's keys with SMS_SENDER naming it, and a provider or none in production", () => {
    expect(err({ SMS_SENDER: 'aliyun', ALIYUN_SMS_ACCESS_KEY_ID: 'k' })).toBe('ALIYUN_SMS_ACCESS_KEY_SECRET');
    expect(err({ SMS_SENDER: 'tencent', TENCENT_SMS_SECRET_ID: 'i', TENCENT_SMS_SECRET_KEY: 'k' })).toBe(
      'TENCENT_SMS_SDK_APP_ID',
    );
    expect(
      err({
        SMS_SENDER: 'aliyun',
        ALIYUN_SMS_ACCESS_KEY_ID: 'k',
        ALIYUN_SMS_ACCESS_KEY_SECRET: 's',
        ALIYUN_SMS_ENDPOINT: 'ftp://x',
      }),
    ).toBe('ALIYUN_SMS_ENDPOINT');
    const c = loadConfig({
      SMS_SENDER: 'aliyun',
      ALIYUN_SMS_ACCESS_KEY_ID: 'k',
      ALIYUN_SMS_ACCESS_KEY_SECRET: 's',
      NODE_ENV: 'production',
      HOST: '0.0.0.0',
      LINLI_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
    });
    expect(c.sms.aliyun?.endpoint).toEqual({ protocol: 'https', host: 'dysmsapi.aliyuncs.com' });
    expect(
      err({
        SMS_SENDER: 'log',
        NODE_ENV: 'production',
        LINLI_SECRET_KEY: Buffer.alloc(32, 1).toString('base64'),
      }),
    ).toBe('SMS_SENDER');
  });

  it('reads NOTIFY_TEMPLATE_IDS per event and provider, refusing a malformed one', () => {
    expect(
      loadConfig({
        NOTIFY_TEMPLATE_IDS: '{"cases.step":{"aliyun":"SMS_123","tencent":"456","wechat":"tpl-x"}}',
      }).notifyTemplateIds,
    ).toEqual({ 'cases.step': { aliyun: 'SMS_123', tencent: '456', wechat: 'tpl-x' } });
    expect(err({ NOTIFY_TEMPLATE_IDS: 'SMS_123' })).toBe('NOTIFY_TEMPLATE_IDS');
    expect(err({ NOTIFY_TEMPLATE_IDS: '{"cases.step":{"aliyun":"123"}}' })).toBe('NOTIFY_TEMPLATE_IDS');
    expect(err({ NOTIFY_TEMPLATE_IDS: '{"cases.step":{"sms":"SMS_1"}}' })).toBe('NOTIFY_TEMPLATE_IDS');
  });

  it('configures WeChat only with both its app id and secret', () => {
    expect(loadConfig({}).wechat).toBeNull();
    expect(err({ WECHAT_APPID: 'wx1' })).toBe('WECHAT_SECRET');
    expect(loadConfig({ WECHAT_APPID: 'wx1', WECHAT_SECRET: 's' }).wechat).toEqual({
      appId: 'wx1',
      secret: 's',
      apiBase: 'https://api.weixin.qq.com',
      miniprogramState: 'formal',
    });
  });
});
