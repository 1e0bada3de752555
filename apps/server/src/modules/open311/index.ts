import { open311Audit } from './audit-labels';
import type { ModuleManifest } from '../../core/module';
import { open311AdminRoutes, open311Routes } from './routes';
import { seedDemoOpen311 } from './service';

/**
 * Module `open311`: Open311 GeoReport v2 for partner apps at `/open311/v2` (with mySociety's
 * `servicerequestupdates`), and the keys admins issue them under `/api/v1/open311-keys`. Cases
 * are created by the cases module (`reportCase`, source `open311`); this module owns the keys and
 * what a partner sends that a case has no column for.
 */
export const open311Manifest: ModuleManifest = {
  name: 'open311',
  audit: open311Audit,
  dependsOn: ['identity', 'cases'],
  routes: [
    { plugin: open311Routes, prefix: '/open311/v2' },
    { plugin: open311AdminRoutes, prefix: '/api/v1' },
  ],
  permissions: ['open311.manage'],
  seeds: { demo: [({ db }) => seedDemoOpen311(db)] },
};

export { DEMO_OPEN311_KEY, seedDemoOpen311 } from './service';
