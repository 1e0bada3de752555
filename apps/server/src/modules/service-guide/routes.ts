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
import { getServiceItem, type GuideDeps, listServiceItems, serviceFacets } from './service';

/** The public service guide: search, browse, item pages. No sign-in needed. */
export async function serviceGuideRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps: GuideDeps = { db: app.database.db, clock: app.clock };

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
    async (req) => listServiceItems(deps, req.query),
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
