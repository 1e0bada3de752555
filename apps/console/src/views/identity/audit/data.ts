import type { AuditCatalogue, AuditLabel, AuditQuery } from '@linli/contracts';
import { shallowRef } from 'vue';
import type { LocationQuery } from 'vue-router';
import { api } from '@/api';
import { i18n } from '@/locales';
import { compactQuery, queryList, queryString } from '@/utils/query';
import { roleName } from '@/utils/roles';
import { formatTime } from '@/utils/time';

export const PAGE_SIZE = 20;

/**
 * The server's audit catalogue (GET /audit/catalogue): every action, entity type and field the
 * modules write, with zh-CN and en words. Loaded once; the labels below follow the UI language.
 */
export const catalogue = shallowRef<AuditCatalogue | null>(null);
let loading: Promise<void> | null = null;
export function loadAuditCatalogue(): Promise<void> {
  loading ??= api.audit
    .catalogue()
    .then((c) => {
      catalogue.value = c;
    })
    .catch(() => {
      // Without the catalogue the codes show as they are; the next page visit tries again.
      loading = null;
    });
  return loading;
}

/** Every action the catalogue names, e.g. `account.grant`. */
export const actionCodes = () => Object.keys(catalogue.value?.actions ?? {});
export const entityTypeCodes = () => Object.keys(catalogue.value?.entityTypes ?? {});

export interface AuditListState {
  action?: string;
  entityType?: string;
  actorId?: string;
  /** The actor's name, kept in the URL only so the filter can show it after a reload. */
  actor?: string;
  orgUnitId?: string;
  from?: string;
  to?: string;
  cursors: string[];
}

export function readState(query: LocationQuery): AuditListState {
  return {
    action: queryString(query, 'action'),
    entityType: queryString(query, 'entityType'),
    actorId: queryString(query, 'actorId'),
    actor: queryString(query, 'actor'),
    orgUnitId: queryString(query, 'orgUnitId'),
    from: queryString(query, 'from'),
    to: queryString(query, 'to'),
    cursors: queryList(query, 'c'),
  };
}

export function writeState(s: AuditListState) {
  return compactQuery({
    action: s.action,
    entityType: s.entityType,
    actorId: s.actorId,
    actor: s.actorId ? s.actor : undefined,
    orgUnitId: s.orgUnitId,
    from: s.from,
    to: s.to,
    c: s.cursors,
  });
}

export function apiQuery(s: AuditListState, scopeUnitId: string | undefined): AuditQuery {
  return {
    action: s.action,
    entityType: s.entityType,
    actorId: s.actorId,
    orgUnitId: s.orgUnitId ?? scopeUnitId,
    from: s.from,
    to: s.to,
    cursor: s.cursors[s.cursors.length - 1],
    limit: PAGE_SIZE,
  };
}

function tr(key: string): string | null {
  const { t, te } = i18n.global;
  return te(key) ? t(key) : null;
}

/** The label in the UI language (vue-i18n's locale), else Chinese; an unknown code shows as it is. */
function pick(label: AuditLabel | undefined): string | null {
  if (!label) return null;
  return i18n.global.locale.value === 'en' ? label.en : label['zh-CN'];
}

export const actionLabel = (action: string) => pick(catalogue.value?.actions[action]) ?? action;
export const entityLabel = (type: string) => pick(catalogue.value?.entityTypes[type]) ?? type;
export const fieldLabel = (field: string) =>
  pick(catalogue.value?.fields[field]) ?? tr(`fields.${field}`) ?? field;

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** A changed value as words: translated enums, Beijing times, nested objects as "label: value" pairs. */
export function formatValue(field: string, value: unknown, depth = 0): string {
  const { t } = i18n.global;
  if (value === null || value === undefined || value === '') return t('audit.emptyValue');
  if (value === '[redacted]') return t('audit.redacted');
  if (typeof value === 'boolean') return value ? t('common.yes') : t('common.no');
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (ISO.test(value)) return formatTime(value);
    if (field === 'status') return tr(`states.${value}`) ?? value;
    if (field === 'kind') return tr(`kinds.${value}`) ?? tr(`accountKinds.${value}`) ?? value;
    if (field === 'roleCode' || field === 'role') return roleName(value);
    if (field === 'action') return actionLabel(value);
    return value;
  }
  if (Array.isArray(value)) {
    return value
      .map((v) =>
        typeof v === 'string' && field === 'fields' ? fieldLabel(v) : formatValue(field, v, depth + 1),
      )
      .join('、');
  }
  if (typeof value === 'object') {
    if (depth > 2) return '…';
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${fieldLabel(k)}：${formatValue(k, v, depth + 1)}`)
      .join('；');
  }
  return String(value);
}
