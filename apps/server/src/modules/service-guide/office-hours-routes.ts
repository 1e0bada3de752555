import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  IdParams,
  OfficeHourAttendeeList,
  OfficeHourBooking,
  OfficeHourBookingParams,
  OfficeHourCreate,
  OfficeHourList,
  OfficeHourMyBookingList,
  OfficeHourQuery,
  OfficeHourSession,
  OfficeHourUpdate,
  Problem,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import {
  bookSession,
  cancelBooking,
  cancelSession,
  checkIn,
  createSession,
  getSession,
  listAttendees,
  listSessions,
  myBookings,
  type OfficeHoursDeps,
  updateSession,
} from './office-hours-service';

const tags = ['office-hours'];
const errs = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem };

/** 区级部门下沉: department sessions in communities; residents book, staff check them in. */
export async function officeHoursRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps: OfficeHoursDeps = { db: app.database.db, now: () => app.clock.now() };

  app.post(
    '/office-hours',
    {
      config: { permission: 'office_hours.manage' },
      schema: {
        tags,
        summary: 'Publish a session in a community',
        body: OfficeHourCreate,
        response: { 201: OfficeHourSession, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await createSession(deps, req.ctx, req.body)),
  );
  app.get(
    '/office-hours',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'Upcoming sessions with remaining places (by community, department or item)',
        querystring: OfficeHourQuery,
        response: { 200: OfficeHourList, 400: Problem },
      },
    },
    async (req) => listSessions(deps, req.query),
  );
  app.get(
    '/office-hours/mine',
    {
      config: { permission: 'resident' },
      schema: {
        tags,
        summary: 'My bookings',
        response: { 200: OfficeHourMyBookingList, 401: Problem, 403: Problem },
      },
    },
    async (req) => myBookings(deps, req.ctx),
  );
  app.get(
    '/office-hours/:id',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'One session',
        params: IdParams,
        response: { 200: OfficeHourSession, 400: Problem, 404: Problem },
      },
    },
    async (req) => getSession(deps, req.params.id),
  );
  app.patch(
    '/office-hours/:id',
    {
      config: { permission: 'office_hours.manage' },
      schema: {
        tags,
        summary: 'Change a session that has not started (time, place, items, capacity)',
        params: IdParams,
        body: OfficeHourUpdate,
        response: { 200: OfficeHourSession, ...errs },
      },
    },
    async (req) => updateSession(deps, req.ctx, req.params.id, req.body),
  );
  app.post(
    '/office-hours/:id/cancel',
    {
      config: { permission: 'office_hours.manage' },
      schema: {
        tags,
        summary: 'Cancel a session (and its bookings)',
        params: IdParams,
        response: { 200: OfficeHourSession, ...errs },
      },
    },
    async (req) => cancelSession(deps, req.ctx, req.params.id),
  );
  app.get(
    '/office-hours/:id/bookings',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: 'Who booked (for check-in)',
        params: IdParams,
        response: { 200: OfficeHourAttendeeList, ...errs },
      },
    },
    async (req) => listAttendees(deps, req.ctx, req.params.id),
  );
  app.post(
    '/office-hours/:id/bookings',
    {
      config: { permission: 'resident' },
      schema: {
        tags,
        summary: 'Book a place',
        params: IdParams,
        response: { 201: OfficeHourBooking, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await bookSession(deps, req.ctx, req.params.id)),
  );
  app.post(
    '/office-hours/:id/bookings/:bookingId/cancel',
    {
      config: { permission: 'resident' },
      schema: {
        tags,
        summary: 'Cancel my booking',
        params: OfficeHourBookingParams,
        response: { 200: OfficeHourBooking, ...errs },
      },
    },
    async (req) => cancelBooking(deps, req.ctx, req.params.id, req.params.bookingId),
  );
  app.post(
    '/office-hours/:id/bookings/:bookingId/check-in',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: 'Check a resident in',
        params: OfficeHourBookingParams,
        response: { 200: OfficeHourBooking, ...errs },
      },
    },
    async (req) => checkIn(deps, req.ctx, req.params.id, req.params.bookingId),
  );
}
