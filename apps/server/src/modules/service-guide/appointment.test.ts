import { describe, expect, it } from 'vitest';
import { beijingTime, createWorkingCalendar } from '../calendar';
import { APPOINTMENT_TIMES, appointmentProblem } from './applications-service';

// 2026: 国庆 1–8 October off, Sunday 27 September and Saturday 10 October worked (调休).
const calendar = createWorkingCalendar(
  new Map([
    ...['01', '02', '03', '04', '05', '06', '07', '08'].map((d) => [`2026-10-${d}`, 'holiday'] as const),
    ['2026-09-27', 'workday'] as const,
    ['2026-10-10', 'workday'] as const,
  ]),
);
const now = beijingTime('2026-09-25', '16:00'); // a Friday afternoon
const problem = (date: string, time: string) =>
  appointmentProblem(beijingTime(date, time), now, calendar)?.code ?? null;

describe('service-room appointment times', () => {
  it('accepts every listed time on an ordinary working day, Beijing time', () => {
    for (const time of APPOINTMENT_TIMES) expect(problem('2026-09-29', time), time).toBeNull();
  });

  it('refuses times outside the list: lunch, after closing, off the half hour', () => {
    for (const time of ['08:30', '12:00', '12:30', '13:30', '17:30', '18:00', '09:15', '00:00']) {
      expect(problem('2026-09-29', time), time).toBe('slot');
    }
    const withSeconds = new Date(beijingTime('2026-09-29', '09:30').getTime() + 1000);
    expect(appointmentProblem(withSeconds, now, calendar)?.code).toBe('slot');
  });

  it('follows the calendar: weekends and holidays off, make-up Saturdays and Sundays on', () => {
    expect(problem('2026-09-26', '09:00')).toBe('not-working-day'); // Saturday
    expect(problem('2026-09-27', '09:00')).toBeNull(); // Sunday worked before 国庆
    for (const d of ['01', '02', '05', '08'])
      expect(problem(`2026-10-${d}`, '09:00'), d).toBe('not-working-day');
    expect(problem('2026-10-09', '09:00')).toBeNull();
    expect(problem('2026-10-10', '09:00')).toBeNull(); // Saturday worked after 国庆
    expect(problem('2026-10-11', '09:00')).toBe('not-working-day');
  });

  it('refuses the past and more than 30 days ahead', () => {
    expect(problem('2026-09-25', '15:30')).toBe('minimum');
    expect(problem('2026-09-25', '16:00')).toBe('minimum');
    expect(problem('2026-09-25', '16:30')).toBeNull();
    expect(problem('2026-10-23', '16:00')).toBeNull();
    expect(problem('2026-10-26', '09:00')).toBe('maximum');
  });
});
