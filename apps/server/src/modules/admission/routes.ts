import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  AdmissionAppealBody,
  AdmissionCommentBody,
  AdmissionCompareQuery,
  AdmissionCompleteBody,
  AdmissionCurrentLists,
  AdmissionDecideBody,
  AdmissionDraftSave,
  AdmissionListVersion,
  AdmissionListVersionPage,
  AdmissionMatchBody,
  AdmissionMatchResult,
  AdmissionNoteBody,
  AdmissionProgressBody,
  AdmissionPublish,
  AdmissionRequest,
  AdmissionRequestCreate,
  AdmissionRequestPage,
  AdmissionRequestQuery,
  AdmissionTask,
  AdmissionTaskPage,
  AdmissionTaskQuery,
  AdmissionVersionDiff,
  AdmissionVersionParams,
  AdmissionWithdrawBody,
  BurdenExportQuery,
  BurdenIndex,
  BurdenQuery,
  CertificateAnswer,
  CertificateQuery,
  IdParams,
  Ok,
  OutsideReport,
  OutsideReportCreate,
  OutsideReportHandleBody,
  OutsideReportPage,
  OutsideReportQuery,
  Problem,
} from '@linli/contracts';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { burdenIndex, exportBurden } from './burden';
import { askCertificate } from './certificates';
import {
  type AdmissionDeps,
  compareVersions,
  createDraft,
  currentLists,
  discardDraft,
  getDraft,
  getVersion,
  listVersions,
  matchText,
  publishDraft,
  saveDraft,
} from './lists-service';
import { MATCH_THRESHOLD, verdict } from './matching';
import { presentOutsideReport, presentRequest, presentRequestSummary, presentTask } from './presenters';
import { applyRequestStep, commentOnRequest, fileRequest, getRequest, listRequests } from './service';
import {
  applyTaskStep,
  fileOutsideReport,
  getTask,
  handleOutsideReport,
  listInbox,
  listOutside,
} from './tasks-service';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };
const stepProblems = { ...problems, 409: Problem, 422: Problem };
const tags = ['admission'];

/** 事项准入: thin routes, schema in, service call, presenter out. Mounted under /api/v1/admission. */
export async function admissionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): AdmissionDeps => ({ db: app.database.db, clock: app.clock });

  // ---------- matching and the lists ----------

  app.post(
    '/admission/match',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: 'Match a task text against the three lists in force: best matches first, with scores',
        body: AdmissionMatchBody,
        response: { 200: AdmissionMatchResult, ...problems },
      },
    },
    async (req) => {
      const matches = await matchText(deps(), req.ctx, req.body.text, 5);
      return { matches, verdict: verdict(matches).kind, threshold: MATCH_THRESHOLD };
    },
  );

  app.get(
    '/admission/lists',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'The three lists in force (依法自治 / 依法协助政府 / 负面事项): public',
        response: { 200: AdmissionCurrentLists, ...problems },
      },
    },
    async (req) => currentLists(deps(), req.ctx),
  );

  app.get(
    '/admission/list-versions',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: 'Every version of the lists, newest first (the draft only for list editors)',
        response: { 200: AdmissionListVersionPage, ...problems },
      },
    },
    async (req) => listVersions(deps(), req.ctx),
  );

  app.get(
    '/admission/list-versions/compare',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: 'Two versions side by side: items added, removed and changed (by code)',
        querystring: AdmissionCompareQuery,
        response: { 200: AdmissionVersionDiff, ...problems },
      },
    },
    async (req) => compareVersions(deps(), req.ctx, req.query.from, req.query.to),
  );

  app.get(
    '/admission/list-versions/draft',
    {
      config: { permission: 'admission.lists' },
      schema: {
        tags,
        summary: 'The draft of the next version (404 when there is none)',
        response: { 200: AdmissionListVersion, ...problems },
      },
    },
    async (req) => getDraft(deps(), req.ctx),
  );

  app.post(
    '/admission/list-versions/draft',
    {
      config: { permission: 'admission.lists' },
      schema: {
        tags,
        summary: 'Start a draft from the lists in force (409 when one exists: one draft at a time)',
        response: { 201: AdmissionListVersion, ...problems, 409: Problem },
      },
    },
    async (req, reply) => reply.code(201).send(await createDraft(deps(), req.ctx)),
  );

  app.put(
    '/admission/list-versions/draft',
    {
      config: { permission: 'admission.lists' },
      schema: {
        tags,
        summary:
          "Save the draft's items, effective date and change note (duplicate codes are reported, not refused)",
        body: AdmissionDraftSave,
        response: { 200: AdmissionListVersion, ...problems },
      },
    },
    async (req) => saveDraft(deps(), req.ctx, req.body),
  );

  app.post(
    '/admission/list-versions/draft/publish',
    {
      config: { permission: 'admission.lists' },
      schema: {
        tags,
        summary: 'Publish the draft with an effective date and change note (422 naming duplicate item codes)',
        body: AdmissionPublish,
        response: { 200: AdmissionListVersion, ...stepProblems },
      },
    },
    async (req) => publishDraft(deps(), req.ctx, req.body),
  );

  app.post(
    '/admission/list-versions/draft/discard',
    {
      config: { permission: 'admission.lists' },
      schema: { tags, summary: 'Throw the draft away', response: { 200: Ok, ...problems } },
    },
    async (req) => {
      await discardDraft(deps(), req.ctx);
      return { ok: true as const };
    },
  );

  app.get(
    '/admission/list-versions/:version',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: 'One version with its items',
        params: AdmissionVersionParams,
        response: { 200: AdmissionListVersion, ...problems },
      },
    },
    async (req) => getVersion(deps(), req.ctx, req.params.version),
  );

  app.get(
    '/admission/certificates',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'Can my community issue this certificate? Yes and how, or no and who issues it instead',
        querystring: CertificateQuery,
        response: { 200: CertificateAnswer, ...problems },
      },
    },
    async (req) => askCertificate(deps(), req.ctx, req.query.q),
  );

  // ---------- requests ----------

  app.post(
    '/admission/requests',
    {
      config: { permission: 'admission.request' },
      schema: {
        tags,
        summary:
          'File an admission request: matched and routed at once (refused citing a negative item, refused for ' +
          'inspecting or rating communities, fast-tracked, or full review with a 15-working-day deadline)',
        body: AdmissionRequestCreate,
        response: { 201: AdmissionRequest, ...problems, 422: Problem },
      },
    },
    async (req, reply) => {
      const id = await fileRequest(deps(), req.ctx, req.body);
      return reply.code(201).send(presentRequest(await getRequest(deps(), req.ctx, id)));
    },
  );

  app.get(
    '/admission/requests',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary:
          "Requests I may see: my department's, the admission office's district (queue=review: open ones, " +
          'deadline first), or those targeting my community (queue=comment)',
        querystring: AdmissionRequestQuery,
        response: { 200: AdmissionRequestPage, ...problems },
      },
    },
    async (req) => {
      const page = await listRequests(deps(), req.ctx, req.query);
      return { items: page.items.map(presentRequestSummary), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/admission/requests/:id',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: 'One request with matches, comments, history, tasks and abilities',
        params: IdParams,
        response: { 200: AdmissionRequest, ...problems },
      },
    },
    async (req) => presentRequest(await getRequest(deps(), req.ctx, req.params.id)),
  );

  app.post(
    '/admission/requests/:id/appeal',
    {
      config: { permission: 'admission.request' },
      schema: {
        tags,
        summary: 'Appeal a refusal under a negative item with a justification: goes to full review',
        params: IdParams,
        body: AdmissionAppealBody,
        response: { 200: AdmissionRequest, ...stepProblems },
      },
    },
    async (req) =>
      presentRequest(
        await applyRequestStep(deps(), req.ctx, req.params.id, {
          step: 'appeal',
          justification: req.body.justification,
        }),
      ),
  );

  app.post(
    '/admission/requests/:id/comments',
    {
      config: { permission: 'admission.comment' },
      schema: {
        tags,
        summary: 'A secretary of a target community comments on a request under review',
        params: IdParams,
        body: AdmissionCommentBody,
        response: { 201: AdmissionRequest, ...stepProblems },
      },
    },
    async (req, reply) =>
      reply.code(201).send(presentRequest(await commentOnRequest(deps(), req.ctx, req.params.id, req.body))),
  );

  app.post(
    '/admission/requests/:id/decide',
    {
      config: { permission: 'admission.review' },
      schema: {
        tags,
        summary:
          'Decide: approve, approve with conditions, or reject with reasons (409 when already decided). ' +
          "Approval puts one task into each target community's inbox.",
        params: IdParams,
        body: AdmissionDecideBody,
        response: { 200: AdmissionRequest, ...stepProblems },
      },
    },
    async (req) => {
      const { decision, ...rest } = req.body;
      return presentRequest(
        await applyRequestStep(deps(), req.ctx, req.params.id, { step: decision, ...rest }),
      );
    },
  );

  app.post(
    '/admission/requests/:id/withdraw',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary:
          'Withdraw (退出) an approved admission: the admission office or the filing department; open tasks end',
        params: IdParams,
        body: AdmissionWithdrawBody,
        response: { 200: AdmissionRequest, ...stepProblems },
      },
    },
    async (req) =>
      presentRequest(
        await applyRequestStep(deps(), req.ctx, req.params.id, { step: 'withdraw', reason: req.body.reason }),
      ),
  );

  // ---------- community task inbox ----------

  app.get(
    '/admission/tasks',
    {
      config: { permission: 'admission.inbox' },
      schema: {
        tags,
        summary: "My communities' task inbox, newest first",
        querystring: AdmissionTaskQuery,
        response: { 200: AdmissionTaskPage, ...problems },
      },
    },
    async (req) => {
      const page = await listInbox(deps(), req.ctx, req.query);
      return { items: page.items.map(presentTask), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/admission/tasks/:id',
    {
      config: { permission: 'admission.inbox' },
      schema: {
        tags,
        summary: "One task of my community (another community's task: 404)",
        params: IdParams,
        response: { 200: AdmissionTask, ...problems },
      },
    },
    async (req) => presentTask(await getTask(deps(), req.ctx, req.params.id)),
  );

  app.post(
    '/admission/tasks/:id/acknowledge',
    {
      config: { permission: 'admission.inbox' },
      schema: {
        tags,
        summary: 'Acknowledge (签收) a task',
        params: IdParams,
        body: AdmissionNoteBody,
        response: { 200: AdmissionTask, ...stepProblems },
      },
    },
    async (req) =>
      presentTask(
        await applyTaskStep(deps(), req.ctx, req.params.id, { step: 'acknowledge', note: req.body.note }),
      ),
  );

  app.post(
    '/admission/tasks/:id/progress',
    {
      config: { permission: 'admission.inbox' },
      schema: {
        tags,
        summary: 'Report progress on an acknowledged task',
        params: IdParams,
        body: AdmissionProgressBody,
        response: { 200: AdmissionTask, ...stepProblems },
      },
    },
    async (req) =>
      presentTask(await applyTaskStep(deps(), req.ctx, req.params.id, { step: 'progress', ...req.body })),
  );

  app.post(
    '/admission/tasks/:id/complete',
    {
      config: { permission: 'admission.inbox' },
      schema: {
        tags,
        summary: 'Complete a task with evidence',
        params: IdParams,
        body: AdmissionCompleteBody,
        response: { 200: AdmissionTask, ...stepProblems },
      },
    },
    async (req) =>
      presentTask(
        await applyTaskStep(deps(), req.ctx, req.params.id, {
          step: 'complete',
          evidence: req.body.evidence,
        }),
      ),
  );

  // ---------- outside-the-system reports ----------

  app.post(
    '/admission/outside-reports',
    {
      config: { permission: 'admission.inbox' },
      schema: {
        tags,
        summary:
          'Record work a department pushed down outside the system (体制外派活): which department, what, when',
        body: OutsideReportCreate,
        response: { 201: OutsideReport, ...problems, 422: Problem },
      },
    },
    async (req, reply) =>
      reply.code(201).send(presentOutsideReport(await fileOutsideReport(deps(), req.ctx, req.body))),
  );

  app.get(
    '/admission/outside-reports',
    {
      config: { permission: 'staff' },
      schema: {
        tags,
        summary: "The oversight queue (admission.oversight), or my communities' own reports",
        querystring: OutsideReportQuery,
        response: { 200: OutsideReportPage, ...problems },
      },
    },
    async (req) => {
      const page = await listOutside(deps(), req.ctx, req.query);
      return { items: page.items.map(presentOutsideReport), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/admission/outside-reports/:id/handle',
    {
      config: { permission: 'admission.oversight' },
      schema: {
        tags,
        summary: 'Mark an outside report handled, with what was done',
        params: IdParams,
        body: OutsideReportHandleBody,
        response: { 200: OutsideReport, ...stepProblems },
      },
    },
    async (req) =>
      presentOutsideReport(await handleOutsideReport(deps(), req.ctx, req.params.id, req.body.note)),
  );

  // ---------- burden index ----------

  app.get(
    '/admission/burden',
    {
      config: { permission: 'admission.burden' },
      schema: {
        tags,
        summary:
          'The burden index: per community per month tasks, forms and ledgers, meetings, inspections, ' +
          'estimated hours and outside reports; by month and by department',
        querystring: BurdenQuery,
        response: { 200: BurdenIndex, ...problems },
      },
    },
    async (req) => burdenIndex(deps(), req.ctx, req.query),
  );

  app.get(
    '/admission/burden/export.xlsx',
    {
      config: { permission: 'admission.burden' },
      schema: {
        tags,
        summary: 'The monthly burden report as .xlsx (per community, then by department)',
        querystring: BurdenExportQuery,
        produces: [XLSX_TYPE],
        response: { 200: Type.Unsafe<unknown>({ type: 'string', format: 'binary' }), ...problems },
      },
    },
    async (req, reply) => {
      const { stream, rows } = await exportBurden(deps(), req.ctx, req.query);
      return reply
        .type(XLSX_TYPE)
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `attachment; filename="burden-${req.query.month}.xlsx"`)
        .header('x-export-rows', String(rows))
        .send(stream);
    },
  );
}
