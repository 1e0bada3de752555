import {
  APPLICATION_STATUSES,
  type ApplicationFilter,
  type ApplicationStatus,
  type ApplicationWorkbenchQuery,
} from '@linli/contracts';
import type { LocationQuery } from 'vue-router';
import { compactQuery, queryList, queryString } from '@/utils/query';

export const PAGE_SIZE = 20;
export const STATUSES = APPLICATION_STATUSES;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The workbench's state, all of it in the URL: queue, filters and the cursors that led here. */
export interface WorkbenchState {
  status?: ApplicationStatus;
  itemId?: string;
  /** The item's name, so the filter shows it after a reload without a lookup. */
  itemName?: string;
  orgUnitId?: string;
  from?: string;
  to?: string;
  overdue?: boolean;
  trips?: boolean;
  cursors: string[];
}

const pick = <T extends string>(v: string | undefined, ok: readonly T[]) =>
  v && (ok as readonly string[]).includes(v) ? (v as T) : undefined;
const match = (v: string | undefined, re: RegExp) => (v && re.test(v) ? v : undefined);

export function readState(q: LocationQuery): WorkbenchState {
  return {
    status: pick(queryString(q, 'status'), STATUSES),
    itemId: match(queryString(q, 'itemId'), UUID),
    itemName: queryString(q, 'itemName'),
    orgUnitId: match(queryString(q, 'orgUnitId'), UUID),
    from: match(queryString(q, 'from'), DAY),
    to: match(queryString(q, 'to'), DAY),
    overdue: queryString(q, 'overdue') === '1' || undefined,
    trips: queryString(q, 'trips') === '1' || undefined,
    cursors: queryList(q, 'c'),
  };
}

export function writeState(s: WorkbenchState) {
  return compactQuery({
    status: s.status,
    itemId: s.itemId,
    itemName: s.itemId ? s.itemName : undefined,
    orgUnitId: s.orgUnitId,
    from: s.from,
    to: s.to,
    overdue: s.overdue ? '1' : undefined,
    trips: s.trips ? '1' : undefined,
    c: s.cursors,
  });
}

/** The filters the list, the queue counts and the export share (the URL's unit, else the header's). */
export function filterQuery(s: WorkbenchState, scopeUnitId: string | undefined): ApplicationFilter {
  return {
    status: s.status,
    itemId: s.itemId,
    orgUnitId: s.orgUnitId ?? scopeUnitId,
    from: s.from,
    to: s.to,
    overdue: s.overdue,
    multipleTrips: s.trips,
  };
}

export function apiQuery(s: WorkbenchState, scopeUnitId: string | undefined): ApplicationWorkbenchQuery {
  return { ...filterQuery(s, scopeUnitId), cursor: s.cursors[s.cursors.length - 1], limit: PAGE_SIZE };
}

/** Element Plus tag colours per status. */
export function statusTone(s: ApplicationStatus): 'primary' | 'success' | 'warning' | 'danger' | 'info' {
  switch (s) {
    case 'submitted':
    case 'pre_review':
      return 'primary';
    case 'needs_more':
      return 'warning';
    case 'accepted':
    case 'forwarded':
      return 'warning';
    case 'done':
    case 'result_ready':
    case 'completed':
    case 'rated':
      return 'success';
    case 'refused':
      return 'danger';
    default:
      return 'info';
  }
}

/** `12.3 KB` / `1.2 MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The steps a staff member takes in the drawer, in the order their buttons appear. */
export const STAFF_STEPS = [
  'pre_review',
  'request_more',
  'accept',
  'forward',
  'complete',
  'result_ready',
  'finish',
  'refuse',
  'record_visit',
] as const;
export type StaffStep = (typeof STAFF_STEPS)[number];
/** Steps that need more than a confirmation: they open their own dialog. */
export const DIALOG_STEPS: readonly StaffStep[] = ['request_more', 'refuse', 'result_ready', 'record_visit'];
