import { serviceGuideAudit } from './audit-labels';
import { serviceGuideEvents } from './events';
import type { FastifyInstance } from 'fastify';
import { seedServiceHistory } from './demo-history';
import type { ModuleManifest } from '../../core/module';
import { defaultDistrict } from '../identity/lookups';
import { applicationRoutes } from './applications-routes';
import { catalogueAdminRoutes } from './catalogue-admin-routes';
import { checklistRoutes } from './checklist-routes';
import { officeHourReminderJob } from './office-hours-reminders';
import { officeHoursRoutes } from './office-hours-routes';
import { serviceGuidePersonalData } from './personal-data';
import { serviceGuideRoutes } from './routes';
import { seedCatalogue, seedDemoOfferings } from './seed';
import { serviceGuideWorkbench } from './workbench';

/**
 * Module `service-guide` (办事指南 and 便民服务): the catalogue and its search, applications (办件)
 * and the kiosk, office hours, material checklists. Mounted under /api/v1.
 */
export async function serviceGuideModule(app: FastifyInstance) {
  await app.register(serviceGuideRoutes);
  await app.register(applicationRoutes);
  await app.register(catalogueAdminRoutes);
  await app.register(officeHoursRoutes);
  await app.register(checklistRoutes);
}

export const serviceGuideManifest: ModuleManifest = {
  name: 'service-guide',
  audit: serviceGuideAudit,
  dependsOn: ['identity', 'calendar', 'messages'],
  routes: [{ plugin: serviceGuideModule, prefix: '/api/v1' }],
  permissions: [
    'catalogue.manage',
    'offerings.manage',
    'applications.handle',
    'applications.department',
    'office_hours.manage',
  ],
  workflows: ['application'],
  events: serviceGuideEvents,
  jobs: [officeHourReminderJob],
  workbench: serviceGuideWorkbench,
  seeds: {
    reference: [
      async ({ db }) => {
        await seedCatalogue(db, await defaultDistrict(db));
      },
    ],
    demo: [({ db }) => seedDemoOfferings(db), seedServiceHistory],
  },
  personalData: serviceGuidePersonalData,
};
