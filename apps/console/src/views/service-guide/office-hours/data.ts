import type { OfficeHourQuery, OfficeHourSession } from '@linli/contracts';
import type { LocationQuery } from 'vue-router';
import { i18n } from '@/locales';
import { beijingToIso } from '@/utils/time';
import { compactQuery, queryString } from '@/utils/query';

/** Start and end times offered in the form: every half hour, 07:00 to 21:00. */
export const TIMES = Array.from({ length: 29 }, (_, i) => {
  const minutes = 7 * 60 + i * 30;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
});

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The list's state, all of it in the URL. */
export interface OfficeHourListState {
  orgUnitId?: string;
  /** A day (YYYY-MM-DD, Beijing); without it, everything from now on. */
  date?: string;
  cancelled?: boolean;
}

export function readState(query: LocationQuery): OfficeHourListState {
  const date = queryString(query, 'date');
  return {
    orgUnitId: queryString(query, 'orgUnitId'),
    date: date && DATE_RE.test(date) ? date : undefined,
    cancelled: queryString(query, 'cancelled') === '1',
  };
}

export function writeState(state: OfficeHourListState) {
  return compactQuery({
    orgUnitId: state.orgUnitId,
    date: state.date,
    cancelled: state.cancelled ? '1' : undefined,
  });
}

/**
 * The API query: the URL's community, else the header's unit when it is a community; department
 * staff see their own department's sessions (the ones they may change).
 */
export function apiQuery(
  state: OfficeHourListState,
  scopeCommunityId: string | undefined,
  departmentId: string | undefined,
): OfficeHourQuery {
  return {
    orgUnitId: state.orgUnitId ?? scopeCommunityId,
    departmentId,
    from: state.date ? beijingToIso(`${state.date} 00:00`) : undefined,
    to: state.date ? beijingToIso(`${state.date} 23:59:59`) : undefined,
    includeCancelled: state.cancelled || undefined,
  };
}

const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Beijing date and time parts of an instant. */
export function beijingParts(iso: string) {
  const p: Record<string, string> = {};
  for (const x of parts.formatToParts(new Date(iso))) p[x.type] = x.value;
  return {
    y: Number(p.year),
    m: Number(p.month),
    d: Number(p.day),
    weekday: WEEKDAYS.indexOf(p.weekday ?? ''),
    time: `${p.hour}:${p.minute}`,
    /** YYYY-MM-DD */
    date: `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`,
  };
}

/** 11月30日 周一 (Mon 30 Nov in English). */
export function sessionDay(s: Pick<OfficeHourSession, 'startsAt'>): string {
  const p = beijingParts(s.startsAt);
  const weekday = i18n.global.t(`officeHours.weekdays.${p.weekday}`);
  return i18n.global.t('officeHours.day', { m: p.m, d: p.d, month: MONTHS[p.m - 1], weekday });
}

/** 09:00–12:00 */
export function sessionHours(s: Pick<OfficeHourSession, 'startsAt' | 'endsAt'>): string {
  return `${beijingParts(s.startsAt).time}–${beijingParts(s.endsAt).time}`;
}

/** A scheduled session that has not started may still be changed, cancelled and booked. */
export function isOpen(s: Pick<OfficeHourSession, 'status' | 'startsAt'>, now = Date.now()): boolean {
  return s.status === 'scheduled' && Date.parse(s.startsAt) > now;
}

/** Starts today or has started and not ended (check-in time). */
export function isToday(s: Pick<OfficeHourSession, 'startsAt'>, now = new Date()): boolean {
  return beijingParts(s.startsAt).date === beijingParts(now.toISOString()).date;
}
