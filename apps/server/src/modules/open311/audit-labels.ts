import type { AuditDeclarations } from '../../core/audit-catalogue';

/** What the Open311 gateway writes to the audit trail, in words. */
export const open311Audit: AuditDeclarations = {
  actions: {
    'open311.key.issue': { 'zh-CN': '签发开放接口密钥', en: 'Issue an Open311 key' },
    'open311.key.revoke': { 'zh-CN': '吊销开放接口密钥', en: 'Revoke an Open311 key' },
  },
  entityTypes: { open311_key: { 'zh-CN': '开放接口密钥', en: 'Open311 key' } },
  fields: {
    partnerName: { 'zh-CN': '接入方', en: 'Partner' },
    keyPrefix: { 'zh-CN': '密钥前缀', en: 'Key prefix' },
    batch: { 'zh-CN': '批次', en: 'Batch' },
    revokedAt: { 'zh-CN': '吊销时间', en: 'Revoked at' },
  },
};
