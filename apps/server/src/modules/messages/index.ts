import type { FastifyInstance } from 'fastify';
import { messageRoutes } from './routes';

/** Module `messages`: in-app messages (站内消息) for the signed-in account. Mounted under /api/v1. */
export async function messagesModule(app: FastifyInstance) {
  await app.register(messageRoutes);
}

export const messagesManifest = { name: 'messages', prefix: '/api/v1', permissions: [] } as const;

export { type Notification, type NotificationSms, postMessage, smsNotifier } from './service';
