/**
 * Working-day and working-hour arithmetic on the Chinese official calendar. Pure: no database, no
 * clock, no dependence on the machine's time zone.
 *
 * Days are civil dates in Beijing time (Asia/Shanghai, UTC+8 all year, no DST); instants are JS
 * Dates. A date is a working day when the calendar says `workday` (调休上班, e.g. a Saturday),
 * else not when it says `holiday`, else when it is Monday to Friday.
 *
 * Rules (see README.md):
 * - `addWorkingDays(start, n)`: the day of submission is never counted (民法典 第二百零一条: the
 *   starting day is not counted); day 1 is the first working day strictly after the Beijing date
 *   of `start`, whatever the hour, so a submission on a Saturday, a holiday or at 23:59 on a
 *   Friday all count Monday (the next working day) as day 1. The deadline is the end of the last
 *   working period (17:30 by default) of day n. n = 0: the end of the day of submission when it
 *   is a working day, else of the next working day.
 * - `addWorkingHours`: only time inside the schedule's periods of working days counts.
 */

export type DayKind = 'holiday' | 'workday';

/** Calendar overrides keyed by `YYYY-MM-DD`: only the days that differ from Monday–Friday. */
export type CalendarOverrides = ReadonlyMap<string, DayKind>;

/** One working period of a day, `HH:MM` Beijing time, start < end. */
export interface WorkPeriod {
  start: string;
  end: string;
}

/** The working periods of every working day, in order, not overlapping. */
export interface WorkSchedule {
  periods: readonly WorkPeriod[];
}

/** 09:00–12:00 and 14:00–17:30 Beijing time. */
export const DEFAULT_SCHEDULE: WorkSchedule = Object.freeze({
  periods: Object.freeze([
    { start: '09:00', end: '12:00' },
    { start: '14:00', end: '17:30' },
  ]),
});

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Beijing time is UTC+8 all year. */
const OFFSET = 8 * HOUR;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** A day as a whole number: days since 1970-01-01 (Beijing). */
type DayNumber = number;

/** The Beijing civil date of an instant, `YYYY-MM-DD`. */
export function beijingDate(instant: Date): string {
  return dayString(dayOfInstant(instant));
}

/** The instant a Beijing wall-clock time happens: `beijingTime('2026-10-08', '17:30')`. */
export function beijingTime(date: string, time = '00:00'): Date {
  return new Date(parseDate(date) * DAY - OFFSET + parseTime(time) * MINUTE);
}

/** True when `value` is a real calendar date written `YYYY-MM-DD` (no 2026-02-30). */
export function isIsoDate(value: string): boolean {
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(t).toISOString().slice(0, 10) === value;
}

function parseDate(date: string): DayNumber {
  if (!isIsoDate(date)) throw new RangeError(`Not a YYYY-MM-DD date: "${date}"`);
  return Date.parse(`${date}T00:00:00Z`) / DAY;
}

/** Minutes after midnight of `HH:MM` (24:00 allowed as the end of a day). */
function parseTime(time: string): number {
  const m = TIME_RE.exec(time);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
  if (!m || minutes > 24 * 60) throw new RangeError(`Not an HH:MM time: "${time}"`);
  return minutes;
}

function checkInstant(d: Date, what: string) {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new RangeError(`${what} is not a valid Date`);
}

function dayOfInstant(instant: Date): DayNumber {
  checkInstant(instant, 'instant');
  return Math.floor((instant.getTime() + OFFSET) / DAY);
}

function dayOf(value: Date | string): DayNumber {
  return typeof value === 'string' ? parseDate(value) : dayOfInstant(value);
}

function dayString(day: DayNumber): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

/** The instant `minutes` after Beijing midnight of `day`. */
function instantAt(day: DayNumber, minutes: number): Date {
  return new Date(day * DAY - OFFSET + minutes * MINUTE);
}

function isWorkingDayNumber(overrides: CalendarOverrides, day: DayNumber): boolean {
  const override = overrides.get(dayString(day));
  if (override) return override === 'workday';
  // 1970-01-01 was a Thursday: weekday 0 = Sunday … 6 = Saturday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6;
}

/** The schedule's periods in minutes after midnight, checked: non-empty, ordered, not overlapping. */
function periodsOf(schedule: WorkSchedule): { start: number; end: number }[] {
  if (!schedule.periods.length) throw new RangeError('A work schedule needs at least one period');
  const out = schedule.periods.map((p) => ({ start: parseTime(p.start), end: parseTime(p.end) }));
  out.forEach((p, i) => {
    if (p.start >= p.end) throw new RangeError(`Work period ${i} must start before it ends`);
    if (i > 0 && p.start < out[i - 1]!.end) throw new RangeError(`Work period ${i} overlaps the one before`);
  });
  return out;
}

/** Whether the Beijing date (of an instant, or a `YYYY-MM-DD` string) is a working day. */
export function isWorkingDay(overrides: CalendarOverrides, date: Date | string): boolean {
  return isWorkingDayNumber(overrides, dayOf(date));
}

/** The first working day strictly after `date`, as `YYYY-MM-DD`. */
export function nextWorkingDay(overrides: CalendarOverrides, date: Date | string): string {
  let day = dayOf(date) + 1;
  while (!isWorkingDayNumber(overrides, day)) day++;
  return dayString(day);
}

/**
 * The deadline of "n working days" for something submitted at `start`: the end of the last
 * working period of the n-th working day strictly after the Beijing date of `start` (n = 0: the
 * end of that day when it is a working day, else of the next working day).
 */
export function addWorkingDays(
  overrides: CalendarOverrides,
  start: Date,
  n: number,
  schedule: WorkSchedule = DEFAULT_SCHEDULE,
): Date {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a whole number ≥ 0, got ${n}`);
  const periods = periodsOf(schedule);
  let day = dayOfInstant(start);
  if (n === 0) {
    while (!isWorkingDayNumber(overrides, day)) day++;
  }
  for (let counted = 0; counted < n; ) {
    day++;
    if (isWorkingDayNumber(overrides, day)) counted++;
  }
  return instantAt(day, periods[periods.length - 1]!.end);
}

/**
 * The working days in the Beijing dates after `a`'s up to and including `b`'s (negative when `b`
 * is before `a`). For n ≥ 1, `workingDaysBetween(s, addWorkingDays(s, n)) === n`.
 */
export function workingDaysBetween(overrides: CalendarOverrides, a: Date | string, b: Date | string): number {
  const from = dayOf(a);
  const to = dayOf(b);
  if (to < from) return -workingDaysBetween(overrides, b, a);
  let count = 0;
  for (let day = from + 1; day <= to; day++) if (isWorkingDayNumber(overrides, day)) count++;
  return count;
}

/**
 * The instant at which `hours` working hours (fractions allowed) have passed since `start`,
 * counting only the schedule's periods on working days. Time before the first period or between
 * periods is skipped; the answer lands at a period's end when the hours run out exactly there.
 */
export function addWorkingHours(
  overrides: CalendarOverrides,
  start: Date,
  hours: number,
  schedule: WorkSchedule = DEFAULT_SCHEDULE,
): Date {
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be ≥ 0, got ${hours}`);
  checkInstant(start, 'start');
  const periods = periodsOf(schedule);
  let remaining = Math.round(hours * HOUR);
  if (remaining === 0) return new Date(start);
  const t0 = start.getTime();
  for (let day = dayOfInstant(start); ; day++) {
    if (!isWorkingDayNumber(overrides, day)) continue;
    for (const p of periods) {
      const from = Math.max(instantAt(day, p.start).getTime(), t0);
      const to = instantAt(day, p.end).getTime();
      if (to <= from) continue;
      if (to - from >= remaining) return new Date(from + remaining);
      remaining -= to - from;
    }
  }
}

/** Working hours (fractional) between two instants; negative when `b` is before `a`. */
export function elapsedWorkingHours(
  overrides: CalendarOverrides,
  a: Date,
  b: Date,
  schedule: WorkSchedule = DEFAULT_SCHEDULE,
): number {
  checkInstant(a, 'a');
  checkInstant(b, 'b');
  if (b.getTime() < a.getTime()) return -elapsedWorkingHours(overrides, b, a, schedule);
  const periods = periodsOf(schedule);
  const ta = a.getTime();
  const tb = b.getTime();
  let ms = 0;
  for (let day = dayOfInstant(a), last = dayOfInstant(b); day <= last; day++) {
    if (!isWorkingDayNumber(overrides, day)) continue;
    for (const p of periods) {
      const from = Math.max(instantAt(day, p.start).getTime(), ta);
      const to = Math.min(instantAt(day, p.end).getTime(), tb);
      if (to > from) ms += to - from;
    }
  }
  return ms / HOUR;
}

/** `hours` of wall-clock time after `start`, for urgent SLAs that run day and night. */
export function addClockHours(start: Date, hours: number): Date {
  checkInstant(start, 'start');
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be ≥ 0, got ${hours}`);
  return new Date(start.getTime() + Math.round(hours * HOUR));
}

/** Wall-clock hours between two instants (negative when `b` is before `a`). */
export function elapsedClockHours(a: Date, b: Date): number {
  checkInstant(a, 'a');
  checkInstant(b, 'b');
  return (b.getTime() - a.getTime()) / HOUR;
}

/** A calendar with its overrides and schedule bound: what services and jobs use. */
export interface WorkingCalendar {
  readonly schedule: WorkSchedule;
  /** The years the overrides cover; outside them only weekends are days off. */
  readonly years: readonly number[];
  isWorkingDay(date: Date | string): boolean;
  nextWorkingDay(date: Date | string): string;
  addWorkingDays(start: Date, n: number): Date;
  workingDaysBetween(a: Date | string, b: Date | string): number;
  addWorkingHours(start: Date, hours: number, schedule?: WorkSchedule): Date;
  elapsedWorkingHours(a: Date, b: Date, schedule?: WorkSchedule): number;
  addClockHours(start: Date, hours: number): Date;
  elapsedClockHours(a: Date, b: Date): number;
}

/** Binds overrides and a default schedule (checked here, so a bad one fails at load time). */
export function createWorkingCalendar(
  overrides: CalendarOverrides,
  schedule: WorkSchedule = DEFAULT_SCHEDULE,
): WorkingCalendar {
  periodsOf(schedule);
  const years = [...new Set([...overrides.keys()].map((d) => Number(d.slice(0, 4))))].sort((x, y) => x - y);
  return {
    schedule,
    years,
    isWorkingDay: (date) => isWorkingDay(overrides, date),
    nextWorkingDay: (date) => nextWorkingDay(overrides, date),
    addWorkingDays: (start, n) => addWorkingDays(overrides, start, n, schedule),
    workingDaysBetween: (a, b) => workingDaysBetween(overrides, a, b),
    addWorkingHours: (start, hours, s = schedule) => addWorkingHours(overrides, start, hours, s),
    elapsedWorkingHours: (a, b, s = schedule) => elapsedWorkingHours(overrides, a, b, s),
    addClockHours,
    elapsedClockHours,
  };
}
