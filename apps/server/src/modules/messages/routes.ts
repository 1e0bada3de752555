import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  IdParams,
  Message,
  MessageCount,
  MessagePage,
  MessageQuery,
  MessagesReadAll,
  MessagesReadAllResult,
  NotificationPreferences,
  NotificationPreferencesUpdate,
  Problem,
  WechatBinding,
  WechatBindingCreate,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import { bindWechat, getMyPreferences, unbindWechat, updateMyPreferences } from './preferences-service';
import { presentMessage } from './presenters';
import { listMyMessages, type MessageDeps, myUnreadCount, readAllMessages, readMessage } from './service';

/** The signed-in account's in-app messages (resident 消息, console inbox) and notification preferences. */
export async function messageRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): MessageDeps => ({ db: app.database.db, clock: app.clock, config: app.config });

  app.get(
    '/messages',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['messages'],
        summary:
          'My in-app messages, newest first, filtered (unread, event or module, days), with the unread count',
        querystring: MessageQuery,
        response: { 200: MessagePage, 400: Problem, 401: Problem },
      },
    },
    async (req) => {
      const page = await listMyMessages(deps(), req.ctx, req.query);
      return { items: page.items.map(presentMessage), nextCursor: page.nextCursor, unread: page.unread };
    },
  );

  app.get(
    '/messages/unread-count',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['messages'],
        summary:
          'How many of my messages are unread, and the newest unread one (the console bell polls this)',
        response: { 200: MessageCount, 401: Problem },
      },
    },
    async (req) => myUnreadCount(deps(), req.ctx),
  );

  app.post(
    '/messages/read-all',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['messages'],
        summary: 'Mark all my unread messages read (or those of one event or module)',
        body: MessagesReadAll,
        response: { 200: MessagesReadAllResult, 400: Problem, 401: Problem },
      },
    },
    async (req) => readAllMessages(deps(), req.ctx, req.body),
  );

  app.post(
    '/messages/:id/read',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['messages'],
        summary: 'Mark one of my messages read',
        params: IdParams,
        response: { 200: Message, 400: Problem, 401: Problem, 404: Problem },
      },
    },
    async (req) => presentMessage(await readMessage(deps(), req.ctx, req.params.id)),
  );

  app.get(
    '/me/notification-preferences',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['messages'],
        summary: 'Which events reach me by which channel, and the language of my notifications',
        response: { 200: NotificationPreferences, 401: Problem },
      },
    },
    async (req) => getMyPreferences(deps(), req.ctx),
  );

  app.put(
    '/me/notification-preferences',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['messages'],
        summary: 'Choose texts (at once, daily digest, off) and WeChat per event, and the language',
        body: NotificationPreferencesUpdate,
        response: { 200: NotificationPreferences, 400: Problem, 401: Problem },
      },
    },
    async (req) => updateMyPreferences(deps(), req.ctx, req.body),
  );

  app.post(
    '/me/wechat-binding',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['messages'],
        summary: 'Bind my WeChat (a mini-program wx.login code) so subscription messages reach me',
        body: WechatBindingCreate,
        response: { 200: WechatBinding, 400: Problem, 401: Problem, 409: Problem, 503: Problem },
      },
    },
    async (req) => bindWechat(deps(), req.ctx, req.body.code),
  );

  app.delete(
    '/me/wechat-binding',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['messages'],
        summary: 'Unbind my WeChat: no more subscription messages',
        response: { 200: WechatBinding, 401: Problem },
      },
    },
    async (req) => unbindWechat(deps(), req.ctx),
  );
}
