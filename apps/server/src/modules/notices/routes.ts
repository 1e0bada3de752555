import { IdParams, Notice, NoticeCreate, NoticePage, NoticeQuery, Problem } from '@linli/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { presentNotice } from './presenters';
import { getNotice, listNotices, type NoticeDeps, publishNotice, retractNotice } from './service';

const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/** Thin routes: schema in, service call, presenter out. */
export async function noticeRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): NoticeDeps => ({ db: app.database.db, clock: app.clock });

  app.get(
    '/notices',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['notices'],
        summary:
          'Notices that apply to an org unit (its own, its town’s, its district’s): pinned first, newest first',
        querystring: NoticeQuery,
        response: { 200: NoticePage, ...problems },
      },
    },
    async (req) => {
      const page = await listNotices(deps(), req.ctx, req.query);
      return { items: page.items.map(presentNotice), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/notices/:id',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['notices'],
        summary: 'One notice (a retracted one only for staff holding notices.manage over its unit)',
        params: IdParams,
        response: { 200: Notice, ...problems },
      },
    },
    async (req) => presentNotice(await getNotice(deps(), req.ctx, req.params.id)),
  );

  app.post(
    '/notices',
    {
      config: { permission: 'notices.manage' },
      schema: {
        tags: ['notices'],
        summary: 'Publish a notice for a district, town or community',
        body: NoticeCreate,
        response: { 201: Notice, ...problems, 422: Problem },
      },
    },
    async (req, reply) => {
      const created = await publishNotice(deps(), req.ctx, req.body);
      return reply.code(201).send(presentNotice(created));
    },
  );

  app.post(
    '/notices/:id/retract',
    {
      config: { permission: 'notices.manage' },
      schema: {
        tags: ['notices'],
        summary: 'Retract a published notice (409 invalid-transition when already retracted)',
        params: IdParams,
        response: { 200: Notice, ...problems, 409: Problem },
      },
    },
    async (req) => presentNotice(await retractNotice(deps(), req.ctx, req.params.id)),
  );
}
