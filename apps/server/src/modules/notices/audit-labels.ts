import type { AuditDeclarations } from '../../core/audit-catalogue';

/** What notices (社区公告) writes to the audit trail, in words. */
export const noticesAudit: AuditDeclarations = {
  actions: {
    'notice.publish': { 'zh-CN': '发布公告', en: 'Publish a notice' },
    'notice.retract': { 'zh-CN': '撤回公告', en: 'Retract a notice' },
    'notice.seed': { 'zh-CN': '导入演示公告', en: 'Load demo notices' },
  },
  entityTypes: { notice: { 'zh-CN': '社区公告', en: 'Notice' } },
  fields: {
    pinned: { 'zh-CN': '置顶', en: 'Pinned' },
    retractedAt: { 'zh-CN': '撤回时间', en: 'Retracted at' },
  },
};
