import { noticesAudit } from './audit-labels';
import type { ModuleManifest } from '../../core/module';
import { noticeRoutes } from './routes';
import { seedDemoNotices } from './seed';

/** Module `notices`: community notices (社区公告) shown on the resident home page. Mounted under /api/v1. */
export const noticesManifest: ModuleManifest = {
  name: 'notices',
  audit: noticesAudit,
  dependsOn: ['identity'],
  routes: [{ plugin: noticeRoutes, prefix: '/api/v1' }],
  permissions: ['notices.manage'],
  seeds: {
    demo: [
      async ({ db, clock }) => {
        await seedDemoNotices(db, clock);
      },
    ],
  },
};

export { seedDemoNotices };
