import { messagesAudit } from './audit-labels';
import type { ModuleManifest } from '../../core/module';
import { dailyDigestJob, deliverJob, deliveryCollectors } from './deliveries';
import { messagesEvents } from './events';
import { messagesPersonalData } from './personal-data';
import { messageRoutes } from './routes';

/**
 * Module `messages`: the notification hub. `notify()` writes in-app messages (站内消息: the resident
 * app's 消息, the console inbox) and queues texts and WeChat messages, which its jobs send;
 * preferences, quiet hours and the morning digest. Mounted under /api/v1.
 */
export const messagesManifest: ModuleManifest = {
  name: 'messages',
  audit: messagesAudit,
  dependsOn: ['identity'],
  routes: [{ plugin: messageRoutes, prefix: '/api/v1' }],
  permissions: [],
  jobs: [deliverJob, dailyDigestJob],
  events: messagesEvents,
  personalData: messagesPersonalData,
  metrics: deliveryCollectors,
};

export { notify, notifyEach, staffHolding, staffHoldingEach } from './hub';
