import type { FastifyInstance } from 'fastify';
import { calendarRoutes } from './routes';
import { seedCalendar } from './seed';

/**
 * Module `calendar`: the Chinese working-day calendar (public holidays and make-up working days)
 * that application deadlines and case SLAs count on. Mounted under /api/v1.
 */
export async function calendarModule(app: FastifyInstance) {
  await app.register(calendarRoutes);
}

export const calendarManifest = {
  name: 'calendar',
  prefix: '/api/v1',
  permissions: ['calendar.manage'],
  seeds: { reference: seedCalendar },
} as const;

export { seedCalendar };
export { invalidateCalendar, loadCalendar } from './service';
export * from './working-time';
