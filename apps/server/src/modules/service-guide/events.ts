import type { ApplicationStatus } from '@linli/contracts';
import type { NotificationEventDefinition, PerLocale } from '../../core/module';
import { STATUS_TITLES } from './applications-workflow';

/** The notifications the service guide sends (through the messages hub's `notify()`). */

/** The resident's receipt for an application they submitted: in the app only, they are on the page. */
export const applicationSubmitted: NotificationEventDefinition<
  'applicationId' | 'number' | 'itemName' | 'unitName'
> = {
  code: 'service-guide.application_submitted',
  variables: ['applicationId', 'number', 'itemName', 'unitName'],
  name: { 'zh-CN': '办件已提交', en: 'Application submitted' },
  audience: 'resident',
  inApp: {
    title: { 'zh-CN': '办件已提交：{itemName}', en: 'Application submitted: {itemName}' },
    body: {
      'zh-CN': '您在{unitName}申请的“{itemName}”已提交，受理编号 {number}，请留意办理进度。',
      en: 'Your application for “{itemName}” at {unitName} has been submitted (receipt number {number}). Watch for progress here.',
    },
    link: '/applications/{applicationId}',
  },
  defaults: { sms: 'off', wechat: false },
};

/**
 * A step of the resident's application (办件): `status` is the new state's title and `detail` the
 * sentence about it (what to add, when it is due, where to collect it), each per locale.
 */
export const applicationStep: NotificationEventDefinition<
  'applicationId' | 'number' | 'itemName' | 'status' | 'detail'
> = {
  code: 'service-guide.application_step',
  variables: ['applicationId', 'number', 'itemName', 'status', 'detail'],
  name: { 'zh-CN': '办件进度', en: 'Application progress' },
  audience: 'resident',
  inApp: {
    title: { 'zh-CN': '办件{status}：{itemName}', en: 'Application {status}: {itemName}' },
    body: { 'zh-CN': '{detail}受理编号：{number}。', en: '{detail} Receipt number: {number}.' },
    link: '/applications/{applicationId}',
  },
  sms: {
    text: {
      'zh-CN': '您申请的“{itemName}”（受理编号{number}）{status}，详情请在邻里+“我的办件”中查看。',
      en: 'Your application for “{itemName}” (receipt number {number}): {status}. See My applications in Linli.',
    },
    aliyun: {
      templateCode: 'SMS_480002001',
      params: { item: '{itemName}', number: '{number}', status: '{status}' },
    },
    tencent: { templateId: '2480201', params: ['{itemName}', '{number}', '{status}'] },
  },
  wechat: {
    templateId: 'linli-application-progress',
    page: 'pages/applications/detail?id={applicationId}',
    data: { character_string4: '{number}', thing1: '{itemName}', phrase2: '{status}', thing3: '{detail}' },
  },
  defaults: { sms: 'immediate', wechat: true },
};

/** The day before a booked office-hours session (or two hours before, for a late booking). */
export const officeHourReminder: NotificationEventDefinition<'sessionId' | 'department' | 'when' | 'place'> =
  {
    code: 'service-guide.office_hour_reminder',
    variables: ['sessionId', 'department', 'when', 'place'],
    name: { 'zh-CN': '坐班预约提醒', en: 'Office-hours reminder' },
    audience: 'resident',
    inApp: {
      title: { 'zh-CN': '预约提醒：{department}坐班', en: 'Reminder: {department} office hours' },
      body: {
        'zh-CN': '您预约的{department}坐班将于{when}在{place}开始，请带好所需材料按时到场。',
        en: 'The {department} office hours you booked start at {when} at {place}. Bring your materials.',
      },
      link: '/office-hours/{sessionId}',
    },
    sms: {
      text: {
        'zh-CN': '您预约的{department}坐班将于{when}在{place}开始，请按时到场。',
        en: 'Your {department} office hours start at {when} at {place}.',
      },
      aliyun: {
        templateCode: 'SMS_480002101',
        params: { department: '{department}', time: '{when}', place: '{place}' },
      },
      tencent: { templateId: '2480211', params: ['{department}', '{when}', '{place}'] },
    },
    wechat: {
      templateId: 'linli-office-hours-reminder',
      page: 'pages/office-hours/detail?id={sessionId}',
      data: { thing1: '{department}', time2: '{when}', thing3: '{place}' },
    },
    defaults: { sms: 'immediate', wechat: true },
  };

export const officeHourCancelled: NotificationEventDefinition<'sessionId' | 'department' | 'when' | 'place'> =
  {
    code: 'service-guide.office_hour_cancelled',
    variables: ['sessionId', 'department', 'when', 'place'],
    name: { 'zh-CN': '坐班取消', en: 'Office hours cancelled' },
    audience: 'resident',
    inApp: {
      title: { 'zh-CN': '坐班取消：{department}', en: 'Cancelled: {department} office hours' },
      body: {
        'zh-CN':
          '您预约的{department}坐班（{when}，{place}）已被取消，预约随之取消。可在“部门坐班”中另约时间。',
        en: 'The {department} office hours you booked ({when}, {place}) were cancelled, and your booking with them. Book another time under Office hours.',
      },
      link: '/office-hours/{sessionId}',
    },
    sms: {
      text: {
        'zh-CN': '您预约的{department}坐班（{when}）已取消，可在邻里+另约时间。',
        en: 'The {department} office hours you booked ({when}) were cancelled. Book another time in Linli.',
      },
      aliyun: { templateCode: 'SMS_480002102', params: { department: '{department}', time: '{when}' } },
      tencent: { templateId: '2480212', params: ['{department}', '{when}'] },
    },
    defaults: { sms: 'immediate', wechat: false },
  };

export const serviceGuideEvents = [
  applicationSubmitted,
  applicationStep,
  officeHourReminder,
  officeHourCancelled,
] as const;

/** The application states in English, beside STATUS_TITLES (zh-CN), for notifications. */
const STATUS_TITLES_EN: Record<ApplicationStatus, string> = {
  submitted: 'submitted',
  needs_more: 'needs more materials',
  pre_review: 'pre-reviewed',
  accepted: 'accepted',
  forwarded: 'forwarded to the department',
  done: 'done',
  refused: 'refused',
  result_ready: 'result ready',
  completed: 'completed',
  rated: 'rated',
  withdrawn: 'withdrawn',
};

/** A state's title in both languages. */
export function statusText(status: ApplicationStatus): PerLocale {
  return { 'zh-CN': STATUS_TITLES[status], en: STATUS_TITLES_EN[status] };
}
