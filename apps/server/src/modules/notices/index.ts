import type { FastifyInstance } from 'fastify';
import { noticeRoutes } from './routes';
import { seedDemoNotices } from './seed';

/** Module `notices`: community notices (社区公告) shown on the resident home page. Mounted under /api/v1. */
export async function noticesModule(app: FastifyInstance) {
  await app.register(noticeRoutes);
}

export const noticesManifest = {
  name: 'notices',
  prefix: '/api/v1',
  permissions: ['notices.manage'],
  seeds: { demo: seedDemoNotices },
} as const;

export { seedDemoNotices };
