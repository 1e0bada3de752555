import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CaseCreateForm,
  CaseHandleForm,
  Boundary,
  BoundaryUpload,
  Case,
  CaseCategory,
  CaseCategoryList,
  CaseCategoryQuery,
  CaseCategoryUpdate,
  CaseDispatchBody,
  CaseExportQuery,
  CaseExtensionBody,
  CaseMineQuery,
  CaseNearbyList,
  CaseNearbyQuery,
  CaseNoteBody,
  CasePage,
  CasePhotoParams,
  CasePublicPage,
  CasePublicQuery,
  CaseQuery,
  CaseRateBody,
  CaseReasonBody,
  CaseReceipt,
  CaseStats,
  CaseStatsQuery,
  CaseSuperviseBody,
  CategoryCodeParams,
  IdParams,
  Problem,
  RoutingRuleList,
  RoutingRuleUpsert,
  SlaCardReport,
  Squad,
  SquadCreate,
  SquadList,
  SquadMemberAdd,
  SquadMemberParams,
  SquadMemberUpdate,
  BoundaryList,
  BoundaryQuery,
  MapSettings,
  PlaceAt,
  PlaceQuery,
} from '@linli/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import { AnswerCache, writeGeneration } from '../../core/answer-cache';
import type { RoutePermission } from '../../core/http';
import { readMultipart, uploadRateLimit } from '../../core/files';
import { idempotencyKeyOf } from '../../core/idempotency';
import {
  addSquadMember,
  createSquad,
  getBoundariesUnder,
  getBoundary,
  getCategories,
  getRules,
  getSlaCards,
  getSquads,
  putBoundary,
  removeSquadMember,
  updateCategory,
  updateSquadMember,
  upsertRule,
} from './admin-service';
import { defaultDistrict } from '../identity/lookups';
import { placeAt } from './places';
import {
  presentBoundary,
  presentPlace,
  presentCase,
  presentCasePublic,
  presentCaseSummary,
  presentCategory,
  presentSquad,
} from './presenters';
import {
  applyStep,
  type CaseDeps,
  followCase,
  getCase,
  listMyCases,
  listPublicCases,
  listStaffCases,
  MAX_CASE_PHOTOS,
  nearbyCases,
  openCasePhoto,
  reportCase,
  type StepInput,
} from './service';
import { runSlaSweep } from './sla';
import { CASE_EXPORT_CAP, exportCases } from './export';
import { caseStats } from './stats';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };
const stepProblems = { ...problems, 409: Problem, 422: Problem };
const tags = ['cases'];

const JSON_TYPE = 'application/json; charset=utf-8';

/** 城社共治 cases: thin routes, schema in, service call, presenter out. */
export async function caseRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): CaseDeps => ({ db: app.database.db, clock: app.clock, dataDir: app.config.dataDir });
  const caseAnswers = new AnswerCache(() => app.clock.now().getTime());
  app.metrics.watchCache('case-answers', () => caseAnswers.counts());

  app.post(
    '/cases',
    {
      config: { permission: 'signed-in', rateLimit: uploadRateLimit(app.config) },
      schema: {
        tags,
        summary:
          'Report a problem (multipart: categoryCode, description, lat + lng and/or address, hideName, then up to ' +
          `${MAX_CASE_PHOTOS} "photos" parts, JPEG/PNG checked by content). Residents; squad members file patrol ` +
          'cases. A location outside the district is 422. Honours Idempotency-Key. Answers the receipt at once.',
        consumes: ['multipart/form-data'],
        form: CaseCreateForm,
        response: {
          201: CaseReceipt,
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
      const form = await readMultipart(req, { fileFieldName: 'photos', maxFiles: MAX_CASE_PHOTOS });
      const { receipt, replayed } = await reportCase(deps(), req.ctx, form, key);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(receipt);
    },
  );

  app.get(
    '/cases/nearby',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags,
        summary: 'Open cases of the same category within 100 m ("me too" before reporting)',
        querystring: CaseNearbyQuery,
        response: { 200: CaseNearbyList, ...problems },
      },
    },
    async (req) => ({
      items: (await nearbyCases(deps(), req.ctx, req.query)).map((h) => ({
        ...presentCasePublic(h),
        distanceM: h.distanceM,
      })),
    }),
  );

  app.get(
    '/cases/mine',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags,
        summary: '我的诉求: cases I reported or follow, newest first',
        querystring: CaseMineQuery,
        response: { 200: CasePage, ...problems },
      },
    },
    async (req) => {
      const p = await listMyCases(deps(), req.ctx, req.query);
      return { items: p.items.map(presentCaseSummary), nextCursor: p.nextCursor };
    },
  );

  app.get(
    '/cases/public',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'The community board: category, status, coarse location, description; never the reporter',
        querystring: CasePublicQuery,
        response: { 200: CasePublicPage, ...problems },
      },
    },
    async (req) => {
      const p = await listPublicCases(deps(), req.query);
      return { items: p.items.map(presentCasePublic), nextCursor: p.nextCursor };
    },
  );

  app.get(
    '/cases/sla-cards',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags,
        summary: 'Yellow and red SLA cards per handling unit (squad, department, person, community)',
        response: { 200: SlaCardReport, ...problems },
      },
    },
    async (req) => ({ items: await getSlaCards(deps(), req.ctx) }),
  );

  app.post(
    '/cases/sla-sweep',
    {
      config: { permission: 'cases.manage' },
      schema: {
        tags,
        summary: 'Run the SLA job now (it also runs every minute): marks overdue steps, gives cards',
        response: { 200: Type.Object({ yellow: Type.Integer(), red: Type.Integer() }), ...problems },
      },
    },
    async () => runSlaSweep(deps()),
  );

  app.get(
    '/cases/stats',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags,
        summary:
          '城社共治统计 in the board scope: volume by category, community and ISO week; on-time rate of steps; ' +
          'report → 结案 in working hours; satisfaction; repeat hotspots (~100 m cells, ≥ 3 in 30 days); ' +
          'the complaint trend per community and week',
        querystring: CaseStatsQuery,
        response: { 200: CaseStats, ...problems },
      },
    },
    async (req) => caseStats(deps(), req.ctx, req.query),
  );

  app.get(
    '/cases/export',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags,
        summary: `The board as .xlsx: same scope, filters and order as the list, personal data masked, at most ${CASE_EXPORT_CAP} rows`,
        querystring: CaseExportQuery,
        produces: [XLSX_TYPE],
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }), ...problems },
      },
    },
    async (req, reply) => {
      const { stream } = await exportCases(deps(), req.ctx, req.query);
      const day = new Date(app.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
      return reply
        .type(XLSX_TYPE)
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="cases-${day}.xlsx"`)
        .send(stream);
    },
  );

  app.get(
    '/cases/verification-queue',
    {
      config: { permission: 'cases.verify' },
      schema: {
        tags,
        summary:
          '核查 queue: handled cases waiting for verification, without those the caller handled or holds ' +
          '(a page may hold fewer rows than asked; follow nextCursor)',
        querystring: CaseQuery,
        response: { 200: CasePage, ...problems },
      },
    },
    async (req) => {
      const p = await listStaffCases(deps(), req.ctx, { ...req.query, status: 'handled' });
      const me = req.ctx.actor.accountId;
      const items = p.items.filter((v) => v.c.handledBy !== me && v.c.handlerId !== me);
      return { items: items.map(presentCaseSummary), nextCursor: p.nextCursor };
    },
  );

  app.get(
    '/cases',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: 'The dispatch board and staff list: overdue first, then new, then newest; cursor paging',
        querystring: CaseQuery,
        response: { 200: CasePage, ...problems },
      },
    },
    async (req) => {
      const p = await listStaffCases(deps(), req.ctx, req.query);
      return { items: p.items.map(presentCaseSummary), nextCursor: p.nextCursor };
    },
  );

  app.get(
    '/cases/:id',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags,
        summary:
          'One case with photos, timeline and abilities (reporter, followers, staff in scope, handlers)',
        params: IdParams,
        response: { 200: Case, ...problems },
      },
    },
    async (req, reply) => {
      // Opened again within two seconds by the same session, with no write in between: the
      // answer already built (core/answer-cache.ts). The permission check above has run.
      const key = req.ctx.actor.sessionId ? `${req.ctx.actor.sessionId}:${req.params.id}` : null;
      const kept = key === null ? undefined : caseAnswers.get(key);
      if (kept !== undefined) return reply.type(JSON_TYPE).send(kept as never);
      const readFrom = writeGeneration();
      const body = reply.serialize(presentCase(await getCase(deps(), req.ctx, req.params.id))) as string;
      if (key !== null) caseAnswers.put(key, body, readFrom);
      // A string is sent as it is (already serialised by the route's schema above).
      return reply.type(JSON_TYPE).send(body as never);
    },
  );

  app.get(
    '/cases/:id/photos/:photoId',
    {
      config: { permission: 'signed-in' },
      schema: {
        tags,
        summary: 'Download a photo of a case (those who may see the case)',
        params: CasePhotoParams,
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }), ...problems },
      },
    },
    async (req, reply) => {
      const { photo, stream } = await openCasePhoto(deps(), req.ctx, req.params.id, req.params.photoId);
      reply.header('cache-control', 'private, no-store');
      return reply.type(photo.mime).send(stream);
    },
  );

  app.post(
    '/cases/:id/follow',
    {
      config: { permission: 'resident' },
      schema: {
        tags,
        summary: '"Me too": follow an open case instead of reporting a duplicate',
        params: IdParams,
        response: { 200: Case, ...stepProblems },
      },
    },
    async (req) => presentCase(await followCase(deps(), req.ctx, req.params.id)),
  );

  const run = async (req: FastifyRequest, id: string, input: StepInput) =>
    presentCase(await applyStep(deps(), req.ctx, id, input));

  /** One workflow step: `POST /cases/:id/<path>` with its body schema. */
  const stepRoute = <B extends TSchema>(
    path: string,
    summary: string,
    permission: RoutePermission,
    body: B,
    toInput: (body: Static<B>) => StepInput,
  ) =>
    app.post(
      `/cases/:id/${path}`,
      {
        config: { permission },
        schema: { tags, summary, params: IdParams, body, response: { 200: Case, ...stepProblems } },
      },
      async (req) => run(req, (req.params as IdParams).id, toInput(req.body as Static<B>)),
    );

  stepRoute('register', '立案: accept the report as a case', 'cases.dispatch', CaseNoteBody, (b) => ({
    step: 'register',
    note: b.note,
  }));
  stepRoute('not-register', '不予立案, with a reason', 'cases.dispatch', CaseReasonBody, (b) => ({
    step: 'not_register',
    reason: b.reason,
  }));
  stepRoute(
    'dispatch',
    '派遣 to a squad, a department or a person (default: the unit the routing rules chose)',
    'cases.dispatch',
    CaseDispatchBody,
    (b) => ({ step: 'dispatch', kind: b.kind, targetId: b.targetId, note: b.note }),
  );
  stepRoute(
    'send-back',
    '退单: the handler sends it back for re-dispatch, with a reason',
    'cases.handle',
    CaseReasonBody,
    (b) => ({
      step: 'send_back',
      reason: b.reason,
    }),
  );
  stepRoute('accept', '签收: the handler takes it', 'cases.handle', CaseNoteBody, (b) => ({
    step: 'accept',
    note: b.note,
  }));
  stepRoute('start', 'Start handling', 'cases.handle', CaseNoteBody, (b) => ({
    step: 'start',
    note: b.note,
  }));
  stepRoute('verify-pass', '核查通过 → 结案 (not by the handler)', 'cases.verify', CaseNoteBody, (b) => ({
    step: 'verify_pass',
    note: b.note,
  }));
  stepRoute(
    'verify-fail',
    '核查不通过 → back to handling, with a reason (not by the handler)',
    'cases.verify',
    CaseReasonBody,
    (b) => ({
      step: 'verify_fail',
      reason: b.reason,
    }),
  );
  stepRoute(
    'rate',
    'Rate the result (满意/基本满意/不满意; 不满意 within 7 days reopens once)',
    'signed-in',
    CaseRateBody,
    (b) => ({
      step: 'rate',
      rating: b.rating,
      comment: b.comment,
    }),
  );
  stepRoute(
    'reopen',
    '重办 after 不满意 (once, within 7 days of closing)',
    'signed-in',
    CaseNoteBody,
    (b) => ({
      step: 'reopen',
      note: b.note,
    }),
  );
  stepRoute('request-extension', '延期申请 by the handler', 'cases.handle', CaseExtensionBody, (b) => ({
    step: 'request_extension',
    hours: b.hours,
    reason: b.reason,
  }));
  stepRoute(
    'approve-extension',
    'Approve the extension (supervisor)',
    'cases.supervise',
    CaseNoteBody,
    (b) => ({
      step: 'approve_extension',
      note: b.note,
    }),
  );
  stepRoute('deny-extension', 'Deny the extension (supervisor)', 'cases.supervise', CaseNoteBody, (b) => ({
    step: 'deny_extension',
    note: b.note,
  }));
  stepRoute(
    'supervise',
    '督办 with a note (town or district)',
    'cases.supervise',
    CaseSuperviseBody,
    (b) => ({
      step: 'supervise',
      note: b.note,
    }),
  );

  app.post(
    '/cases/:id/handle',
    {
      config: { permission: 'cases.handle', rateLimit: uploadRateLimit(app.config) },
      schema: {
        tags,
        summary: `处置反馈 (multipart: note, then 1–${MAX_CASE_PHOTOS} "photos" parts of the result)`,
        consumes: ['multipart/form-data'],
        form: CaseHandleForm,
        params: IdParams,
        response: { 200: Case, ...stepProblems, 413: Problem, 415: Problem, 429: Problem },
      },
    },
    async (req) => {
      const form = await readMultipart(req, { fileFieldName: 'photos', maxFiles: MAX_CASE_PHOTOS });
      return run(req, req.params.id, { step: 'handle', files: form.files, note: form.fields.note });
    },
  );

  // Reference data and set-up.

  app.get(
    '/case-categories',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary:
          'Enabled case categories (major classes and sub-categories) for the picker; disabled ones too with includeDisabled (cases.manage)',
        querystring: CaseCategoryQuery,
        response: { 200: CaseCategoryList, ...problems },
      },
    },
    async (req) => ({
      items: (await getCategories(deps(), req.ctx, req.query.includeDisabled === true)).map(presentCategory),
    }),
  );

  app.patch(
    '/case-categories/:code',
    {
      config: { permission: 'cases.manage' },
      schema: {
        tags,
        summary: 'Edit a category: name, urgency, SLA per step, evidence, enabled',
        params: CategoryCodeParams,
        body: CaseCategoryUpdate,
        response: { 200: CaseCategory, ...problems },
      },
    },
    async (req) => presentCategory(await updateCategory(deps(), req.ctx, req.params.code, req.body)),
  );

  app.get(
    '/case-routing-rules',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags,
        summary: 'Routing rules: category (or prefix) → squad or department',
        response: { 200: RoutingRuleList, ...problems },
      },
    },
    async (req) => ({ items: await getRules(deps(), req.ctx) }),
  );

  app.put(
    '/case-routing-rules/:code',
    {
      config: { permission: 'cases.manage' },
      schema: {
        tags,
        summary: 'Set the rule of a category code or prefix',
        params: CategoryCodeParams,
        body: RoutingRuleUpsert,
        response: { 200: RoutingRuleList, ...problems },
      },
    },
    async (req) => ({ items: await upsertRule(deps(), req.ctx, req.params.code, req.body) }),
  );

  app.get(
    '/squads',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags,
        summary: 'Community squads (城管中队) with their members and duties',
        response: { 200: SquadList, ...problems },
      },
    },
    async (req) => ({ items: (await getSquads(deps(), req.ctx)).map((v) => presentSquad(v, req.ctx.actor)) }),
  );

  // Squad set-up: each change answers the whole squad (members with their duties, removed ones too).
  const squadProblems = { ...problems, 409: Problem, 422: Problem };

  app.post(
    '/squads',
    {
      config: { permission: 'squads.manage' },
      schema: {
        tags,
        summary: 'Create the squad of a community that has none (squads.manage over the community)',
        body: SquadCreate,
        response: { 201: Squad, ...squadProblems },
      },
    },
    async (req, reply) =>
      reply.code(201).send(presentSquad(await createSquad(deps(), req.ctx, req.body), req.ctx.actor)),
  );

  app.post(
    '/squads/:id/members',
    {
      config: { permission: 'squads.manage' },
      schema: {
        tags,
        summary:
          "Add a staff account of the squad's community (or its town or district) with a duty; " +
          'a removed member is reactivated; an active one is 409',
        params: IdParams,
        body: SquadMemberAdd,
        response: { 201: Squad, ...squadProblems },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(presentSquad(await addSquadMember(deps(), req.ctx, req.params.id, req.body), req.ctx.actor)),
  );

  app.patch(
    '/squads/:id/members/:accountId',
    {
      config: { permission: 'squads.manage' },
      schema: {
        tags,
        summary: "Change an active member's duty",
        params: SquadMemberParams,
        body: SquadMemberUpdate,
        response: { 200: Squad, ...squadProblems },
      },
    },
    async (req) =>
      presentSquad(
        await updateSquadMember(deps(), req.ctx, req.params.id, req.params.accountId, req.body),
        req.ctx.actor,
      ),
  );

  app.delete(
    '/squads/:id/members/:accountId',
    {
      config: { permission: 'squads.manage' },
      schema: {
        tags,
        summary: 'Remove a member (kept as inactive: cases and patrols keep naming them)',
        params: SquadMemberParams,
        response: { 200: Squad, ...squadProblems },
      },
    },
    async (req) =>
      presentSquad(
        await removeSquadMember(deps(), req.ctx, req.params.id, req.params.accountId),
        req.ctx.actor,
      ),
  );

  app.get(
    '/org-units/:id/boundary',
    {
      // Towns' and communities' outlines are public geography (the resident app draws them for
      // the report pin); grid outlines are internal and need org.read over the grid.
      config: { permission: 'public' },
      schema: {
        tags,
        summary:
          "An org unit's boundary (GeoJSON): public for the district, towns and communities; grids need org.read",
        params: IdParams,
        response: { 200: Boundary, ...problems },
      },
    },
    async (req) => presentBoundary(await getBoundary(deps(), req.ctx, req.params.id)),
  );

  app.put(
    '/org-units/:id/boundary',
    {
      config: { permission: 'cases.manage' },
      bodyLimit: 8 * 1024 * 1024,
      schema: {
        tags,
        summary: "Upload an org unit's real boundary: GeoJSON Polygon/MultiPolygon or a Feature of one",
        params: IdParams,
        body: BoundaryUpload,
        response: { 200: Boundary, ...problems },
      },
    },
    async (req) => presentBoundary(await putBoundary(deps(), req.ctx, req.params.id, req.body)),
  );

  app.get(
    '/maps/place',
    {
      // What a phone's location is in: public geography, like the towns' and communities' outlines.
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'Reverse geocoding: the town, community and grid whose boundaries hold a WGS-84 point',
        querystring: PlaceQuery,
        response: { 200: PlaceAt, ...problems },
      },
    },
    async (req) => {
      const districtId = req.ctx.actor.districtId ?? (await defaultDistrict(app.database.db));
      const at = await placeAt(app.database.db, districtId, req.query.lat, req.query.lng);
      return { inDistrict: at.inDistrict, ...presentPlace(at) };
    },
  );

  app.get(
    '/maps/boundaries',
    {
      // Public like each town's and community's own outline; grids only where the caller has org.read.
      config: { permission: 'public' },
      schema: {
        tags,
        summary:
          'The outlines of one level (towns, communities or grids) under an org unit, for the case map',
        querystring: BoundaryQuery,
        response: { 200: BoundaryList, ...problems },
      },
    },
    async (req) => ({
      items: (await getBoundariesUnder(deps(), req.ctx, req.query.orgUnitId, req.query.kind)).map(
        presentBoundary,
      ),
    }),
  );

  app.get(
    '/maps/settings',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: "What the apps' maps draw under the boundaries: online tiles (天地图) when configured",
        response: { 200: MapSettings, ...problems },
      },
    },
    async () => {
      const t = app.config.mapTiles;
      return {
        tiles: t
          ? {
              urlTemplates: t.urlTemplates,
              subdomains: t.subdomains,
              attribution: '天地图 · 国家地理信息公共服务平台',
            }
          : null,
      };
    },
  );
}
