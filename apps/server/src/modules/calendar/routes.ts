import {
  CalendarDay,
  CalendarDayParams,
  CalendarDayUpdate,
  CalendarQuery,
  CalendarYear,
  Problem,
} from '@linli/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { presentCalendarDay } from './presenters';
import { type CalendarDeps, deleteCalendarDay, getCalendarYear, setCalendarDay } from './service';

const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/** Thin routes: schema in, service call, presenter out. */
export async function calendarRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): CalendarDeps => ({ db: app.database.db, clock: app.clock });

  app.get(
    '/calendar',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['calendar'],
        summary: 'One year of the district’s public holidays and make-up working days (调休上班)',
        querystring: CalendarQuery,
        response: { 200: CalendarYear, ...problems },
      },
    },
    async (req) => {
      const { year, days } = await getCalendarYear(deps(), req.ctx, req.query);
      return { year, days: days.map(presentCalendarDay) };
    },
  );

  app.put(
    '/calendar/days/:date',
    {
      config: { permission: 'calendar.manage' },
      schema: {
        tags: ['calendar'],
        summary: 'Set one day of the caller’s district: a holiday or a make-up working day (confirmed)',
        params: CalendarDayParams,
        body: CalendarDayUpdate,
        response: { 200: CalendarDay, ...problems },
      },
    },
    async (req) => presentCalendarDay(await setCalendarDay(deps(), req.ctx, req.params.date, req.body)),
  );

  app.delete(
    '/calendar/days/:date',
    {
      config: { permission: 'calendar.manage' },
      schema: {
        tags: ['calendar'],
        summary: 'Remove one day’s entry: it becomes an ordinary weekday or weekend day again',
        params: CalendarDayParams,
        response: { 204: Type.Null(), ...problems },
      },
    },
    async (req, reply) => {
      await deleteCalendarDay(deps(), req.ctx, req.params.date);
      return reply.code(204).send(null);
    },
  );
}
