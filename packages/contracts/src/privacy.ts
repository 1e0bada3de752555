import { type Static, Type } from 'typebox';
import { FreeText, Id, IsoTime, Nullable } from './common';

/**
 * 个人信息保护 (PIPL): the district's privacy notice (隐私政策 / 个人信息处理规则) with its versions,
 * residents' consent to it, the download of one's own data and closing one's account (注销).
 */

export const PRIVACY_LOCALES = ['zh-CN', 'en'] as const;
export type PrivacyLocale = (typeof PRIVACY_LOCALES)[number];

export const PrivacyNoticeText = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 100 }),
  /**
   * The rules, as light text: a line starting with `## ` is a heading, lines starting with `- `
   * are a list, blank lines separate paragraphs (see `noticeBlocks`).
   */
  body: FreeText({ minLength: 20, maxLength: 40000 }),
});
export type PrivacyNoticeText = Static<typeof PrivacyNoticeText>;
export const PrivacyNoticeTexts = Type.Object({ 'zh-CN': PrivacyNoticeText, en: PrivacyNoticeText });

export const PrivacyNotice = Type.Object({
  id: Id,
  version: Type.Integer(),
  /** What changed from the previous version (shown when residents are asked again). */
  summary: Nullable(Type.String()),
  texts: PrivacyNoticeTexts,
  publishedAt: IsoTime,
  publishedBy: Nullable(Type.Object({ id: Id, displayName: Type.String() })),
});
export type PrivacyNotice = Static<typeof PrivacyNotice>;
export const PrivacyNoticeList = Type.Object({ items: Type.Array(PrivacyNotice) });

export const PrivacyNoticeCreate = Type.Object({
  texts: PrivacyNoticeTexts,
  summary: FreeText({ minLength: 2, maxLength: 500 }),
});
export type PrivacyNoticeCreate = Static<typeof PrivacyNoticeCreate>;

/** The resident agrees to the version they were shown (409 `privacy-version-stale` if a newer one came out). */
export const PrivacyConsentCreate = Type.Object({ version: Type.Integer({ minimum: 1, maximum: 100000 }) });

export const PrivacyConsent = Type.Object({ version: Type.Integer(), at: IsoTime });
export type PrivacyConsent = Static<typeof PrivacyConsent>;
export const MyPrivacy = Type.Object({
  current: Nullable(PrivacyNotice),
  consentedVersion: Nullable(Type.Integer()),
  consentRequired: Type.Boolean(),
  consents: Type.Array(PrivacyConsent),
});
export type MyPrivacy = Static<typeof MyPrivacy>;

/** What stands in the way of closing the account, e.g. `{ code: 'applications-in-progress', count: 2 }`. */
export const ClosureBlocker = Type.Object({ code: Type.String(), count: Type.Integer() });
export type ClosureBlocker = Static<typeof ClosureBlocker>;
export const ClosurePreview = Type.Object({
  /** The number the confirmation code goes to, masked (138****1234). */
  phone: Nullable(Type.String()),
  blockers: Type.Array(ClosureBlocker),
});
export type ClosurePreview = Static<typeof ClosurePreview>;
export const ClosureConfirm = Type.Object({ code: Type.String({ pattern: '^[0-9]{6}$' }) });

export type NoticeBlock =
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] };

/**
 * The notice body as blocks for display: `## ` headings, `- ` list items, paragraphs split by
 * blank lines (lines within a paragraph keep their breaks). Plain text in, no HTML out.
 */
export function noticeBlocks(body: string): NoticeBlock[] {
  const blocks: NoticeBlock[] = [];
  let para: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (para.length) blocks.push({ kind: 'paragraph', text: para.join('\n') });
    if (list.length) blocks.push({ kind: 'list', items: list });
    para = [];
    list = [];
  };
  for (const raw of body.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (!line) {
      flush();
    } else if (/^#{1,3}\s/.test(line)) {
      flush();
      blocks.push({ kind: 'heading', text: line.replace(/^#{1,3}\s+/, '') });
    } else if (/^[-·•]\s/.test(line)) {
      if (para.length) {
        blocks.push({ kind: 'paragraph', text: para.join('\n') });
        para = [];
      }
      list.push(line.replace(/^[-·•]\s+/, ''));
    } else {
      if (list.length) {
        blocks.push({ kind: 'list', items: list });
        list = [];
      }
      para.push(line);
    }
  }
  flush();
  return blocks;
}
