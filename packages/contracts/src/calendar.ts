import { type Static, Type } from 'typebox';
import { DateText } from './common';

/** A civil date, `YYYY-MM-DD` (Beijing time). */
export const CalendarDate = DateText;

export const CalendarDayKind = Type.Union([Type.Literal('holiday'), Type.Literal('workday')], {
  description: 'holiday: a day off (放假); workday: a make-up working day (调休上班), e.g. a Saturday',
});
export type CalendarDayKind = Static<typeof CalendarDayKind>;

/** One day that differs from the Monday–Friday week. */
export const CalendarDay = Type.Object({
  date: CalendarDate,
  kind: CalendarDayKind,
  /** The festival: 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 … */
  name: Type.String(),
  /** Derived, not yet confirmed against the State Council notice. */
  provisional: Type.Boolean(),
});
export type CalendarDay = Static<typeof CalendarDay>;

export const CalendarQuery = Type.Object({
  /** Defaults to the current year (Beijing). */
  year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100 })),
  /** Defaults to the caller's district, else the first district. */
  districtId: Type.Optional(Type.String({ format: 'uuid' })),
});
export type CalendarQuery = Static<typeof CalendarQuery>;

export const CalendarYear = Type.Object({
  year: Type.Integer(),
  days: Type.Array(CalendarDay),
});
export type CalendarYear = Static<typeof CalendarYear>;

export const CalendarDayParams = Type.Object({ date: CalendarDate });
export type CalendarDayParams = Static<typeof CalendarDayParams>;

/** Sets (creates or replaces) one day of the caller's district; a person's edit is never provisional. */
export const CalendarDayUpdate = Type.Object(
  {
    kind: CalendarDayKind,
    name: Type.String({ minLength: 1, maxLength: 40 }),
  },
  { additionalProperties: false },
);
export type CalendarDayUpdate = Static<typeof CalendarDayUpdate>;
