import type { AuditDeclarations } from '../../core/audit-catalogue';

/**
 * What messages writes to the audit trail, in words. A change of notification preferences names
 * each event by its code: those fields take the event's name from the manifests (app.ts).
 */
export const messagesAudit: AuditDeclarations = {
  actions: {
    'notification_preferences.update': { 'zh-CN': '修改通知设置', en: 'Update notification settings' },
    'wechat_binding.bind': { 'zh-CN': '绑定微信', en: 'Bind WeChat' },
    'wechat_binding.unbind': { 'zh-CN': '解绑微信', en: 'Unbind WeChat' },
  },
  fields: {
    locale: { 'zh-CN': '语言', en: 'Language' },
    wechatBound: { 'zh-CN': '已绑定微信', en: 'WeChat bound' },
    sms: { 'zh-CN': '短信', en: 'SMS' },
    wechat: { 'zh-CN': '微信', en: 'WeChat' },
  },
};
