import type { NotificationEventDefinition } from '../../core/module';

/**
 * The morning digest (`messages.dailyDigest`, 08:30 Beijing): one text for a person who chose
 * "digest" for some events and has unread messages of them from the last day, instead of a text
 * per event. A text only: the messages it counts are already in the inbox.
 */
export const dailyDigest: NotificationEventDefinition<'count' | 'summary'> = {
  code: 'messages.daily_digest',
  variables: ['count', 'summary'],
  name: { 'zh-CN': '每日消息摘要', en: 'Daily digest' },
  audience: 'staff',
  sms: {
    text: {
      'zh-CN': '您有{count}条未读消息：{summary}。请登录邻里+查看。',
      en: 'You have {count} unread messages: {summary}. Please sign in to Linli.',
    },
    aliyun: { templateCode: 'SMS_480005001', params: { count: '{count}', summary: '{summary}' } },
    tencent: { templateId: '2480501', params: ['{count}', '{summary}'] },
  },
  defaults: { sms: 'immediate', wechat: false },
};

export const messagesEvents = [dailyDigest] as const;
