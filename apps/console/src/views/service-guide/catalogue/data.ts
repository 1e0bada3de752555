import { ApiError } from '@linli/api-client';
import type { CatalogueItemQuery } from '@linli/contracts';
import type { ServiceGuide } from '@linli/contracts';
import type { LocationQuery } from 'vue-router';
import { i18n } from '@/locales';
import { compactQuery, queryList, queryString } from '@/utils/query';

export const PAGE_SIZE = 20;
export const MODES = ['direct', 'proxy'] as const;
/** The list's status filter: one choice maps to the API's `status` and `hasDraft`. */
export const STATUS_FILTERS = ['has-draft', 'published', 'draft', 'retired'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export const CASE_TYPES = ['即办件', '承诺件'] as const;
export const MATERIAL_FORMS = ['原件', '复印件', '原件和复印件', '电子'] as const;
export const CODE_PATTERN = /^[A-Za-z0-9_-]{1,20}$/;

/** The list's state, all of it in the URL: filters plus the stack of cursors that led here. */
export interface CatalogueListState {
  q?: string;
  mode?: (typeof MODES)[number];
  department?: string;
  status?: StatusFilter;
  cursors: string[];
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return value && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

export function readState(query: LocationQuery): CatalogueListState {
  return {
    q: queryString(query, 'q'),
    mode: oneOf(queryString(query, 'mode'), MODES),
    department: queryString(query, 'department'),
    status: oneOf(queryString(query, 'status'), STATUS_FILTERS),
    cursors: queryList(query, 'c'),
  };
}

export function writeState(state: CatalogueListState) {
  return compactQuery({
    q: state.q,
    mode: state.mode,
    department: state.department,
    status: state.status,
    c: state.cursors,
  });
}

export function apiQuery(state: CatalogueListState): CatalogueItemQuery {
  const status =
    state.status === 'has-draft' ? { hasDraft: true } : state.status ? { status: state.status } : {};
  return {
    q: state.q,
    mode: state.mode,
    department: state.department,
    ...status,
    cursor: state.cursors[state.cursors.length - 1],
    limit: PAGE_SIZE,
  };
}

/** Time limits in words: 即办件 / 承诺 5 个工作日 · 法定 20 日. */
export function timeLimitText(row: {
  caseType: string;
  promisedTimeLimitWorkingDays: number | null;
  statutoryTimeLimitDays: number | null;
}): string {
  const { t } = i18n.global;
  const parts: string[] = [];
  if (row.promisedTimeLimitWorkingDays !== null)
    parts.push(
      row.promisedTimeLimitWorkingDays === 0
        ? t('catalogue.limits.sameDay')
        : t('catalogue.limits.promised', { n: row.promisedTimeLimitWorkingDays }),
    );
  if (row.statutoryTimeLimitDays !== null)
    parts.push(t('catalogue.limits.statutory', { n: row.statutoryTimeLimitDays }));
  return parts.join(' · ') || row.caseType;
}

// ---- The editor's form: the guide with list fields as rows the form can edit ----

export interface MaterialRow {
  key: number;
  name: string;
  form: string;
  copies: number;
  required: boolean;
  note: string;
}

export interface GuideForm {
  code: string;
  mode: (typeof MODES)[number];
  name: string;
  basicCode: string;
  itemType: string;
  department: string;
  serviceObject: string;
  legalBasis: string;
  acceptanceConditions: string;
  materials: MaterialRow[];
  process: { key: number; text: string }[];
  caseType: string;
  statutoryTimeLimitDays: number | null;
  promisedTimeLimitWorkingDays: number | null;
  feeCharged: boolean;
  feeBasis: string;
  location: string;
  serviceHours: string;
  consultPhone: string;
  complaintPhone: string;
  onlineChannels: string;
  onsiteVisits: number;
  faq: { key: number; question: string; answer: string }[];
  themes: string[];
  lifeEvents: string[];
  aliases: string[];
  changeNote: string;
}

let keySeq = 0;
/** A fresh key for a row of an editable list (v-for needs stable keys while rows move). */
export const rowKey = () => ++keySeq;

const lines = (s: string) =>
  s
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean);
const orNull = (s: string) => s.trim() || null;

export function emptyMaterial(): MaterialRow {
  return { key: rowKey(), name: '', form: '原件', copies: 1, required: true, note: '' };
}

export function emptyForm(): GuideForm {
  return {
    code: '',
    mode: 'direct',
    name: '',
    basicCode: '',
    itemType: '公共服务',
    department: '',
    serviceObject: '自然人',
    legalBasis: '',
    acceptanceConditions: '',
    materials: [emptyMaterial()],
    process: [{ key: rowKey(), text: '' }],
    caseType: '即办件',
    statutoryTimeLimitDays: null,
    promisedTimeLimitWorkingDays: 0,
    feeCharged: false,
    feeBasis: '',
    location: '',
    serviceHours: '',
    consultPhone: '',
    complaintPhone: '',
    onlineChannels: '',
    onsiteVisits: 1,
    faq: [],
    themes: [],
    lifeEvents: [],
    aliases: [],
    changeNote: '',
  };
}

export function guideToForm(g: ServiceGuide, item: { code: string; mode: 'direct' | 'proxy' }): GuideForm {
  return {
    code: item.code,
    mode: item.mode,
    name: g.name,
    basicCode: g.basicCode ?? '',
    itemType: g.itemType,
    department: g.department,
    serviceObject: g.serviceObject,
    legalBasis: g.legalBasis.join('\n'),
    acceptanceConditions: g.acceptanceConditions,
    materials: g.materials.map((m) => ({
      key: rowKey(),
      name: m.name,
      form: m.form,
      copies: m.copies,
      required: m.required,
      note: m.note ?? '',
    })),
    process: g.process.map((text) => ({ key: rowKey(), text })),
    caseType: g.caseType,
    statutoryTimeLimitDays: g.statutoryTimeLimitDays,
    promisedTimeLimitWorkingDays: g.promisedTimeLimitWorkingDays,
    feeCharged: g.fee.charged,
    feeBasis: g.fee.basis ?? '',
    location: g.location,
    serviceHours: g.serviceHours,
    consultPhone: g.consultPhone ?? '',
    complaintPhone: g.complaintPhone ?? '',
    onlineChannels: g.onlineChannels.join('\n'),
    onsiteVisits: g.onsiteVisits,
    faq: g.faq.map((f) => ({ key: rowKey(), ...f })),
    themes: [...g.themes],
    lifeEvents: [...g.lifeEvents],
    aliases: [...g.aliases],
    changeNote: '',
  };
}

/** The form as the API's guide. Row order is kept, so server errors' indexes match the rows. */
export function formToGuide(f: GuideForm): ServiceGuide {
  const int = (n: number | null | undefined) => (typeof n === 'number' && Number.isFinite(n) ? n : null);
  return {
    name: f.name.trim(),
    basicCode: orNull(f.basicCode),
    itemType: f.itemType.trim(),
    department: f.department.trim(),
    serviceObject: f.serviceObject.trim(),
    legalBasis: lines(f.legalBasis),
    acceptanceConditions: f.acceptanceConditions.trim(),
    materials: f.materials.map((m) => ({
      name: m.name.trim(),
      form: m.form.trim(),
      copies: m.copies ?? 0,
      required: m.required,
      note: orNull(m.note),
    })),
    process: f.process.map((p) => p.text.trim()).filter(Boolean),
    caseType: f.caseType,
    statutoryTimeLimitDays: int(f.statutoryTimeLimitDays),
    promisedTimeLimitWorkingDays: int(f.promisedTimeLimitWorkingDays),
    fee: { charged: f.feeCharged, basis: f.feeCharged ? orNull(f.feeBasis) : null },
    location: f.location.trim(),
    serviceHours: f.serviceHours.trim(),
    consultPhone: orNull(f.consultPhone),
    complaintPhone: orNull(f.complaintPhone),
    onlineChannels: lines(f.onlineChannels),
    onsiteVisits: f.onsiteVisits ?? 1,
    faq: f.faq
      .map((q) => ({ question: q.question.trim(), answer: q.answer.trim() }))
      .filter((q) => q.question || q.answer),
    themes: f.themes.map((x) => x.trim()).filter(Boolean),
    lifeEvents: f.lifeEvents.map((x) => x.trim()).filter(Boolean),
    aliases: f.aliases.map((x) => x.trim()).filter(Boolean),
  };
}

/** What "unsaved changes" compares: the guide as it would be sent, plus the change note. */
export const formFingerprint = (f: GuideForm) =>
  JSON.stringify([formToGuide(f), f.code, f.mode, f.changeNote.trim()]);

/**
 * Server field errors of a guide, keyed by their path inside the form: `name`,
 * `materials.1.name`, `fee.basis`, `code`. The shared decoder keys errors by the last path
 * segment only, which cannot tell a material's `name` from the item's.
 */
export function guideFieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  const { t, te } = i18n.global;
  for (const e of error.problem.errors ?? []) {
    const segments = e.field.split('/').filter(Boolean);
    if (segments[0] === 'body') segments.shift();
    if (segments[0] === 'guide') segments.shift();
    const path = segments.join('.');
    if (!path || out[path]) continue;
    const last = [...segments].reverse().find((s) => !/^\d+$/.test(s)) ?? path;
    // A material's `name` is the material's name, not the item's.
    const labelKey = `catalogue.fields.${segments[0] === 'materials' && last === 'name' ? 'materialName' : last}`;
    const label = te(labelKey) ? t(labelKey) : last;
    const own = `catalogue.validation.${e.code}`;
    const shared = `validation.${e.code}`;
    out[path] =
      e.code && te(own)
        ? t(own, { field: label })
        : e.code && te(shared)
          ? t(shared, { field: label })
          : t('validation.invalid', { field: label });
  }
  return out;
}

/** Version status → tag colour. */
export const versionTagType = (s: string) =>
  s === 'published' ? 'success' : s === 'draft' ? 'warning' : 'info';

// ---- .xlsx import report ----

export interface ImportRowError {
  row: number;
  field: string;
  message: string;
}

/** The server's English message of an import row, in the user's language when we know it. */
export function importMessage(message: string): string {
  const { t } = i18n.global;
  const rules: [RegExp, string][] = [
    [/^is required$/, 'required'],
    [/^column is missing$/, 'columnMissing'],
    [/^must be direct or proxy, not “(.*)”$/, 'mode'],
    [/^unknown department “(.*)”$/, 'department'],
    [/^must be a whole number ≥ 0, not “(.*)”$/, 'wholeNumber'],
    [/^must be 是 or 否, not “(.*)”$/, 'yesNo'],
    [/^duplicate of row (\d+)$/, 'duplicateRow'],
    [/^letters, digits, - or _, at most 20$/, 'code'],
    [/^must be 2 to 100 characters$/, 'nameLength'],
    [/^line (\d+) must be name\|form\|copies\|required$/, 'materialLine'],
    [/^line (\d+): copies must be a whole number$/, 'materialCopies'],
    [/^line (\d+) must be question\|answer$/, 'faqLine'],
    [/^this item is retired$/, 'retired'],
  ];
  for (const [re, key] of rules) {
    const m = re.exec(message);
    if (m) return t(`catalogue.import.messages.${key}`, { value: m[1] ?? '' });
  }
  return message;
}

/** A sheet column's name in the user's language (the header row itself stays English). */
export function columnLabel(field: string): string {
  const { t, te } = i18n.global;
  const key = `catalogue.columns.${field}`;
  return te(key) ? `${t(key)}（${field}）` : field;
}
