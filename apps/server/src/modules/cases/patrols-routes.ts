import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  IdParams,
  PatrolDetail,
  PatrolList,
  PatrolPoints,
  PatrolQuery,
  PatrolStart,
  Problem,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { addPatrolPoints, getPatrol, listPatrols, startPatrol, stopPatrol } from './patrols';
import type { CaseDeps } from './service';

const tags = ['cases'];
const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/** 巡查: start, send the route, stop; list and read patrols with the cases found on them. */
export async function patrolRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): CaseDeps => ({ db: app.database.db, clock: app.clock, dataDir: app.config.dataDir });

  app.post(
    '/patrols',
    {
      config: { permission: 'cases.handle' },
      schema: {
        tags,
        summary: 'Start a patrol (squad members; one at a time)',
        body: PatrolStart,
        response: { 201: PatrolDetail, ...problems, 409: Problem },
      },
    },
    async (req, reply) => reply.code(201).send(await startPatrol(deps(), req.ctx, req.body)),
  );

  app.post(
    '/patrols/:id/points',
    {
      config: { permission: 'cases.handle' },
      schema: {
        tags,
        summary: 'Add route points to my patrol under way (batches of up to 500)',
        params: IdParams,
        body: PatrolPoints,
        response: {
          200: Type.Object({ pointCount: Type.Integer(), distanceM: Type.Number() }),
          ...problems,
          409: Problem,
        },
      },
    },
    async (req) => addPatrolPoints(deps(), req.ctx, req.params.id, req.body.points),
  );

  app.post(
    '/patrols/:id/stop',
    {
      config: { permission: 'cases.handle' },
      schema: {
        tags,
        summary: 'Stop my patrol',
        params: IdParams,
        response: { 200: PatrolDetail, ...problems, 409: Problem },
      },
    },
    async (req) => stopPatrol(deps(), req.ctx, req.params.id),
  );

  app.get(
    '/patrols',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: 'Patrols: my own, and those of squads in my scope (cases.read), newest first',
        querystring: PatrolQuery,
        response: { 200: PatrolList, ...problems },
      },
    },
    async (req) => listPatrols(deps(), req.ctx, req.query),
  );

  app.get(
    '/patrols/:id',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: 'One patrol with its route and the cases found on it',
        params: IdParams,
        response: { 200: PatrolDetail, ...problems },
      },
    },
    async (req) => getPatrol(deps(), req.ctx, req.params.id),
  );
}
