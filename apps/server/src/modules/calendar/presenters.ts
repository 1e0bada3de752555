import type { CalendarDay } from '@linli/contracts';
import type { CalendarDayRow } from './schema';

/** Row -> the `CalendarDay` contract. */
export function presentCalendarDay(row: CalendarDayRow): CalendarDay {
  return { date: row.date, kind: row.kind, name: row.name, provisional: row.provisional };
}
