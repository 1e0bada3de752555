import { afterEach, describe, expect, it } from 'vitest';
import data from './data/cn-calendar.json' with { type: 'json' };
import {
  addClockHours,
  addWorkingDays,
  addWorkingHours,
  beijingDate,
  beijingTime,
  type CalendarOverrides,
  createWorkingCalendar,
  DEFAULT_SCHEDULE,
  elapsedClockHours,
  elapsedWorkingHours,
  isIsoDate,
  isWorkingDay,
  nextWorkingDay,
  workingDaysBetween,
} from './working-time';

const cal: CalendarOverrides = new Map(data.days.map((d) => [d.date, d.kind as 'holiday' | 'workday']));
const bj = (date: string, time = '00:00') => beijingTime(date, time);
/** The Beijing wall-clock of an instant, `YYYY-MM-DD HH:MM`. */
const wall = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
const range = (from: string, to: string) => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

/** The published notices, typed in again here so the data file is checked against them. */
const NOTICES: [year: number, name: string, from: string, to: string, workdays: string[]][] = [
  [2025, '元旦', '2025-01-01', '2025-01-01', []],
  [2025, '春节', '2025-01-28', '2025-02-04', ['2025-01-26', '2025-02-08']],
  [2025, '清明节', '2025-04-04', '2025-04-06', []],
  [2025, '劳动节', '2025-05-01', '2025-05-05', ['2025-04-27']],
  [2025, '端午节', '2025-05-31', '2025-06-02', []],
  [2025, '国庆节、中秋节', '2025-10-01', '2025-10-08', ['2025-09-28', '2025-10-11']],
  [2026, '元旦', '2026-01-01', '2026-01-03', ['2026-01-04']],
  [2026, '春节', '2026-02-15', '2026-02-23', ['2026-02-14', '2026-02-28']],
  [2026, '清明节', '2026-04-04', '2026-04-06', []],
  [2026, '劳动节', '2026-05-01', '2026-05-05', ['2026-05-09']],
  [2026, '端午节', '2026-06-19', '2026-06-21', []],
  [2026, '中秋节', '2026-09-25', '2026-09-27', []],
  [2026, '国庆节', '2026-10-01', '2026-10-07', ['2026-09-20', '2026-10-10']],
];

describe('the shipped calendar data', () => {
  it.each(NOTICES)(
    '%i %s: every day off from %s to %s and every make-up day is in the file',
    (_y, name, from, to, work) => {
      for (const date of range(from, to)) {
        expect(
          data.days.find((d) => d.date === date),
          date,
        ).toMatchObject({ kind: 'holiday', name });
      }
      for (const date of work) {
        expect(
          data.days.find((d) => d.date === date),
          date,
        ).toMatchObject({ kind: 'workday', name });
      }
    },
  );

  it('holds nothing for 2025 and 2026 beyond the notices', () => {
    const listed = new Set(NOTICES.flatMap(([, , from, to, work]) => [...range(from, to), ...work]));
    const inFile = data.days.filter((d) => d.date < '2027').map((d) => d.date);
    expect(new Set(inFile)).toEqual(listed);
    expect(inFile.length).toBe(listed.size);
  });

  it('lists each date once, as a real date, in order', () => {
    const dates = data.days.map((d) => d.date);
    expect(new Set(dates).size).toBe(dates.length);
    expect([...dates].sort()).toEqual(dates);
    for (const d of dates) expect(isIsoDate(d), d).toBe(true);
  });

  it('puts make-up working days only on Saturdays and Sundays', () => {
    for (const d of data.days.filter((x) => x.kind === 'workday'))
      expect([0, 6], d.date).toContain(weekday(d.date));
  });

  it('marks every 2027 entry, and only those, provisional, and says why at the top', () => {
    for (const d of data.days) expect(d.provisional === true, d.date).toBe(d.date.startsWith('2027'));
    expect(data.days.some((d) => d.date.startsWith('2027'))).toBe(true);
    expect(data.note).toMatch(/2027.*provisional.*confirm/s);
  });

  it('gives 2025 and 2026 their official 248 working days each', () => {
    expect(workingDaysBetween(cal, '2024-12-31', '2025-12-31')).toBe(248);
    expect(workingDaysBetween(cal, '2025-12-31', '2026-12-31')).toBe(248);
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2026-03-02', true, 'an ordinary Monday'],
    ['2026-03-06', true, 'an ordinary Friday'],
    ['2026-03-07', false, 'an ordinary Saturday'],
    ['2026-03-08', false, 'an ordinary Sunday'],
    ['2025-01-01', false, '元旦 2025 (Wednesday)'],
    ['2025-01-02', true, 'the day after 元旦 2025'],
    ['2025-01-26', true, 'Sunday worked before 春节 2025'],
    ['2025-01-27', true, 'Monday before 春节 2025'],
    ['2025-01-28', false, '除夕 2025'],
    ['2025-02-04', false, 'last day of 春节 2025'],
    ['2025-02-05', true, 'first day back after 春节 2025'],
    ['2025-02-08', true, 'Saturday worked after 春节 2025'],
    ['2025-02-09', false, 'the Sunday after'],
    ['2025-04-04', false, '清明 2025 (Friday)'],
    ['2025-04-07', true, 'Monday after 清明 2025'],
    ['2025-04-27', true, 'Sunday worked before 劳动节 2025'],
    ['2025-05-05', false, 'last day of 劳动节 2025 (Monday)'],
    ['2025-05-06', true, 'back after 劳动节 2025'],
    ['2025-06-02', false, '端午 2025 (Monday off)'],
    ['2025-09-28', true, 'Sunday worked before 国庆 2025'],
    ['2025-10-08', false, 'last day of 国庆+中秋 2025'],
    ['2025-10-09', true, 'back after 国庆 2025'],
    ['2025-10-11', true, 'Saturday worked after 国庆 2025'],
    ['2025-10-12', false, 'the Sunday after'],
    ['2026-01-02', false, '元旦 2026 Friday'],
    ['2026-01-04', true, 'Sunday worked after 元旦 2026'],
    ['2026-02-14', true, 'Saturday worked before 春节 2026'],
    ['2026-02-15', false, '腊月二十八 2026'],
    ['2026-02-23', false, '正月初七 2026 (Monday)'],
    ['2026-02-24', true, 'back after 春节 2026'],
    ['2026-02-28', true, 'Saturday worked after 春节 2026'],
    ['2026-04-06', false, '清明 2026 Monday'],
    ['2026-05-05', false, '劳动节 2026 Tuesday'],
    ['2026-05-09', true, 'Saturday worked after 劳动节 2026'],
    ['2026-06-19', false, '端午 2026 Friday'],
    ['2026-09-20', true, 'Sunday worked before 国庆 2026'],
    ['2026-09-25', false, '中秋 2026 Friday'],
    ['2026-10-07', false, 'last day of 国庆 2026'],
    ['2026-10-08', true, 'back after 国庆 2026'],
    ['2026-10-10', true, 'Saturday worked after 国庆 2026'],
    ['2028-01-03', true, 'a Monday beyond the data: weekdays work'],
    ['2028-01-01', false, 'a Saturday beyond the data'],
  ] as const)('%s is %s (%s)', (date, expected, _why) => {
    expect(isWorkingDay(cal, date)).toBe(expected);
  });

  it('takes the Beijing date of an instant, not the UTC one', () => {
    // 2025-09-30 23:59:59 Beijing is a working day; one second later is 国庆.
    expect(isWorkingDay(cal, new Date('2025-09-30T15:59:59Z'))).toBe(true);
    expect(isWorkingDay(cal, new Date('2025-09-30T16:00:00Z'))).toBe(false);
    // Friday 2026-03-06 20:00 UTC is already Saturday in Beijing.
    expect(isWorkingDay(cal, new Date('2026-03-06T20:00:00Z'))).toBe(false);
  });

  it('refuses a malformed date', () => {
    expect(() => isWorkingDay(cal, '2026-02-30')).toThrow(RangeError);
    expect(() => isWorkingDay(cal, '2026/03/01')).toThrow(RangeError);
    expect(() => isWorkingDay(cal, new Date('nope'))).toThrow(RangeError);
  });

  it('finds the next working day across a holiday block', () => {
    expect(nextWorkingDay(cal, '2025-09-30')).toBe('2025-10-09');
    expect(nextWorkingDay(cal, '2026-02-13')).toBe('2026-02-14');
    expect(nextWorkingDay(cal, '2026-02-14')).toBe('2026-02-24');
  });
});

describe('addWorkingDays: end (17:30) of the n-th working day after the day of submission', () => {
  it.each([
    ['2026-03-02 10:00', 1, '2026-03-03', 'Monday → Tuesday'],
    ['2026-03-02 10:00', 5, '2026-03-09', 'a week'],
    ['2026-03-06 10:00', 1, '2026-03-09', 'Friday → Monday'],
    ['2026-03-06 23:59', 1, '2026-03-09', 'Friday 23:59 still counts as Friday'],
    ['2026-03-07 00:00', 1, '2026-03-09', 'Saturday 00:00: counting starts on Monday'],
    ['2026-03-08 12:00', 1, '2026-03-09', 'a Sunday submission: Monday is day 1'],
    ['2026-03-05 23:59', 1, '2026-03-06', 'Thursday 23:59 → Friday'],
    ['2026-03-06 00:00', 1, '2026-03-09', 'Friday 00:00 → Monday'],
    ['2026-03-02 10:00', 0, '2026-03-02', 'n = 0 on a working day: the same day'],
    ['2026-03-07 10:00', 0, '2026-03-09', 'n = 0 on a Saturday: the next working day'],
    ['2025-09-26 10:00', 1, '2025-09-28', '国庆 2025: the make-up Sunday counts'],
    ['2025-09-26 10:00', 2, '2025-09-29', ''],
    ['2025-09-30 10:00', 1, '2025-10-09', 'over 国庆+中秋 2025'],
    ['2025-09-30 10:00', 3, '2025-10-11', 'the make-up Saturday counts'],
    ['2025-09-30 10:00', 4, '2025-10-13', ''],
    ['2025-10-03 10:00', 1, '2025-10-09', 'submitted during the holiday'],
    ['2025-01-24 10:00', 1, '2025-01-26', '春节 2025: make-up Sunday'],
    ['2025-01-24 10:00', 3, '2025-02-05', 'over 春节 2025'],
    ['2025-02-04 23:59', 4, '2025-02-08', 'the make-up Saturday after 春节 2025'],
    ['2026-02-13 10:00', 1, '2026-02-14', '春节 2026: make-up Saturday'],
    ['2026-02-13 10:00', 2, '2026-02-24', 'over 春节 2026'],
    ['2026-02-13 10:00', 6, '2026-02-28', 'the make-up Saturday after'],
    ['2026-02-13 10:00', 7, '2026-03-02', ''],
    ['2026-04-02 10:00', 2, '2026-04-07', '清明 2026'],
    ['2026-04-30 10:00', 1, '2026-05-06', '劳动节 2026'],
    ['2026-04-30 10:00', 4, '2026-05-09', 'make-up Saturday after 劳动节 2026'],
    ['2026-06-18 10:00', 1, '2026-06-22', '端午 2026'],
    ['2026-09-18 10:00', 1, '2026-09-20', 'make-up Sunday before 国庆 2026'],
    ['2026-09-24 10:00', 1, '2026-09-28', '中秋 2026'],
    ['2026-09-30 10:00', 1, '2026-10-08', '国庆 2026'],
    ['2026-09-30 10:00', 3, '2026-10-10', 'make-up Saturday after 国庆 2026'],
    ['2024-12-31 10:00', 1, '2025-01-02', 'over New Year 2025'],
    ['2025-12-31 15:00', 1, '2026-01-04', 'over New Year 2026: the make-up Sunday'],
    ['2025-12-31 15:00', 2, '2026-01-05', ''],
    ['2026-12-31 15:00', 1, '2027-01-04', 'over New Year 2027 (provisional)'],
    ['2026-03-02 10:00', 20, '2026-03-30', 'twenty working days'],
    ['2026-09-15 10:00', 20, '2026-10-19', 'twenty working days over 中秋 and 国庆 2026'],
  ] as const)('%s + %i working days → %s 17:30 (%s)', (start, n, expected, _why) => {
    const [date, time] = start.split(' ') as [string, string];
    expect(wall(addWorkingDays(cal, bj(date, time), n))).toBe(`${expected} 17:30`);
  });

  it('uses the end of the schedule’s last period as the end of the day', () => {
    const schedule = {
      periods: [
        { start: '08:30', end: '12:00' },
        { start: '13:30', end: '18:00' },
      ],
    };
    expect(wall(addWorkingDays(cal, bj('2026-03-02', '10:00'), 1, schedule))).toBe('2026-03-03 18:00');
  });

  it('refuses a negative or fractional n', () => {
    expect(() => addWorkingDays(cal, bj('2026-03-02'), -1)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, bj('2026-03-02'), 1.5)).toThrow(RangeError);
  });

  it('agrees with workingDaysBetween and lands on a working day, for every start in 2025–2027', () => {
    for (const date of range('2024-12-20', '2027-12-20')) {
      for (const time of ['00:00', '09:00', '23:59']) {
        const start = bj(date, time);
        for (const n of [1, 2, 3, 5, 10, 20]) {
          const due = addWorkingDays(cal, start, n);
          expect(workingDaysBetween(cal, start, due)).toBe(n);
          expect(isWorkingDay(cal, due)).toBe(true);
          expect(wall(due).slice(11)).toBe('17:30');
        }
      }
    }
  });
});

describe('workingDaysBetween: working days after a’s date up to and including b’s', () => {
  it.each([
    ['2026-03-02', '2026-03-02', 0],
    ['2026-03-02', '2026-03-03', 1],
    ['2026-03-06', '2026-03-09', 1],
    ['2026-03-03', '2026-03-02', -1],
    ['2025-09-30', '2025-10-08', 0],
    ['2025-09-30', '2025-10-09', 1],
    ['2025-09-27', '2025-09-28', 1],
    ['2025-12-31', '2026-01-05', 2],
    ['2026-02-13', '2026-02-28', 6],
    ['2026-01-01', '2026-01-31', 21],
  ] as const)('%s → %s: %i', (a, b, n) => {
    expect(workingDaysBetween(cal, a, b)).toBe(n);
  });

  it('takes instants by their Beijing date', () => {
    expect(workingDaysBetween(cal, new Date('2026-03-05T16:00:00Z'), new Date('2026-03-08T15:59:00Z'))).toBe(
      0,
    );
  });
});

describe('addWorkingHours (09:00–12:00, 14:00–17:30 Beijing)', () => {
  it.each([
    ['2026-03-02 09:00', 2, '2026-03-02 11:00', 'inside the morning'],
    ['2026-03-02 11:00', 2, '2026-03-02 15:00', 'spanning lunch'],
    ['2026-03-02 12:30', 1, '2026-03-02 15:00', 'starting at lunch'],
    ['2026-03-02 11:45', 0.5, '2026-03-02 14:15', 'half an hour over lunch'],
    ['2026-03-02 08:00', 1, '2026-03-02 10:00', 'starting before office hours'],
    ['2026-03-02 09:00', 6.5, '2026-03-02 17:30', 'a full day ends at 17:30, not the next morning'],
    ['2026-03-02 09:00', 3, '2026-03-02 12:00', 'the morning ends at 12:00'],
    ['2026-03-02 17:00', 1, '2026-03-03 09:30', 'overnight'],
    ['2026-03-02 20:00', 1, '2026-03-03 10:00', 'starting at night'],
    ['2026-03-02 23:59', 1, '2026-03-03 10:00', 'starting at 23:59'],
    ['2026-03-03 00:00', 1, '2026-03-03 10:00', 'starting at 00:00'],
    ['2026-03-02 09:00', 13, '2026-03-03 17:30', 'two full days'],
    ['2026-03-02 09:00', 24, '2026-03-05 15:30', 'three days and a half'],
    ['2026-03-06 16:00', 4, '2026-03-09 11:30', 'over a weekend'],
    ['2026-03-07 10:00', 1, '2026-03-09 10:00', 'starting on a Saturday'],
    ['2026-03-06 23:59', 1, '2026-03-09 10:00', 'starting Friday 23:59'],
    ['2026-09-30 16:00', 2, '2026-10-08 09:30', 'over 国庆 2026'],
    ['2026-09-18 17:00', 1, '2026-09-20 09:30', 'onto the make-up Sunday before 国庆 2026'],
    ['2025-09-30 15:00', 8, '2025-10-09 16:30', 'over 国庆+中秋 2025'],
    ['2026-02-13 17:00', 7.5, '2026-02-24 09:30', 'over 春节 2026 via the make-up Saturday'],
    ['2025-12-31 17:00', 1, '2026-01-04 09:30', 'over New Year'],
    ['2026-03-02 10:00', 0, '2026-03-02 10:00', 'zero hours'],
  ] as const)('%s + %s h → %s (%s)', (start, hours, expected, _why) => {
    const [date, time] = start.split(' ') as [string, string];
    expect(wall(addWorkingHours(cal, bj(date, time), hours))).toBe(expected);
  });

  it('follows a configured schedule', () => {
    const schedule = {
      periods: [
        { start: '08:30', end: '12:00' },
        { start: '13:30', end: '18:00' },
      ],
    };
    expect(wall(addWorkingHours(cal, bj('2026-03-02', '11:00'), 2, schedule))).toBe('2026-03-02 14:30');
    const allDay = { periods: [{ start: '00:00', end: '24:00' }] };
    expect(wall(addWorkingHours(cal, bj('2026-03-06', '20:00'), 6, allDay))).toBe('2026-03-09 02:00');
  });

  it.each([
    [{ periods: [] }, 'empty'],
    [
      {
        periods: [
          { start: '09:00', end: '12:00' },
          { start: '11:00', end: '17:00' },
        ],
      },
      'overlapping',
    ],
    [{ periods: [{ start: '12:00', end: '09:00' }] }, 'backwards'],
    [{ periods: [{ start: '9:00', end: '12:00' }] }, 'badly written'],
    [{ periods: [{ start: '09:00', end: '24:30' }] }, 'past midnight'],
  ])('refuses a schedule that is %s', (schedule) => {
    expect(() => addWorkingHours(cal, bj('2026-03-02'), 1, schedule)).toThrow(RangeError);
    expect(() => createWorkingCalendar(cal, schedule)).toThrow(RangeError);
  });

  it('refuses negative hours', () => {
    expect(() => addWorkingHours(cal, bj('2026-03-02'), -1)).toThrow(RangeError);
  });
});

describe('elapsedWorkingHours', () => {
  it.each([
    ['2026-03-02 09:00', '2026-03-02 17:30', 6.5, 'a full day'],
    ['2026-03-02 11:00', '2026-03-02 15:00', 2, 'lunch does not count'],
    ['2026-03-02 20:00', '2026-03-03 08:00', 0, 'a night does not count'],
    ['2026-03-06 16:00', '2026-03-09 11:30', 4, 'a weekend does not count'],
    ['2026-09-30 09:00', '2026-10-08 09:30', 7, '国庆 2026 does not count'],
    ['2026-09-19 09:00', '2026-09-21 09:00', 6.5, 'the make-up Sunday counts'],
    ['2026-03-02 15:00', '2026-03-02 11:00', -2, 'backwards is negative'],
  ] as const)('%s → %s: %s h (%s)', (a, b, hours, _why) => {
    const [da, ta] = a.split(' ') as [string, string];
    const [db, tb] = b.split(' ') as [string, string];
    expect(elapsedWorkingHours(cal, bj(da, ta), bj(db, tb))).toBeCloseTo(hours, 9);
  });

  it('is the inverse of addWorkingHours, for starts all around the clock in holiday season', () => {
    for (const date of range('2025-09-20', '2025-10-15')) {
      for (const time of ['00:00', '08:59', '09:00', '11:59', '12:00', '13:00', '17:29', '17:30', '23:59']) {
        const start = bj(date, time);
        for (const h of [0.25, 1, 3, 6.5, 8, 24, 72]) {
          expect(elapsedWorkingHours(cal, start, addWorkingHours(cal, start, h))).toBeCloseTo(h, 9);
        }
      }
    }
  });
});

describe('clock hours, for urgent SLAs', () => {
  it('runs through nights, weekends and holidays', () => {
    expect(wall(addClockHours(bj('2025-09-30', '23:00'), 2))).toBe('2025-10-01 01:00');
    expect(elapsedClockHours(bj('2026-03-06', '20:00'), bj('2026-03-09', '08:00'))).toBe(60);
  });
});

describe('createWorkingCalendar', () => {
  it('binds overrides and schedule, and names the years it covers', () => {
    const c = createWorkingCalendar(cal);
    expect(c.years).toEqual([2025, 2026, 2027]);
    expect(c.schedule).toBe(DEFAULT_SCHEDULE);
    expect(c.isWorkingDay('2026-02-14')).toBe(true);
    expect(wall(c.addWorkingDays(bj('2026-09-30', '10:00'), 1))).toBe('2026-10-08 17:30');
    expect(c.workingDaysBetween('2025-09-30', '2025-10-09')).toBe(1);
    expect(wall(c.addWorkingHours(bj('2026-09-30', '16:00'), 2))).toBe('2026-10-08 09:30');
    expect(c.elapsedWorkingHours(bj('2026-03-02', '09:00'), bj('2026-03-02', '17:30'))).toBe(6.5);
    expect(c.nextWorkingDay('2026-02-14')).toBe('2026-02-24');
  });
});

describe('time zones', () => {
  const original = process.env.TZ;
  afterEach(() => {
    // Assigning undefined would set the string "undefined" for the files that run after this one.
    if (original === undefined) delete process.env.TZ;
    else process.env.TZ = original;
  });

  it.each(['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC', 'Asia/Shanghai'])(
    'gives the same answers when the machine runs in %s',
    (tz) => {
      process.env.TZ = tz;
      expect(beijingDate(new Date('2026-03-06T20:00:00Z'))).toBe('2026-03-07');
      expect(wall(addWorkingDays(cal, bj('2026-03-06', '23:59'), 1))).toBe('2026-03-09 17:30');
      expect(wall(addWorkingHours(cal, bj('2026-09-30', '16:00'), 2))).toBe('2026-10-08 09:30');
      expect(bj('2026-10-08', '17:30').toISOString()).toBe('2026-10-08T09:30:00.000Z');
    },
  );
});
