import { admissionAudit } from './audit-labels';
import { admissionEvents } from './events';
import type { ModuleManifest } from '../../core/module';
import { seedAdmissionHistory } from './demo-history';
import { seedCertificates } from './certificates';
import { seedAdmissionDemo } from './demo-seed';
import { seedAdmissionLists } from './lists-service';
import { admissionRoutes } from './routes';
import { admissionWorkbench } from './workbench';

/**
 * Module `admission` (事项准入): the three lists in versions, the certificate lists, departments'
 * admission requests with matching and review, the community task inbox, outside-the-system
 * reports and the burden index. Mounted under /api/v1.
 */
export const admissionManifest: ModuleManifest = {
  name: 'admission',
  audit: admissionAudit,
  dependsOn: ['identity', 'calendar', 'messages', 'service-guide'],
  routes: [{ plugin: admissionRoutes, prefix: '/api/v1' }],
  permissions: [
    'admission.request',
    'admission.review',
    'admission.lists',
    'admission.comment',
    'admission.inbox',
    'admission.oversight',
    'admission.burden',
  ],
  workflows: ['admission_request', 'admission_task'],
  events: admissionEvents,
  workbench: admissionWorkbench,
  seeds: {
    reference: [
      async ({ db }) => {
        await seedAdmissionLists(db);
      },
      async ({ db }) => {
        await seedCertificates(db);
      },
    ],
    demo: [
      async ({ db }) => {
        await seedAdmissionDemo(db);
      },
      seedAdmissionHistory,
    ],
  },
};

export { seedAdmissionDemo, seedAdmissionLists, seedCertificates };
