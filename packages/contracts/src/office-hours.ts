import { type Static, Type } from 'typebox';
import { Id, IsoTime, Nullable } from './common';
import { DepartmentRef, OrgUnitRef } from './identity';

/** 区级部门下沉: a department's session in a community, which residents book. */
export const OfficeHourStatus = Type.Union([Type.Literal('scheduled'), Type.Literal('cancelled')]);
export const OfficeHourBookingStatus = Type.Union([
  Type.Literal('booked'),
  Type.Literal('cancelled'),
  Type.Literal('checked_in'),
]);

export const OfficeHourCreate = Type.Object(
  {
    orgUnitId: Id,
    /** Department staff hold sessions for their own department; a district admin names one. */
    departmentId: Type.Optional(Id),
    startsAt: IsoTime,
    endsAt: IsoTime,
    place: Type.String({ minLength: 1, maxLength: 200 }),
    itemIds: Type.Array(Id, { maxItems: 50 }),
    capacity: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { additionalProperties: false },
);
export type OfficeHourCreate = Static<typeof OfficeHourCreate>;

export const OfficeHourQuery = Type.Object({
  orgUnitId: Type.Optional(Id),
  from: Type.Optional(IsoTime),
  to: Type.Optional(IsoTime),
});
export type OfficeHourQuery = Static<typeof OfficeHourQuery>;

export const OfficeHourSession = Type.Object({
  id: Id,
  department: DepartmentRef,
  orgUnit: OrgUnitRef,
  startsAt: IsoTime,
  endsAt: IsoTime,
  place: Type.String(),
  items: Type.Array(Type.Object({ id: Id, name: Type.String() })),
  capacity: Type.Integer(),
  booked: Type.Integer(),
  remaining: Type.Integer(),
  status: OfficeHourStatus,
});
export type OfficeHourSession = Static<typeof OfficeHourSession>;
export const OfficeHourList = Type.Object({ items: Type.Array(OfficeHourSession) });

export const OfficeHourBookingParams = Type.Object({ id: Id, bookingId: Id });
export const OfficeHourBooking = Type.Object({
  id: Id,
  sessionId: Id,
  status: OfficeHourBookingStatus,
  createdAt: IsoTime,
  checkedInAt: Nullable(IsoTime),
});
export type OfficeHourBooking = Static<typeof OfficeHourBooking>;
/** A resident's booking with the session it is for (我的预约). */
export const OfficeHourMyBooking = Type.Object({
  id: Id,
  sessionId: Id,
  status: OfficeHourBookingStatus,
  createdAt: IsoTime,
  checkedInAt: Nullable(IsoTime),
  session: OfficeHourSession,
});
export type OfficeHourMyBooking = Static<typeof OfficeHourMyBooking>;
export const OfficeHourMyBookingList = Type.Object({ items: Type.Array(OfficeHourMyBooking) });
/** Staff view of a session's bookings (for check-in); the phone is masked. */
export const OfficeHourAttendee = Type.Object({
  id: Id,
  status: OfficeHourBookingStatus,
  createdAt: IsoTime,
  checkedInAt: Nullable(IsoTime),
  residentName: Type.String(),
});
export type OfficeHourAttendee = Static<typeof OfficeHourAttendee>;
export const OfficeHourAttendeeList = Type.Object({ items: Type.Array(OfficeHourAttendee) });
