import type { AuditDeclarations } from '../../core/audit-catalogue';

/** What the working calendar writes to the audit trail, in words. */
export const calendarAudit: AuditDeclarations = {
  actions: {
    'calendar.seed': { 'zh-CN': '导入法定节假日', en: 'Load public holidays' },
    'calendar.day.set': { 'zh-CN': '设置节假日或调休', en: 'Set a holiday or working day' },
    'calendar.day.delete': { 'zh-CN': '删除节假日设置', en: 'Remove a calendar day' },
  },
  entityTypes: {
    calendar: { 'zh-CN': '工作日历', en: 'Calendar' },
    calendar_day: { 'zh-CN': '日历日', en: 'Calendar day' },
  },
  fields: {
    provisional: { 'zh-CN': '暂定', en: 'Provisional' },
    years: { 'zh-CN': '年份', en: 'Years' },
    days: { 'zh-CN': '天数', en: 'Days' },
  },
};
