import type { NotificationEventDefinition, NotificationLocale, PerLocale } from './module';

/**
 * Rendering of notification templates (core/module.ts `NotificationEventDefinition`): pure
 * functions shared by the notification hub (messages module) and identity's one-time codes.
 * Templates name variables as `{name}`.
 */

/** A variable's value: text, a number, text per locale, or nothing (rendered empty). */
export type VariableValue = string | number | PerLocale | null | undefined;

/** The data an event's templates are rendered with: every declared variable, by name. */
export type EventData<V extends string> = { readonly [K in V]: VariableValue };

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;

/** Thrown for a template naming a variable the data does not have (a bug a test must catch). */
export class TemplateVariableError extends Error {
  constructor(
    readonly template: string,
    readonly variable: string,
  ) {
    super(`template "${template}" names {${variable}}, which is not among its variables`);
    this.name = 'TemplateVariableError';
  }
}

/** The variable names a template uses, in order of appearance. */
export function placeholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function textOf(v: VariableValue, locale: NotificationLocale): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return v[locale] ?? v['zh-CN'];
  return String(v);
}

/** Renders one template; a variable the data lacks (as a key) throws TemplateVariableError. */
export function render(
  template: string,
  data: Readonly<Record<string, VariableValue>>,
  locale: NotificationLocale,
): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    if (!Object.hasOwn(data, name)) throw new TemplateVariableError(template, name);
    return textOf(data[name], locale);
  });
}

/** Every template of an event, named by where it is (for the test that walks all of them). */
export function templatesOf(def: NotificationEventDefinition): { where: string; template: string }[] {
  const out: { where: string; template: string }[] = [];
  const per = (where: string, t: PerLocale) => {
    for (const [locale, template] of Object.entries(t)) out.push({ where: `${where}.${locale}`, template });
  };
  if (def.inApp) {
    per('inApp.title', def.inApp.title);
    per('inApp.body', def.inApp.body);
    if (def.inApp.link) out.push({ where: 'inApp.link', template: def.inApp.link });
  }
  if (def.sms) {
    per('sms.text', def.sms.text);
    for (const [k, t] of Object.entries(def.sms.aliyun.params))
      out.push({ where: `sms.aliyun.params.${k}`, template: t });
    def.sms.tencent.params.forEach((t, i) => {
      out.push({ where: `sms.tencent.params.${i}`, template: t });
    });
  }
  if (def.wechat) {
    if (def.wechat.page) out.push({ where: 'wechat.page', template: def.wechat.page });
    for (const [k, t] of Object.entries(def.wechat.data))
      out.push({ where: `wechat.data.${k}`, template: t });
  }
  return out;
}

/**
 * What is wrong with an event's definition: templates naming undeclared variables, a code not
 * of the form `<module>.<event>`, a provider template without an id. Empty when it is sound.
 */
export function eventProblems(def: NotificationEventDefinition): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]*\.[a-z][a-z0-9_]*$/.test(def.code))
    problems.push(`code "${def.code}" is not <module>.<event_name>`);
  const declared = new Set(def.variables);
  for (const { where, template } of templatesOf(def)) {
    for (const name of placeholders(template)) {
      if (!declared.has(name)) problems.push(`${where} names {${name}}, which is not declared`);
    }
  }
  if (def.sms) {
    if (!/^SMS_\d+$/.test(def.sms.aliyun.templateCode))
      problems.push(`sms.aliyun.templateCode "${def.sms.aliyun.templateCode}" is not SMS_<digits>`);
    if (!/^\d+$/.test(def.sms.tencent.templateId))
      problems.push(`sms.tencent.templateId "${def.sms.tencent.templateId}" is not numeric`);
  }
  if (!def.inApp && !def.sms && !def.wechat) problems.push('has no channel: no inApp, sms or wechat');
  if (def.oneTimeCode && !def.sms) problems.push('a one-time code needs an sms template');
  return problems;
}

/** The in-app message of an event for one recipient. */
export function renderInApp(
  def: NotificationEventDefinition,
  data: Readonly<Record<string, VariableValue>>,
  locale: NotificationLocale,
): { title: string; body: string; link: string | null } | null {
  if (!def.inApp) return null;
  return {
    title: render(def.inApp.title[locale], data, locale),
    body: render(def.inApp.body[locale], data, locale),
    link: def.inApp.link ? render(def.inApp.link, data, locale) : null,
  };
}

/** Template ids a deployment has approved under its own provider accounts (NOTIFY_TEMPLATE_IDS). */
export interface TemplateIdOverride {
  aliyun?: string;
  tencent?: string;
  wechat?: string;
}

/** Alibaba Cloud takes at most 35 characters in one template variable (文本 variables). */
const ALIYUN_PARAM_MAX = 35;

function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * What an SMS provider is asked to send: the text (signed, as the recipient reads it; what the
 * `log` sender writes) and each provider's template and parameters. Provider parameters are
 * rendered in zh-CN: mainland templates are approved in Chinese.
 */
export interface SmsRequest {
  text: string;
  aliyun: { templateCode: string; params: Record<string, string> };
  tencent: { templateId: string; params: string[] };
}

export function renderSms(
  def: NotificationEventDefinition,
  data: Readonly<Record<string, VariableValue>>,
  locale: NotificationLocale,
  opts: { signName: string; override?: TemplateIdOverride },
): SmsRequest | null {
  if (!def.sms) return null;
  const { sms } = def;
  const aliyunParams: Record<string, string> = {};
  for (const [k, t] of Object.entries(sms.aliyun.params))
    aliyunParams[k] = clip(render(t, data, 'zh-CN'), ALIYUN_PARAM_MAX);
  return {
    text: `【${opts.signName}】${render(sms.text[locale], data, locale)}`,
    aliyun: { templateCode: opts.override?.aliyun ?? sms.aliyun.templateCode, params: aliyunParams },
    tencent: {
      templateId: opts.override?.tencent ?? sms.tencent.templateId,
      params: sms.tencent.params.map((t) => render(t, data, 'zh-CN')),
    },
  };
}

/**
 * Limits WeChat puts on a subscription message keyword's value, by the keyword's type (the
 * letters of its name: `thing1` is a thing). Longer values are refused with errcode 47003.
 */
const WECHAT_LIMITS: Record<string, number> = {
  thing: 20,
  number: 32,
  letter: 32,
  symbol: 5,
  character_string: 32,
  phrase: 5,
  name: 10,
  phone_number: 17,
  car_number: 8,
};

/** A WeChat subscription message's template, page and data (`{ thing1: { value } }`). */
export interface WechatRequest {
  templateId: string;
  page: string | null;
  data: Record<string, { value: string }>;
}

export function renderWechat(
  def: NotificationEventDefinition,
  data: Readonly<Record<string, VariableValue>>,
  locale: NotificationLocale,
  override?: TemplateIdOverride,
): WechatRequest | null {
  if (!def.wechat) return null;
  const out: Record<string, { value: string }> = {};
  for (const [keyword, t] of Object.entries(def.wechat.data)) {
    const type = keyword.replace(/\d+$/, '');
    const value = render(t, data, locale);
    const max = WECHAT_LIMITS[type];
    out[keyword] = { value: max ? clip(value, max) : value };
  }
  return {
    templateId: override?.wechat ?? def.wechat.templateId,
    page: def.wechat.page ? render(def.wechat.page, data, locale) : null,
    data: out,
  };
}
