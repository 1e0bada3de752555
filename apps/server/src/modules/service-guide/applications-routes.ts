import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AddMaterialsForm,
  ApplicationCreateForm,
  Application,
  ApplicationMineQuery,
  ApplicationCounts,
  ApplicationCountsQuery,
  ApplicationFilter,
  ApplicationPage,
  ApplicationStats,
  ApplicationStatsQuery,
  ApplicationWorkbenchQuery,
  FileParams,
  IdParams,
  Problem,
  RateBody,
  RefuseBody,
  RequestMoreBody,
  ResultReadyBody,
  StepNoteBody,
  VisitCreate,
} from '@linli/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { readMultipart, uploadRateLimit } from '../../core/files';
import { idempotencyKeyOf } from '../../core/idempotency';
import { presentApplication, presentApplicationSummary } from './applications-presenters';
import { applicationStats, workbenchCounts } from './applications-stats';
import { EXPORT_CAP, exportApplications } from './applications-stats-xlsx';
import {
  type ApplicationDeps,
  applyTransition,
  getApplication,
  listMine,
  listWorkbench,
  openApplicationFile,
  recordVisit,
  type StepInput,
  submitApplication,
} from './applications-service';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };
const stepProblems = { ...problems, 409: Problem, 422: Problem };

/** Applications (办件): thin routes, schema in, service call, presenter out. */
export async function applicationRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): ApplicationDeps => ({
    db: app.database.db,
    clock: app.clock,
    dataDir: app.config.dataDir,
  });

  app.post(
    '/applications',
    {
      config: { permission: 'resident', rateLimit: uploadRateLimit(app.config) },
      schema: {
        tags: ['applications'],
        summary:
          'Apply for an item at a community service room (multipart: itemId, orgUnitId, note, appointmentAt, ' +
          'then materialName + files per file; JPEG/PNG/PDF ≤ 10 MB, ≤ 20). Honours Idempotency-Key.',
        consumes: ['multipart/form-data'],
        form: ApplicationCreateForm,
        response: {
          201: Application,
          ...problems,
          409: Problem,
          413: Problem,
          415: Problem,
          422: Problem,
          429: Problem,
        },
      },
    },
    async (req, reply) => {
      const key = idempotencyKeyOf(req.headers);
      const form = await readMultipart(req);
      const { id, replayed } = await submitApplication(deps(), req.ctx, form, key);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(presentApplication(await getApplication(deps(), req.ctx, id)));
    },
  );

  app.get(
    '/applications/mine',
    {
      config: { permission: 'resident' },
      schema: {
        tags: ['applications'],
        summary: 'My applications (我的办件), newest first',
        querystring: ApplicationMineQuery,
        response: { 200: ApplicationPage, ...problems },
      },
    },
    async (req) => {
      const page = await listMine(deps(), req.ctx, req.query);
      return { items: page.items.map(presentApplicationSummary), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/applications',
    {
      config: { permission: 'staff' },
      schema: {
        tags: ['applications'],
        summary: 'The workbench: applications in my scope or forwarded to my department, overdue first',
        querystring: ApplicationWorkbenchQuery,
        response: { 200: ApplicationPage, ...problems },
      },
    },
    async (req) => {
      const page = await listWorkbench(deps(), req.ctx, req.query);
      return { items: page.items.map(presentApplicationSummary), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/applications/counts',
    {
      config: { permission: 'staff' },
      schema: {
        tags: ['applications'],
        summary: 'Workbench queue sizes per status (and overdue), same scope and filters as the list',
        querystring: ApplicationCountsQuery,
        response: { 200: ApplicationCounts, ...problems },
      },
    },
    async (req) => workbenchCounts(deps(), req.ctx, req.query),
  );

  app.get(
    '/applications/export',
    {
      config: { permission: 'staff' },
      schema: {
        tags: ['applications'],
        summary: `The workbench as .xlsx: same scope, filters and order as the list, at most ${EXPORT_CAP} rows (x-export-truncated: true when cut)`,
        querystring: ApplicationFilter,
        produces: [XLSX_TYPE],
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }), ...problems },
      },
    },
    async (req, reply) => {
      const { stream, truncated, rows } = await exportApplications(deps(), req.ctx, req.query);
      const day = new Date(app.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
      return reply
        .type(XLSX_TYPE)
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="applications-${day}.xlsx"`)
        .header('x-export-rows', String(rows))
        .header('x-export-truncated', String(truncated))
        .send(stream);
    },
  );

  app.get(
    '/applications/stats',
    {
      config: { permission: 'staff' },
      schema: {
        tags: ['applications'],
        summary:
          '办件统计 in the workbench scope: by item (top N), community and month; average handling days ' +
          '(accepted → done, calendar days); one-trip rate; satisfaction',
        querystring: ApplicationStatsQuery,
        response: { 200: ApplicationStats, ...problems },
      },
    },
    async (req) => applicationStats(deps(), req.ctx, req.query),
  );

  app.get(
    '/applications/:id',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['applications'],
        summary: 'One application with its files, history, visits and abilities',
        params: IdParams,
        response: { 200: Application, ...problems },
      },
    },
    async (req) => presentApplication(await getApplication(deps(), req.ctx, req.params.id)),
  );

  app.get(
    '/applications/:id/files/:fileId',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags: ['applications'],
        summary: 'Download a material file (the applicant, staff in scope, the forwarded department)',
        params: FileParams,
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }), ...problems },
      },
    },
    async (req, reply) => {
      const { file, stream } = await openApplicationFile(deps(), req.ctx, req.params.id, req.params.fileId);
      reply.header('cache-control', 'private, no-store');
      reply.header(
        'content-disposition',
        `inline; filename="${file.id}.${file.storedPath.split('.').pop()}"`,
      );
      return reply.type(file.mime).send(stream);
    },
  );

  app.post(
    '/applications/:id/visits',
    {
      config: { permission: 'applications.handle' },
      schema: {
        tags: ['applications'],
        summary: 'Record an in-person visit (more than one flags multipleTrips: 最多跑一次 broken)',
        params: IdParams,
        body: VisitCreate,
        response: { 201: Application, ...problems },
      },
    },
    async (req, reply) =>
      reply.code(201).send(presentApplication(await recordVisit(deps(), req.ctx, req.params.id, req.body))),
  );

  const run = async (req: FastifyRequest, id: string, input: StepInput) =>
    presentApplication(await applyTransition(deps(), req.ctx, id, input));

  /** One workflow step: `POST /applications/:id/<path>` with its body schema. */
  const stepRoute = <B extends TSchema>(
    path: string,
    summary: string,
    permission: 'resident' | 'staff',
    body: B,
    toInput: (body: Static<B>) => StepInput,
  ) =>
    app.post(
      `/applications/:id/${path}`,
      {
        config: { permission },
        schema: {
          tags: ['applications'],
          summary,
          params: IdParams,
          body,
          response: { 200: Application, ...stepProblems },
        },
      },
      async (req) => run(req, (req.params as IdParams).id, toInput(req.body as Static<B>)),
    );

  stepRoute('pre-review', 'Pre-review a submitted application', 'staff', StepNoteBody, (b) => ({
    step: 'pre_review',
    note: b.note,
  }));
  stepRoute('request-more', 'Ask for missing materials (补正)', 'staff', RequestMoreBody, (b) => ({
    step: 'request_more',
    ...b,
  }));
  stepRoute('accept', 'Accept (受理); sets the deadline in working days', 'staff', StepNoteBody, (b) => ({
    step: 'accept',
    note: b.note,
  }));
  stepRoute('forward', 'Forward a proxy item to its department', 'staff', StepNoteBody, (b) => ({
    step: 'forward',
    note: b.note,
  }));
  stepRoute(
    'complete',
    'Mark done (the forwarded department, else the service room)',
    'staff',
    StepNoteBody,
    (b) => ({
      step: 'complete',
      note: b.note,
    }),
  );
  stepRoute('refuse', 'Refuse with a reason', 'staff', RefuseBody, (b) => ({
    step: 'refuse',
    reason: b.reason,
  }));
  stepRoute('result-ready', 'The result is ready: pick up or post', 'staff', ResultReadyBody, (b) => ({
    step: 'result_ready',
    delivery: b.delivery,
  }));
  stepRoute('finish', 'The resident has the result', 'staff', StepNoteBody, (b) => ({
    step: 'finish',
    note: b.note,
  }));
  stepRoute('rate', 'Rate the service (好差评, 1–5)', 'resident', RateBody, (b) => ({ step: 'rate', ...b }));
  stepRoute('withdraw', 'Withdraw before acceptance', 'resident', StepNoteBody, (b) => ({
    step: 'withdraw',
    note: b.note,
  }));

  app.post(
    '/applications/:id/add-materials',
    {
      config: { permission: 'resident', rateLimit: uploadRateLimit(app.config) },
      schema: {
        tags: ['applications'],
        summary: 'Add the missing materials (multipart: materialName + files per file)',
        consumes: ['multipart/form-data'],
        form: AddMaterialsForm,
        params: IdParams,
        response: { 200: Application, ...stepProblems, 413: Problem, 415: Problem, 429: Problem },
      },
    },
    async (req) => {
      const form = await readMultipart(req);
      return run(req, req.params.id, { step: 'add_materials', files: form.files, note: form.fields.note });
    },
  );
}
