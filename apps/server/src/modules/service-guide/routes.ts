import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  IdParams,
  Problem,
  ServiceFacets,
  ServiceItemDetail,
  ServiceItemDetailQuery,
  ServiceItemList,
  ServiceItemQuery,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import { answerHeaders } from '../../core/response-cache';
import { getServiceItem, type GuideDeps, searchServiceItems, serviceFacets } from './service';

const JSON_TYPE = 'application/json; charset=utf-8';

/** The public service guide: search, browse, item pages. No sign-in needed. */
export async function serviceGuideRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps: GuideDeps = { db: app.database.db, clock: app.clock };
  // Search answers are cached with the catalogue (service.ts); their JSON is kept beside them, so
  // a repeated question costs neither the search nor the serialisation.
  const serialized = new WeakMap<object, string>();

  app.get(
    '/service-items',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['service-guide'],
        summary: 'Search (Chinese, pinyin, initials, synonyms, one typo) or browse the service guide',
        querystring: ServiceItemQuery,
        response: { 200: ServiceItemList, 400: Problem, 404: Problem },
      },
    },
    async (req, reply) => {
      const { answer, fresh } = await searchServiceItems(deps, req.query);
      let body = serialized.get(answer);
      if (body === undefined) {
        body = reply.serialize(answer) as string;
        serialized.set(answer, body);
      }
      // The same answer for every anonymous caller: the next one gets it before routing.
      if (fresh && req.headers.cookie === undefined) {
        app.responseCache.put(req.url, {
          headers: answerHeaders(reply.getHeaders(), JSON_TYPE, body),
          body,
          fresh,
        });
      }
      // A string is sent as it is (already serialised by the route's schema above).
      return reply.type(JSON_TYPE).send(body as never);
    },
  );

  app.get(
    '/service-items/facets',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['service-guide'],
        summary: 'How many items each department, life event and mode has',
        response: { 200: ServiceFacets },
      },
    },
    async () => serviceFacets(deps),
  );

  app.get(
    '/service-items/:id',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['service-guide'],
        summary: 'One item’s guide: visits, where, when, what to bring',
        params: IdParams,
        querystring: ServiceItemDetailQuery,
        response: { 200: ServiceItemDetail, 400: Problem, 404: Problem },
      },
    },
    async (req) => getServiceItem(deps, req.params.id, req.query.orgUnitId),
  );
}
