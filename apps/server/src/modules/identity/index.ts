import type { FastifyInstance } from 'fastify';
import { accountRoutes } from './accounts-routes';
import { auditRoutes } from './audit-routes';
import { authRoutes } from './auth-routes';
import { orgRoutes } from './org-routes';

/**
 * Module `identity`: org tree, accounts, roles and grants, sign-in and sessions, the audit API.
 * Mounted under /api/v1.
 */
export async function identityModule(app: FastifyInstance) {
  await app.register(authRoutes);
  await app.register(orgRoutes);
  await app.register(accountRoutes);
  await app.register(auditRoutes);
}

export const identityManifest = {
  name: 'identity',
  prefix: '/api/v1',
  permissions: [
    'org.read',
    'org.manage',
    'accounts.read',
    'accounts.manage',
    'roles.grant',
    'roles.manage',
    'pii.read',
    'audit.read',
  ],
} as const;
