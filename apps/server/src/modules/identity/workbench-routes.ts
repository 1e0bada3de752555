import { Problem, Workbench } from '@linli/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';

const problems = { 401: Problem, 403: Problem };

/**
 * The console's 工作台 (core/workbench.ts): the cards every module's manifest contributes,
 * computed for the signed-in member of staff, each scoped by the permission it needs. Mounted
 * with identity, as the job runner's and the audit trail's views are.
 */
export async function workbenchRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/workbench',
    {
      config: { permission: 'staff' },
      schema: {
        tags: ['workbench'],
        summary:
          "The caller's 工作台: counts of what they have to do now (each with the filtered list it links to) and their units' figures against last month",
        response: { 200: Workbench, ...problems },
      },
    },
    async (req) => app.workbench.forCaller(req.ctx),
  );
}
