import type { AdmissionRequestStep, AdmissionTaskStep } from '@linli/contracts';
import type { AuditDeclarations } from '../../core/audit-catalogue';
import type { PerLocale } from '../../core/module';

/** Each request step as an audit action (`admission_request.<step>`); typed, so a new step needs words. */
const REQUEST_STEPS: Record<AdmissionRequestStep, PerLocale> = {
  appeal: { 'zh-CN': '准入申请复核', en: 'Appeal a decision' },
  approve: { 'zh-CN': '准予准入', en: 'Approve a request' },
  approve_with_conditions: { 'zh-CN': '附条件准入', en: 'Approve with conditions' },
  reject: { 'zh-CN': '不予准入', en: 'Reject a request' },
  withdraw: { 'zh-CN': '撤回准入申请', en: 'Withdraw a request' },
};

/** Each community task step as an audit action (`admission_task.<step>`). */
const TASK_STEPS: Record<AdmissionTaskStep, PerLocale> = {
  acknowledge: { 'zh-CN': '签收准入事项', en: 'Acknowledge a task' },
  progress: { 'zh-CN': '更新办理进度', en: 'Update progress' },
  complete: { 'zh-CN': '准入事项办结', en: 'Complete a task' },
  withdraw: { 'zh-CN': '撤回准入事项', en: 'Withdraw a task' },
};

/** What admission (社区工作事项准入) writes to the audit trail, in words. */
export const admissionAudit: AuditDeclarations = {
  actions: {
    'admission_request.file': { 'zh-CN': '提交准入申请', en: 'File an admission request' },
    ...Object.fromEntries(Object.entries(REQUEST_STEPS).map(([s, l]) => [`admission_request.${s}`, l])),
    'admission_request.comment': { 'zh-CN': '社区反馈意见', en: 'Comment on a request' },
    ...Object.fromEntries(Object.entries(TASK_STEPS).map(([s, l]) => [`admission_task.${s}`, l])),
    'admission_outside_report.file': { 'zh-CN': '反映清单外事项', en: 'Report work outside the lists' },
    'admission_outside_report.handle': { 'zh-CN': '处理清单外事项反映', en: 'Handle an outside-list report' },
    'admission_lists.seed': { 'zh-CN': '导入准入清单', en: 'Load the admission lists' },
    'admission_lists.draft_create': { 'zh-CN': '新建清单草稿', en: 'Start a list draft' },
    'admission_lists.draft_save': { 'zh-CN': '保存清单草稿', en: 'Save a list draft' },
    'admission_lists.draft_discard': { 'zh-CN': '放弃清单草稿', en: 'Discard a list draft' },
    'admission_lists.publish': { 'zh-CN': '发布准入清单', en: 'Publish the lists' },
    'admission_certificates.seed': { 'zh-CN': '导入社区证明事项', en: 'Load the certificate list' },
  },
  entityTypes: {
    admission_request: { 'zh-CN': '准入申请', en: 'Admission request' },
    admission_task: { 'zh-CN': '准入事项', en: 'Admission task' },
    admission_outside_report: { 'zh-CN': '清单外事项反映', en: 'Outside-list report' },
    admission_list_version: { 'zh-CN': '准入清单版本', en: 'List version' },
    admission_certificate: { 'zh-CN': '社区证明事项', en: 'Certificate' },
  },
  fields: {
    route: { 'zh-CN': '审核路径', en: 'Route' },
    departmentId: { 'zh-CN': '部门', en: 'Department' },
    departmentName: { 'zh-CN': '部门', en: 'Department' },
    matchedItemCode: { 'zh-CN': '匹配的清单事项', en: 'Matched list item' },
    bestMatch: { 'zh-CN': '最接近的清单事项', en: 'Best match' },
    score: { 'zh-CN': '匹配度', en: 'Score' },
    targets: { 'zh-CN': '涉及社区数', en: 'Communities' },
    tasks: { 'zh-CN': '准入事项数', en: 'Tasks' },
    decision: { 'zh-CN': '准入决定', en: 'Decision' },
    termStart: { 'zh-CN': '准入开始日期', en: 'Term start' },
    termEnd: { 'zh-CN': '准入结束日期', en: 'Term end' },
    commentId: { 'zh-CN': '意见编号', en: 'Comment' },
    body: { 'zh-CN': '内容', en: 'Text' },
    comment: { 'zh-CN': '意见', en: 'Comment' },
    progressPercent: { 'zh-CN': '办理进度（%）', en: 'Progress (%)' },
    what: { 'zh-CN': '事项内容', en: 'What' },
    happenedOn: { 'zh-CN': '发生日期', en: 'Happened on' },
    handlingNote: { 'zh-CN': '处理意见', en: 'Handling note' },
    effectiveDate: { 'zh-CN': '生效日期', en: 'Effective date' },
    changeNote: { 'zh-CN': '修改说明', en: 'Change note' },
    basedOn: { 'zh-CN': '基于版本', en: 'Based on version' },
    items: { 'zh-CN': '事项数', en: 'Items' },
    duplicateCodes: { 'zh-CN': '重复的事项编码', en: 'Duplicate codes' },
    certificates: { 'zh-CN': '证明事项数', en: 'Certificates' },
    list: { 'zh-CN': '清单', en: 'List' },
  },
};
