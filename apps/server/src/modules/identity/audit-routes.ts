import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AuditCatalogue, AuditEntry, AuditPage, AuditParams, AuditQuery, Problem } from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import { getAuditEntry, listAudit } from './audit-service';
import { presentAuditEntry } from './presenters';

const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/** The audit trail, read-only, within the caller's audit.read scope. */
export async function auditRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['audit'];

  app.get(
    '/audit',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags,
        summary: 'Audit entries in the caller’s audit.read scope, newest first',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...problems },
      },
    },
    async (req) => {
      const page = await listAudit(app.database.db, req.ctx, req.query);
      return { items: page.rows.map(presentAuditEntry), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/audit/catalogue',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags,
        summary: 'The words for audit actions, entity types and fields, from every module’s manifest',
        response: { 200: AuditCatalogue, 401: Problem, 403: Problem },
      },
    },
    async () => app.auditCatalogue,
  );

  app.get(
    '/audit/:id',
    {
      config: { permission: 'audit.read' },
      schema: {
        tags,
        summary: 'One audit entry (404 outside the caller’s scope)',
        params: AuditParams,
        response: { 200: AuditEntry, ...problems },
      },
    },
    async (req) => presentAuditEntry(await getAuditEntry(app.database.db, req.ctx, req.params.id)),
  );
}
