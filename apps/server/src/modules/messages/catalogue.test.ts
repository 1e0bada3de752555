import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NotificationEventDefinition } from '../../core/module';
import {
  eventProblems,
  placeholders,
  render,
  renderInApp,
  renderSms,
  renderWechat,
  TemplateVariableError,
  templatesOf,
} from '../../core/notify-templates';
import { MODULES } from '..';
import { notificationEvents } from './catalogue';
import { notify } from './hub';

/**
 * Every notification event every manifest declares, rendered: each template names only the
 * event's declared variables, every declared variable is used somewhere, and each renders with
 * sample data in both languages to text without a placeholder left in it. A template that names
 * a variable the event does not declare fails here, never in production.
 */

const events = MODULES.flatMap((m) => (m.events ?? []).map((e) => ({ module: m.name, e })));

/** Sample data: each variable a different value per language, so a mix-up shows. */
const sample = (e: NotificationEventDefinition) =>
  Object.fromEntries(e.variables.map((v) => [v, { 'zh-CN': `〔${v}〕`, en: `<${v}>` }]));

describe('every declared notification event', () => {
  it("is in its module's manifest: every event an events.ts defines, and the hub knows exactly those", async () => {
    const dir = path.resolve(import.meta.dirname, '..');
    const defined: string[] = [];
    for (const m of fs.readdirSync(dir)) {
      const file = path.join(dir, m, 'events.ts');
      if (!fs.existsSync(file)) continue;
      for (const v of Object.values(await import(file)))
        if (v && typeof v === 'object' && 'code' in v && 'variables' in v)
          defined.push((v as { code: string }).code);
    }
    const declared = events.map((x) => x.e.code).sort();
    expect([...new Set(defined)].sort()).toEqual(declared);
    expect([...(await notificationEvents()).keys()].sort()).toEqual(declared);
  });

  it.each(events.map((x) => [x.e.code, x.e] as const))(
    '%s: its templates name only its variables',
    (_code, e) => {
      expect(eventProblems(e)).toEqual([]);
      const used = new Set(templatesOf(e).flatMap((t) => placeholders(t.template)));
      // A declared variable no template uses is a variable callers compute for nothing.
      expect(e.variables.filter((v) => !used.has(v))).toEqual([]);
    },
  );

  it.each(events.map((x) => [x.e.code, x.e] as const))('%s: renders in both languages', (_code, e) => {
    const data = sample(e);
    for (const locale of ['zh-CN', 'en'] as const) {
      const inApp = renderInApp(e, data, locale);
      if (inApp) {
        expect(`${inApp.title}${inApp.body}${inApp.link}`).not.toMatch(/[{}]/);
        expect(inApp.title.length).toBeGreaterThan(0);
        if (e.inApp?.link) expect(inApp.link).toMatch(/^\//);
      }
      const sms = renderSms(e, data, locale, { signName: '邻里+' });
      if (sms) {
        expect(sms.text.startsWith('【邻里+】')).toBe(true);
        expect(sms.text).not.toMatch(/[{}]/);
        // Providers get the zh-CN values: the approved templates are Chinese.
        for (const v of [...Object.values(sms.aliyun.params), ...sms.tencent.params])
          expect(v).not.toMatch(/[<>{}]/);
      }
      const wechat = renderWechat(e, data, locale);
      if (wechat) for (const d of Object.values(wechat.data)) expect(d.value).not.toMatch(/[{}]/);
    }
    expect(e.code.startsWith(`${events.find((x) => x.e === e)!.module}.`)).toBe(true);
  });
});

describe('a template that is wrong', () => {
  const broken: NotificationEventDefinition<'number'> = {
    code: 'cases.broken',
    variables: ['number'],
    name: { 'zh-CN': '坏模板', en: 'Broken' },
    audience: 'staff',
    inApp: {
      title: { 'zh-CN': '案件{number}', en: 'Case {numbr}' },
      body: { 'zh-CN': '{number}', en: '{number}' },
    },
    sms: {
      text: { 'zh-CN': '案件{number}', en: 'Case {number}' },
      aliyun: { templateCode: 'SMS_1', params: { n: '{caseNo}' } },
      tencent: { templateId: 'abc', params: ['{number}'] },
    },
    defaults: { sms: 'off', wechat: false },
  };

  it('is found by the walk: each undeclared variable and bad template id named', () => {
    expect(eventProblems(broken)).toEqual([
      'inApp.title.en names {numbr}, which is not declared',
      'sms.aliyun.params.n names {caseNo}, which is not declared',
      'sms.tencent.templateId "abc" is not numeric',
    ]);
  });

  it('throws when rendered with a variable missing, rather than sending a hole', () => {
    expect(() => render('案件{number}超时', {}, 'zh-CN')).toThrow(TemplateVariableError);
  });

  it('cannot be sent: notify() refuses an event no manifest declares', async () => {
    await expect(notify({} as never, ['x'], broken, { number: '1' })).rejects.toThrow(
      'notification event cases.broken is not declared',
    );
  });
});
