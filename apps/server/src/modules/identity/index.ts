import type { FastifyInstance } from 'fastify';
import { accountRoutes } from './accounts-routes';
import { auditRoutes } from './audit-routes';
import { authRoutes } from './auth-routes';
import { orgRoutes } from './org-routes';
import { privacyRoutes } from './privacy-routes';
import { recoveryCodeRoutes } from './recovery-routes';

/**
 * Module `identity`: org tree, accounts, roles and grants, sign-in and sessions, the audit API,
 * the privacy notice and residents' consent, download of one's data and closing one's account.
 * Mounted under /api/v1.
 */
export async function identityModule(app: FastifyInstance) {
  await app.register(authRoutes);
  await app.register(orgRoutes);
  await app.register(accountRoutes);
  await app.register(auditRoutes);
  await app.register(recoveryCodeRoutes);
  await app.register(privacyRoutes);
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
    'privacy.manage',
  ],
} as const;
