import type { AdmissionRequestStatus } from '@linli/contracts';
import type { NotificationEventDefinition, PerLocale } from '../../core/module';
import { REQUEST_STATUS_TITLES } from './workflow';

/** The notifications the admission module sends (through the messages hub's `notify()`). */

/** An approved request's task, for the target community's secretary and workers. */
export const admissionTaskAssigned: NotificationEventDefinition<'title' | 'termEnd'> = {
  code: 'admission.task_assigned',
  variables: ['title', 'termEnd'],
  name: { 'zh-CN': '新的准入任务', en: 'New admitted task' },
  audience: 'staff',
  inApp: {
    title: { 'zh-CN': '新的准入任务：{title}', en: 'New admitted task: {title}' },
    body: {
      'zh-CN': '经准入审核批准，社区需承担“{title}”，期限至 {termEnd}，请在社区任务中查看。',
      en: 'After the admission review, the community takes on “{title}” until {termEnd}. See the community tasks.',
    },
    link: '/console/admission/tasks',
  },
  sms: {
    text: {
      'zh-CN': '社区新增准入任务“{title}”，期限至{termEnd}，请登录邻里+查看。',
      en: 'New admitted task “{title}” until {termEnd}. See it in Linli.',
    },
    aliyun: { templateCode: 'SMS_480004001', params: { title: '{title}', term: '{termEnd}' } },
    tencent: { templateId: '2480401', params: ['{title}', '{termEnd}'] },
  },
  defaults: { sms: 'digest', wechat: false },
};

/** A decision on a department's admission request, for the staff member who filed it. */
export const admissionRequestDecided: NotificationEventDefinition<'requestId' | 'title' | 'status' | 'note'> =
  {
    code: 'admission.request_decided',
    variables: ['requestId', 'title', 'status', 'note'],
    name: { 'zh-CN': '准入申请结果', en: 'Admission request decisions' },
    audience: 'staff',
    inApp: {
      title: { 'zh-CN': '准入申请{status}：{title}', en: 'Admission request {status}: {title}' },
      body: { 'zh-CN': '{status}。{note}', en: '{status}. {note}' },
      link: '/console/admission/requests/{requestId}',
    },
    sms: {
      text: {
        'zh-CN': '您提交的准入申请“{title}”{status}，请登录邻里+查看。',
        en: 'Your admission request “{title}”: {status}. See it in Linli.',
      },
      aliyun: { templateCode: 'SMS_480004002', params: { title: '{title}', status: '{status}' } },
      tencent: { templateId: '2480402', params: ['{title}', '{status}'] },
    },
    defaults: { sms: 'immediate', wechat: false },
  };

export const admissionEvents = [admissionTaskAssigned, admissionRequestDecided] as const;

const REQUEST_STATUS_TITLES_EN: Record<AdmissionRequestStatus, string> = {
  refused: 'not accepted (a negative-list item or an assessment)',
  fast_track: 'awaiting fast-track confirmation',
  in_review: 'under review',
  approved: 'approved',
  rejected: 'rejected',
  withdrawn: 'withdrawn',
};

/** A request state's title in both languages. */
export function requestStatusText(status: AdmissionRequestStatus): PerLocale {
  return { 'zh-CN': REQUEST_STATUS_TITLES[status], en: REQUEST_STATUS_TITLES_EN[status] };
}
