import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Checklist, ChecklistParams, ChecklistUpdate, Problem } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import { getChecklist, putChecklist } from './checklist-service';

const errs = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/** A signed-in resident's ticked materials per item; the app keeps them on the device and syncs here. */
export async function checklistRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const db = app.database.db;
  app.get(
    '/me/checklists/:itemId',
    {
      config: { permission: 'resident' },
      schema: {
        tags: ['service-guide'],
        summary: 'My ticked materials for an item',
        params: ChecklistParams,
        response: { 200: Checklist, ...errs },
      },
    },
    async (req) => getChecklist(db, req.ctx, req.params.itemId),
  );
  app.put(
    '/me/checklists/:itemId',
    {
      config: { permission: 'resident' },
      schema: {
        tags: ['service-guide'],
        summary: 'Replace my ticked materials (last write wins)',
        params: ChecklistParams,
        body: ChecklistUpdate,
        response: { 200: Checklist, ...errs },
      },
    },
    async (req) => putChecklist(db, req.ctx, req.params.itemId, req.body.checked, app.clock.now()),
  );
}
