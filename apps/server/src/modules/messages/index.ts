import type { ModuleManifest } from '../../core/module';
import { messagesPersonalData } from './personal-data';
import { messageRoutes } from './routes';

/** Module `messages`: in-app messages (站内消息) for the signed-in account. Mounted under /api/v1. */
export const messagesManifest: ModuleManifest = {
  name: 'messages',
  dependsOn: ['identity'],
  routes: [{ plugin: messageRoutes, prefix: '/api/v1' }],
  permissions: [],
  personalData: messagesPersonalData,
};

export { type Notification, type NotificationSms, postMessage, smsNotifier } from './service';
