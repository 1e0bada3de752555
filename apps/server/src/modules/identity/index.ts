import { identityAudit } from './audit-labels';
import { identityEvents } from './events';
import type { FastifyInstance } from 'fastify';
import { seedDemoPeople } from './demo-history';
import type { ModuleManifest } from '../../core/module';
import { accountRoutes } from './accounts-routes';
import { auditRoutes } from './audit-routes';
import { authRoutes } from './auth-routes';
import { jobRoutes } from './jobs-routes';
import { orgRoutes } from './org-routes';
import { seedPrivacyNotice } from './privacy-service';
import { privacyRoutes } from './privacy-routes';
import { recoveryCodeRoutes } from './recovery-routes';
import { seedCaseDemoAccounts } from './seed-cases-demo';
import { seedDemo, seedDepartments, seedOrgTree, syncRoles } from './seed';
import { workbenchRoutes } from './workbench-routes';

/**
 * Module `identity`: org tree, accounts, roles and grants, sign-in and sessions, the audit API,
 * the privacy notice and residents' consent, download of one's data and closing one's account,
 * the console's view of the job runner (core/jobs) and the 工作台 route (core/workbench: the cards
 * come from every manifest).
 * Mounted under /api/v1.
 */
export async function identityRoutes(app: FastifyInstance) {
  await app.register(authRoutes);
  await app.register(orgRoutes);
  await app.register(accountRoutes);
  await app.register(auditRoutes);
  await app.register(recoveryCodeRoutes);
  await app.register(privacyRoutes);
  await app.register(jobRoutes);
  await app.register(workbenchRoutes);
}

export const identityManifest: ModuleManifest = {
  name: 'identity',
  audit: identityAudit,
  dependsOn: [],
  routes: [{ plugin: identityRoutes, prefix: '/api/v1' }],
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
    'jobs.manage',
  ],
  events: identityEvents,
  seeds: {
    reference: [
      ({ db }) => syncRoles(db),
      async ({ db }) => {
        await seedOrgTree(db);
      },
      ({ db }) => seedPrivacyNotice(db),
      ({ db }) => seedDepartments(db),
    ],
    // The 城社共治 squads' members are accounts: created here, put in their squads by `cases`.
    demo: [
      ({ db, config }) => seedDemo(db, config),
      ({ db, config }) => seedCaseDemoAccounts(db, config),
      // LINLI_DEMO_HISTORY: the residents and staff of the demo year (after every demo account).
      seedDemoPeople,
    ],
  },
};
