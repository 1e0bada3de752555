import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  DepartmentList,
  IdParams,
  OrgUnitCreate,
  OrgUnitDetail,
  OrgUnitList,
  OrgUnitMove,
  OrgUnitQuery,
  OrgUnitRename,
  OrgUnitRetire,
  Problem,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import {
  createOrgUnit,
  getOrgUnitDetail,
  listOrgUnits,
  moveOrgUnit,
  reinstateOrgUnit,
  renameOrgUnit,
  retireOrgUnit,
  type ServiceDeps,
} from './org-service';
import { defaultDistrict, listDepartments } from './lookups';
import { presentOrgUnit, presentOrgUnitDetail } from './presenters';

const reads = { 400: Problem, 404: Problem };
const writes = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem };

/** The org tree: district → town → community → grid. Thin: schema in, service call, presenter out. */
export async function orgRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): ServiceDeps => ({ db: app.database.db, clock: app.clock });
  const tags = ['org-units'];

  app.get(
    '/departments',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['departments'],
        summary: 'The district’s departments (区级部门), public names and codes',
        response: { 200: DepartmentList },
      },
    },
    async (req) => {
      const districtId = req.ctx.actor.districtId ?? (await defaultDistrict(app.database.db));
      const rows = await listDepartments(app.database.db, districtId);
      return { items: rows.map((d) => ({ id: d.id, code: d.code, name: d.name })) };
    },
  );

  app.get(
    '/org-units',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary:
          'List org units (public names and codes). includeRetired and scope=mine apply within the caller’s org.read scope',
        querystring: OrgUnitQuery,
        response: { 200: OrgUnitList, 400: Problem },
      },
    },
    async (req) => ({ items: (await listOrgUnits(app.database.db, req.ctx, req.query)).map(presentOrgUnit) }),
  );

  app.get(
    '/org-units/:id',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'One org unit with its ancestors and what the caller may do with it',
        params: IdParams,
        response: { 200: OrgUnitDetail, ...reads },
      },
    },
    async (req) =>
      presentOrgUnitDetail(req.ctx.actor, await getOrgUnitDetail(app.database.db, req.params.id)),
  );

  app.post(
    '/org-units',
    {
      config: { permission: 'org.manage' },
      schema: {
        tags,
        summary: 'Create a unit of the next level under an active parent (org.manage over the parent)',
        body: OrgUnitCreate,
        response: { 201: OrgUnitDetail, ...writes },
      },
    },
    async (req, reply) => {
      const view = await createOrgUnit(deps(), req.ctx, req.body);
      return reply.code(201).send(presentOrgUnitDetail(req.ctx.actor, view));
    },
  );

  app.patch(
    '/org-units/:id',
    {
      config: { permission: 'org.manage' },
      schema: {
        tags,
        summary: 'Rename a unit (org.manage over it)',
        params: IdParams,
        body: OrgUnitRename,
        response: { 200: OrgUnitDetail, ...writes },
      },
    },
    async (req) =>
      presentOrgUnitDetail(req.ctx.actor, await renameOrgUnit(deps(), req.ctx, req.params.id, req.body)),
  );

  app.post(
    '/org-units/:id/move',
    {
      config: { permission: 'org.manage' },
      schema: {
        tags,
        summary:
          'Move a unit under a unit of the level above (org.manage over both); rewrites the subtree’s paths',
        params: IdParams,
        body: OrgUnitMove,
        response: { 200: OrgUnitDetail, ...writes },
      },
    },
    async (req) =>
      presentOrgUnitDetail(
        req.ctx.actor,
        await moveOrgUnit(deps(), req.ctx, req.params.id, req.body.parentId),
      ),
  );

  app.post(
    '/org-units/:id/retire',
    {
      config: { permission: 'org.manage' },
      schema: {
        tags,
        summary: 'Retire a unit (never deleted); refused while it has active children',
        params: IdParams,
        body: OrgUnitRetire,
        response: { 200: OrgUnitDetail, ...writes },
      },
    },
    async (req) =>
      presentOrgUnitDetail(
        req.ctx.actor,
        await retireOrgUnit(deps(), req.ctx, req.params.id, req.body.reason),
      ),
  );

  app.post(
    '/org-units/:id/reinstate',
    {
      config: { permission: 'org.manage' },
      schema: {
        tags,
        summary: 'Reinstate a retired unit whose parent is active',
        params: IdParams,
        response: { 200: OrgUnitDetail, ...writes },
      },
    },
    async (req) =>
      presentOrgUnitDetail(req.ctx.actor, await reinstateOrgUnit(deps(), req.ctx, req.params.id)),
  );
}
