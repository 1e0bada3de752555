import { CASE_STATUSES, type CaseQuery, type CaseStatus } from '@linli/contracts';
import type { LocationQuery } from 'vue-router';
import { compactQuery, queryList, queryString } from '@/utils/query';

export const PAGE_SIZE = 20;
export const STATUSES = CASE_STATUSES;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CATEGORY = /^[0-9]{2,4}$/;

/** Which list a page shows: the board, my tasks, the verification queue or supervised cases. */
export type CasePreset = 'board' | 'mine' | 'verify' | 'supervision';

/** The list's state, all of it in the URL: filters and the cursors that led here. */
export interface CaseListState {
  status?: CaseStatus;
  categoryCode?: string;
  orgUnitId?: string;
  overdue?: boolean;
  supervised?: boolean;
  cursors: string[];
}

export function readState(q: LocationQuery): CaseListState {
  const status = queryString(q, 'status');
  const category = queryString(q, 'category');
  const unit = queryString(q, 'orgUnitId');
  return {
    status: status && (STATUSES as readonly string[]).includes(status) ? (status as CaseStatus) : undefined,
    categoryCode: category && CATEGORY.test(category) ? category : undefined,
    orgUnitId: unit && UUID.test(unit) ? unit : undefined,
    overdue: queryString(q, 'overdue') === '1' || undefined,
    supervised: queryString(q, 'supervised') === '1' || undefined,
    cursors: queryList(q, 'c'),
  };
}

export function writeState(s: CaseListState) {
  return compactQuery({
    status: s.status,
    category: s.categoryCode,
    orgUnitId: s.orgUnitId,
    overdue: s.overdue ? '1' : undefined,
    supervised: s.supervised ? '1' : undefined,
    c: s.cursors,
  });
}

/** The filters the list and the export share; each preset adds its own. */
export function filterQuery(s: CaseListState, preset: CasePreset, scopeUnitId?: string): CaseQuery {
  return {
    status: preset === 'verify' ? undefined : s.status,
    categoryCode: s.categoryCode,
    // My tasks are mine wherever they are; the other lists follow the header's unit.
    orgUnitId: s.orgUnitId ?? (preset === 'mine' ? undefined : scopeUnitId),
    overdue: s.overdue,
    supervised: preset === 'supervision' ? true : s.supervised,
    mine: preset === 'mine' ? true : undefined,
  };
}

/** Element Plus tag colours per status. */
export function statusTone(s: CaseStatus): 'primary' | 'success' | 'warning' | 'danger' | 'info' {
  switch (s) {
    case 'reported':
    case 'registered':
      return 'primary';
    case 'dispatched':
    case 'accepted':
    case 'handling':
      return 'warning';
    case 'handled':
      return 'danger';
    case 'closed':
    case 'rated':
      return 'success';
    default:
      return 'info';
  }
}

/** Point colours on the map, one per status (legend in the same order). */
export const STATUS_COLORS: Record<CaseStatus, string> = {
  reported: '#1d4ed8',
  registered: '#0891b2',
  not_registered: '#9ca3af',
  dispatched: '#d97706',
  accepted: '#ea580c',
  handling: '#f59e0b',
  handled: '#db2777',
  closed: '#16a34a',
  rated: '#15803d',
};

/** The steps staff take in the drawer, in the order their buttons appear. */
export const STAFF_STEPS = [
  'register',
  'dispatch',
  'accept',
  'start',
  'handle',
  'verify_pass',
  'verify_fail',
  'send_back',
  'not_register',
  'request_extension',
  'approve_extension',
  'deny_extension',
  'supervise',
] as const;
export type StaffStep = (typeof STAFF_STEPS)[number];

/** Steps that need a reason (2–500 characters). */
export const REASON_STEPS: readonly StaffStep[] = ['not_register', 'send_back', 'verify_fail'];

/** Button colours: the way forward is primary, refusals are red, the rest plain. */
export function stepType(s: StaffStep): 'primary' | 'danger' | 'warning' | 'default' {
  if (s === 'not_register' || s === 'verify_fail' || s === 'send_back' || s === 'deny_extension')
    return 'danger';
  if (s === 'supervise' || s === 'request_extension') return 'warning';
  return 'primary';
}

/** `1 小时 5 分` from milliseconds (never negative). */
export function splitDuration(ms: number): { h: number; m: number } {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  return { h: Math.floor(minutes / 60), m: minutes % 60 };
}
