import { calendarAudit } from './audit-labels';
import type { ModuleManifest } from '../../core/module';
import { calendarRoutes } from './routes';
import { seedCalendar } from './seed';

/**
 * Module `calendar`: the Chinese working-day calendar (public holidays and make-up working days)
 * that application deadlines and case SLAs count on. Mounted under /api/v1.
 */
export const calendarManifest: ModuleManifest = {
  name: 'calendar',
  audit: calendarAudit,
  dependsOn: ['identity'],
  routes: [{ plugin: calendarRoutes, prefix: '/api/v1' }],
  permissions: ['calendar.manage'],
  seeds: {
    reference: [
      async ({ db }) => {
        await seedCalendar(db);
      },
    ],
  },
};

export { seedCalendar };
export { invalidateCalendar, loadCalendar } from './service';
export * from './working-time';
