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

/**
 * Partial edit of a scheduled session. The community and department stay (cancel and publish
 * again to move it); capacity may not drop below the places already taken.
 */
export const OfficeHourUpdate = Type.Object(
  {
    startsAt: Type.Optional(IsoTime),
    endsAt: Type.Optional(IsoTime),
    place: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    itemIds: Type.Optional(Type.Array(Id, { maxItems: 50 })),
    capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type OfficeHourUpdate = Static<typeof OfficeHourUpdate>;

export const OfficeHourQuery = Type.Object({
  orgUnitId: Type.Optional(Id),
  /** Sessions that cover this service item. */
  itemId: Type.Optional(Id),
  departmentId: Type.Optional(Id),
  from: Type.Optional(IsoTime),
  to: Type.Optional(IsoTime),
  /** Also cancelled sessions (the console's list). */
  includeCancelled: Type.Optional(Type.Boolean()),
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
  /** Masked: 138****0001. */
  phone: Nullable(Type.String()),
});
export type OfficeHourAttendee = Static<typeof OfficeHourAttendee>;
export const OfficeHourAttendeeList = Type.Object({ items: Type.Array(OfficeHourAttendee) });
