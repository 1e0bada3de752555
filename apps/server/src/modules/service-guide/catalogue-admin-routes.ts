import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CatalogueImportForm,
  CatalogueImportProblem,
  CatalogueImportQuery,
  CatalogueImportResult,
  IdParams,
  OfferingAdmin,
  OfferingList,
  OfferingParams,
  OfferingUpsert,
  Problem,
  ServiceItemAdmin,
  ServiceItemCreate,
  ServiceItemDraft,
  ServiceItemVersionParams,
  ServiceSynonym,
  ServiceSynonymCreate,
  ServiceSynonymList,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../core/errors';
import { malformed } from '../../core/files';
import {
  CatalogueItemEditor,
  CatalogueItemPage,
  CatalogueItemQuery,
  CatalogueVersion,
  CatalogueVersionList,
} from '@linli/contracts';
import {
  type AdminDeps,
  createServiceItem,
  createSynonym,
  deactivateOffering,
  deleteSynonym,
  getEditorItem,
  getVersion,
  listCatalogueItems,
  listOfferings,
  listSynonyms,
  listVersions,
  publishServiceItem,
  putDraft,
  retireServiceItem,
  updateSynonym,
  upsertOffering,
} from './catalogue-admin-service';
import { exportCatalogue, importCatalogue } from './xlsx';

const IMPORT_MAX_BYTES = 10 * 1024 * 1024;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const tags = ['service-guide'];
const errs = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem };

/** Catalogue editor (catalogue.manage), synonyms, xlsx import/export and community offerings. */
export async function catalogueAdminRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // The applications routes may register multipart first; register it here only when nobody has.
  if (!app.hasContentTypeParser('multipart/form-data')) {
    await app.register(multipart, { limits: { fileSize: IMPORT_MAX_BYTES, files: 1 } });
  }
  const deps: AdminDeps = { db: app.database.db, now: () => app.clock.now() };
  const manage = { permission: 'catalogue.manage' as const };

  app.post(
    '/service-items',
    {
      config: manage,
      schema: {
        tags,
        summary: 'A new catalogue item, as a draft',
        body: ServiceItemCreate,
        response: { 201: ServiceItemAdmin, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await createServiceItem(deps, req.ctx, req.body)),
  );

  app.get(
    '/service-items/admin',
    {
      config: manage,
      schema: {
        tags,
        summary: 'The catalogue as its editors see it: every status, drafts too, by code',
        querystring: CatalogueItemQuery,
        response: { 200: CatalogueItemPage, ...errs },
      },
    },
    async (req) => listCatalogueItems(deps, req.ctx, req.query),
  );

  app.get(
    '/service-items/:id/draft',
    {
      config: manage,
      schema: {
        tags,
        summary: 'What the editor opens: the draft when there is one, else the live guide',
        params: IdParams,
        response: { 200: CatalogueItemEditor, ...errs },
      },
    },
    async (req) => getEditorItem(deps, req.ctx, req.params.id),
  );

  app.put(
    '/service-items/:id/draft',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Create or replace the item’s draft; the published version stays live',
        params: IdParams,
        body: ServiceItemDraft,
        response: { 200: ServiceItemAdmin, ...errs },
      },
    },
    async (req) => putDraft(deps, req.ctx, req.params.id, req.body),
  );

  app.post(
    '/service-items/:id/publish',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Publish the draft',
        params: IdParams,
        response: { 200: ServiceItemAdmin, ...errs },
      },
    },
    async (req) => publishServiceItem(deps, req.ctx, req.params.id),
  );

  app.post(
    '/service-items/:id/retire',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Take the item off the guide',
        params: IdParams,
        response: { 200: ServiceItemAdmin, ...errs },
      },
    },
    async (req) => retireServiceItem(deps, req.ctx, req.params.id),
  );

  app.get(
    '/service-items/:id/versions',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Version history, newest first',
        params: IdParams,
        response: { 200: CatalogueVersionList, ...errs },
      },
    },
    async (req) => listVersions(deps, req.ctx, req.params.id),
  );

  app.get(
    '/service-items/:id/versions/:version',
    {
      config: manage,
      schema: {
        tags,
        summary: 'One version with its guide',
        params: ServiceItemVersionParams,
        response: { 200: CatalogueVersion, ...errs },
      },
    },
    async (req) => getVersion(deps, req.ctx, req.params.id, req.params.version),
  );

  app.get(
    '/service-items/export.xlsx',
    {
      config: manage,
      schema: {
        tags,
        summary: 'The catalogue as .xlsx, one row per item',
        produces: [XLSX_TYPE],
        response: {
          200: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }),
          401: Problem,
          403: Problem,
        },
      },
    },
    async (req, reply) => {
      const stream = await exportCatalogue(deps, req.ctx);
      return reply
        .type(XLSX_TYPE)
        .header('content-disposition', `attachment; filename="service-items.xlsx"`)
        .send(stream);
    },
  );

  app.post(
    '/service-items/import',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Import a catalogue .xlsx: every row is checked, the whole file applies or nothing does',
        consumes: ['multipart/form-data'],
        form: CatalogueImportForm,
        querystring: CatalogueImportQuery,
        response: {
          200: CatalogueImportResult,
          400: Problem,
          401: Problem,
          403: Problem,
          413: Problem,
          422: CatalogueImportProblem,
        },
      },
    },
    async (req) => {
      if (!req.isMultipart())
        throw AppError.badRequest('bad-request', 'Send the workbook as multipart/form-data.', [
          { field: 'file', message: 'is required' },
        ]);
      let buffer: Buffer;
      try {
        const file = await req.file();
        if (!file) throw AppError.validation([{ field: 'file', message: 'is required' }]);
        buffer = await file.toBuffer();
      } catch (err) {
        throw malformed(err);
      }
      return importCatalogue(deps, req.ctx, buffer, { publish: req.query.publish });
    },
  );

  app.get(
    '/service-synonyms',
    {
      config: manage,
      schema: { tags, summary: 'Search synonym groups', response: { 200: ServiceSynonymList, ...errs } },
    },
    async (req) => listSynonyms(deps, req.ctx),
  );
  app.post(
    '/service-synonyms',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Add a synonym group',
        body: ServiceSynonymCreate,
        response: { 201: ServiceSynonym, ...errs },
      },
    },
    async (req, reply) => reply.code(201).send(await createSynonym(deps, req.ctx, req.body.terms)),
  );
  app.put(
    '/service-synonyms/:id',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Replace the terms of a synonym group',
        params: IdParams,
        body: ServiceSynonymCreate,
        response: { 200: ServiceSynonym, ...errs },
      },
    },
    async (req) => updateSynonym(deps, req.ctx, req.params.id, req.body.terms),
  );
  app.delete(
    '/service-synonyms/:id',
    {
      config: manage,
      schema: {
        tags,
        summary: 'Remove a synonym group',
        params: IdParams,
        response: { 204: Type.Null(), ...errs },
      },
    },
    async (req, reply) => {
      await deleteSynonym(deps, req.ctx, req.params.id);
      return reply.code(204).send(null);
    },
  );

  const offerings = { permission: 'offerings.manage' as const };
  app.get(
    '/org-units/:id/offerings',
    {
      config: offerings,
      schema: {
        tags,
        summary: 'What a community’s service room offers',
        params: IdParams,
        response: { 200: OfferingList, ...errs },
      },
    },
    async (req) => listOfferings(deps, req.ctx, req.params.id),
  );
  app.put(
    '/org-units/:id/offerings/:itemId',
    {
      config: offerings,
      schema: {
        tags,
        summary: 'Offer an item in the community’s service room, with its place, hours and phone',
        params: OfferingParams,
        body: OfferingUpsert,
        response: { 200: OfferingAdmin, ...errs },
      },
    },
    async (req) => upsertOffering(deps, req.ctx, req.params.id, req.params.itemId, req.body),
  );
  app.delete(
    '/org-units/:id/offerings/:itemId',
    {
      config: offerings,
      schema: {
        tags,
        summary: 'Stop offering an item',
        params: OfferingParams,
        response: { 200: OfferingAdmin, ...errs },
      },
    },
    async (req) => deactivateOffering(deps, req.ctx, req.params.id, req.params.itemId),
  );
}
