import type { NotificationEventDefinition } from '../../core/module';

/**
 * The texts identity sends itself: one-time codes. They are not notifications (no in-app
 * message, no preferences, no quiet hours): `otp-sender.ts` sends them at once through the SMS
 * provider while the person waits. Declared here so the test that walks every template checks
 * them too, and so a deployment overrides their template ids like any other (NOTIFY_TEMPLATE_IDS).
 */
export const signInCode: NotificationEventDefinition<'code' | 'minutes'> = {
  code: 'identity.sign_in_code',
  variables: ['code', 'minutes'],
  name: { 'zh-CN': '登录验证码', en: 'Sign-in code' },
  audience: 'resident',
  oneTimeCode: true,
  sms: {
    text: {
      'zh-CN': '您的登录验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。',
      en: 'Your sign-in code is {code}, valid for {minutes} minutes. Ignore this text if it was not you.',
    },
    aliyun: { templateCode: 'SMS_480001001', params: { code: '{code}' } },
    tencent: { templateId: '2480101', params: ['{code}', '{minutes}'] },
  },
  defaults: { sms: 'immediate', wechat: false },
};

export const closeAccountCode: NotificationEventDefinition<'code' | 'minutes'> = {
  code: 'identity.close_account_code',
  variables: ['code', 'minutes'],
  name: { 'zh-CN': '注销账号验证码', en: 'Account closure code' },
  audience: 'resident',
  oneTimeCode: true,
  sms: {
    text: {
      'zh-CN': '您正在注销邻里+账号，验证码为{code}，{minutes}分钟内有效。如非本人操作，请勿告知他人。',
      en: 'You are closing your Linli account. Your code is {code}, valid for {minutes} minutes. Do not share it.',
    },
    aliyun: { templateCode: 'SMS_480001002', params: { code: '{code}' } },
    tencent: { templateId: '2480102', params: ['{code}', '{minutes}'] },
  },
  defaults: { sms: 'immediate', wechat: false },
};

export const identityEvents = [signInCode, closeAccountCode] as const;
