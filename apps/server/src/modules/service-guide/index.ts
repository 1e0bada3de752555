import type { FastifyInstance } from 'fastify';
import { applicationRoutes } from './applications-routes';
import { catalogueAdminRoutes } from './catalogue-admin-routes';
import { checklistRoutes } from './checklist-routes';
import { officeHoursRoutes } from './office-hours-routes';
import { serviceGuideRoutes } from './routes';

/**
 * Module `service-guide` (办事指南 and 便民服务): the catalogue and its search today; applications,
 * office hours and the kiosk build on it. Mounted under /api/v1.
 */
export async function serviceGuideModule(app: FastifyInstance) {
  await app.register(serviceGuideRoutes);
  await app.register(applicationRoutes);
  await app.register(catalogueAdminRoutes);
  await app.register(officeHoursRoutes);
  await app.register(checklistRoutes);
}
