import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IdParams, Message, MessagePage, MessageQuery, Problem } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import { presentMessage } from './presenters';
import { listMyMessages, type MessageDeps, readMessage } from './service';

/** The signed-in account's in-app messages. */
export async function messageRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): MessageDeps => ({ db: app.database.db, clock: app.clock });

  app.get(
    '/messages',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['messages'],
        summary: 'My in-app messages, newest first, with the unread count',
        querystring: MessageQuery,
        response: { 200: MessagePage, 400: Problem, 401: Problem },
      },
    },
    async (req) => {
      const page = await listMyMessages(deps(), req.ctx, req.query);
      return { items: page.items.map(presentMessage), nextCursor: page.nextCursor, unread: page.unread };
    },
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
}
