import type { CaseStatus } from '@linli/contracts';
import type { NotificationEventDefinition, PerLocale } from '../../core/module';
import { STATUS_TITLES } from './workflow';

/** The notifications the cases module sends (through the messages hub's `notify()`). */

/** The reporter's receipt: their report was filed, with its number. */
export const caseReported: NotificationEventDefinition<'caseId' | 'number' | 'category' | 'unitName'> = {
  code: 'cases.reported',
  variables: ['caseId', 'number', 'category', 'unitName'],
  name: { 'zh-CN': '诉求受理回执', en: 'Report receipt' },
  audience: 'resident',
  inApp: {
    title: { 'zh-CN': '诉求已受理：{number}', en: 'Report received: {number}' },
    body: {
      'zh-CN': '您反映的“{category}”问题已收到，编号 {number}，将由{unitName}跟进处理。',
      en: 'Your report about “{category}” was received as {number}; {unitName} will follow it up.',
    },
    link: '/cases/{caseId}',
  },
  defaults: { sms: 'off', wechat: false },
};

/**
 * A public step of a case, for its reporter and followers: `title` is the state (or 重办),
 * `detail` the sentence about it, each per locale.
 */
export const caseStep: NotificationEventDefinition<'caseId' | 'number' | 'title' | 'detail'> = {
  code: 'cases.step',
  variables: ['caseId', 'number', 'title', 'detail'],
  name: { 'zh-CN': '诉求进度', en: 'Report progress' },
  audience: 'resident',
  inApp: {
    title: { 'zh-CN': '诉求{title}：{number}', en: 'Report {title}: {number}' },
    body: { 'zh-CN': '{detail}', en: '{detail}' },
    link: '/cases/{caseId}',
  },
  sms: {
    text: {
      'zh-CN': '您关注的诉求{number}{title}，详情请在邻里+“我的诉求”中查看。',
      en: 'Report {number}: {title}. See My reports in Linli.',
    },
    aliyun: { templateCode: 'SMS_480003001', params: { number: '{number}', status: '{title}' } },
    tencent: { templateId: '2480301', params: ['{number}', '{title}'] },
  },
  wechat: {
    templateId: 'linli-case-progress',
    page: 'pages/cases/detail?id={caseId}',
    data: { character_string1: '{number}', phrase2: '{title}', thing3: '{detail}' },
  },
  defaults: { sms: 'off', wechat: true },
};

/** New work for a squad member or a handler: a case dispatched to them. */
export const caseDispatched: NotificationEventDefinition<'caseId' | 'number' | 'category'> = {
  code: 'cases.dispatched',
  variables: ['caseId', 'number', 'category'],
  name: { 'zh-CN': '新派遣案件', en: 'New dispatched case' },
  audience: 'staff',
  inApp: {
    title: { 'zh-CN': '新派遣案件：{number}', en: 'New case dispatched: {number}' },
    body: {
      'zh-CN': '案件 {number}（{category}）已派遣，请及时签收。',
      en: 'Case {number} ({category}) was dispatched to you; please accept it promptly.',
    },
    link: '/console/cases/{caseId}',
  },
  sms: {
    text: {
      'zh-CN': '案件{number}（{category}）已派遣给您，请及时登录邻里+签收处置。',
      en: 'Case {number} ({category}) was dispatched to you. Please accept it in Linli.',
    },
    aliyun: { templateCode: 'SMS_480003002', params: { number: '{number}', category: '{category}' } },
    tencent: { templateId: '2480302', params: ['{number}', '{category}'] },
  },
  defaults: { sms: 'immediate', wechat: false },
};

/** A yellow or red card: a step past its deadline, for the supervisors (cases.supervise over the case). */
export const caseOverdue: NotificationEventDefinition<'caseId' | 'number' | 'card' | 'status'> = {
  code: 'cases.overdue',
  variables: ['caseId', 'number', 'card', 'status'],
  name: { 'zh-CN': '案件超时（黄牌、红牌）', en: 'Overdue case (yellow and red cards)' },
  audience: 'staff',
  inApp: {
    title: { 'zh-CN': '案件超时{card}：{number}', en: 'Overdue case, {card}: {number}' },
    body: {
      'zh-CN': '案件 {number} 在“{status}”环节已超过期限，请督办。',
      en: 'Case {number} is past its deadline at “{status}”. Please supervise it.',
    },
    link: '/console/cases/{caseId}',
  },
  sms: {
    text: {
      'zh-CN': '案件{number}在“{status}”环节超时（{card}），请登录邻里+督办。',
      en: 'Case {number} is overdue at “{status}” ({card}). Please supervise it in Linli.',
    },
    aliyun: {
      templateCode: 'SMS_480003003',
      params: { number: '{number}', status: '{status}', card: '{card}' },
    },
    tencent: { templateId: '2480303', params: ['{number}', '{status}', '{card}'] },
  },
  defaults: { sms: 'digest', wechat: false },
};

export const casesEvents = [caseReported, caseStep, caseDispatched, caseOverdue] as const;

const STATUS_TITLES_EN: Record<CaseStatus, string> = {
  reported: 'reported',
  registered: 'registered',
  not_registered: 'not registered',
  dispatched: 'dispatched',
  accepted: 'accepted',
  handling: 'being handled',
  handled: 'handled, awaiting verification',
  closed: 'closed',
  rated: 'rated',
};

/** A case state's title in both languages. */
export function caseStatusText(status: CaseStatus): PerLocale {
  return { 'zh-CN': STATUS_TITLES[status], en: STATUS_TITLES_EN[status] };
}
