import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  Open311RequestForm,
  IdParams,
  Open311Errors,
  Open311Key,
  Open311KeyCreate,
  Open311KeyIssued,
  Open311KeyList,
  Open311RequestCreated,
  Open311RequestInfo,
  Open311RequestUpdates,
  Open311ServiceDefinition,
  Open311ServiceList,
  Open311ServiceRequests,
  Open311Token,
  Problem,
} from '@linli/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  CONTENT_TYPES,
  createdDocument,
  type Document,
  discoveryDocument,
  errorsDocument,
  type Format,
  FORMATS,
  requestsDocument,
  serialise,
  serialiseDiscovery,
  serviceDefinitionDocument,
  servicesDocument,
  tokenDocument,
  updatesDocument,
} from './presenters';
import {
  asOpen311,
  createRequest,
  findRequest,
  findRequests,
  findService,
  findToken,
  findUpdates,
  getRequestInfo,
  issueOpen311Key,
  listOpen311Keys,
  listServices,
  type Open311Deps,
  Open311Failure,
  type Open311Form,
  revokeOpen311Key,
} from './service';

const tags = ['open311'];
/** Routes declare 'public': the spec's GETs need no key, and POST requests checks its api_key itself. */
const config = { permission: 'public' as const };
const FormatParams = Type.Object({ format: Type.String({ description: 'xml or json' }) });
const errors = { 400: Open311Errors, 403: Open311Errors, 404: Open311Errors };
const Q = Type.Optional(Type.String());
const Jurisdiction = { jurisdiction_id: Q };

/** The format of a request: `.json` → JSON, everything else (the required format) XML. */
const formatOfUrl = (url: string): Format => (/\.json$/i.test(url.split('?')[0] ?? '') ? 'json' : 'xml');

function formatOf(raw: string): Format {
  const f = raw.toLowerCase();
  if ((FORMATS as string[]).includes(f)) return f as Format;
  throw new Open311Failure(404, [
    { code: 404, description: `Format ${raw} is not supported: use .xml or .json.` },
  ]);
}

function send(reply: FastifyReply, doc: Document, format: Format, status = 200) {
  return reply.code(status).type(CONTENT_TYPES[format]).send(serialise(doc, format));
}

const baseUrlOf = (req: FastifyRequest) => `${req.protocol}://${req.host}`;

/** A form or JSON body as fields (first value wins) and `attribute[code]` / `attribute[code][]`. */
export function formOf(body: unknown): Open311Form {
  const form: Open311Form = { fields: {}, attributes: {} };
  if (!body || typeof body !== 'object') return form;
  for (const [key, raw] of Object.entries(body as Record<string, unknown>)) {
    const values = (Array.isArray(raw) ? raw : [raw])
      .filter((v) => v !== null && v !== undefined)
      .map(String);
    const attribute = /^attribute\[([^\]]+)\](\[\])?$/.exec(key);
    if (attribute) {
      const code = attribute[1]!;
      const prev = form.attributes[code];
      if (attribute[2])
        form.attributes[code] = [...(Array.isArray(prev) ? prev : prev ? [prev] : []), ...values];
      else if (prev === undefined && values[0] !== undefined) form.attributes[code] = values[0];
    } else if (values[0] !== undefined && form.fields[key] === undefined) {
      form.fields[key] = values[0];
    }
  }
  return form;
}

/** `application/x-www-form-urlencoded`, as the spec sends POST requests (no @fastify/formbody here). */
export function parseUrlEncoded(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    if (prev === undefined) out[k] = k.endsWith('[]') ? [v] : v;
    else if (Array.isArray(prev)) prev.push(v);
  }
  return out;
}

/**
 * Open311 GeoReport v2 (mounted at /open311/v2): every answer, errors included, in the spec's
 * own format; XML unless the URL ends in `.json`.
 */
export async function open311Routes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): Open311Deps => ({ db: app.database.db, clock: app.clock, dataDir: app.config.dataDir });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseUrlEncoded(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.setErrorHandler((error: FastifyError, req, reply) => {
    const format = formatOfUrl(req.url);
    let failure: Open311Failure;
    const mapped = asOpen311(error);
    if (mapped instanceof Open311Failure) failure = mapped;
    else if (error.validation) {
      failure = new Open311Failure(
        400,
        error.validation.map((v) => ({
          code: 400,
          description: `${error.validationContext ?? 'request'}${(v as { instancePath?: string }).instancePath ?? ''} ${v.message ?? 'is invalid'}.`,
        })),
      );
    } else if ((error.statusCode ?? 500) < 500) {
      const status =
        error.statusCode === 404 || error.statusCode === 403 || error.statusCode === 429
          ? error.statusCode
          : 400;
      failure = new Open311Failure(status, [
        { code: status, description: error.message.replace(/\n[\s\S]*/, '') },
      ]);
    } else {
      req.log.error({ err: error }, 'open311: unhandled error');
      failure = new Open311Failure(500, [
        { code: 500, description: 'Something went wrong on our side. It has been logged.' },
      ]);
    }
    return send(reply, errorsDocument(failure.errors), format, failure.status);
  });

  app.setNotFoundHandler((req, reply) =>
    send(
      reply,
      errorsDocument([
        { code: 404, description: `The URL request is invalid: no ${req.method} ${req.url.split('?')[0]}.` },
      ]),
      formatOfUrl(req.url),
      404,
    ),
  );

  app.get(
    '/discovery.:format',
    {
      config,
      schema: {
        tags,
        summary: 'Service discovery (http://wiki.open311.org/Service_Discovery)',
        params: FormatParams,
        response: { 200: Type.Object({}, { additionalProperties: true }), 404: Open311Errors },
      },
    },
    async (req, reply) => {
      const format = formatOf(req.params.format);
      const base = `${baseUrlOf(req)}/open311/v2`;
      return (reply as FastifyReply)
        .type(CONTENT_TYPES[format])
        .send(serialiseDiscovery(discoveryDocument(base, '2026-11-27T00:00:00+08:00'), format));
    },
  );

  app.get(
    '/services.:format',
    {
      config,
      schema: {
        tags,
        summary: 'GET Service List: every enabled sub-category (service_code = category code)',
        params: FormatParams,
        querystring: Type.Object(Jurisdiction),
        response: { 200: Open311ServiceList, ...errors },
      },
    },
    async (req, reply) => {
      const format = formatOf(req.params.format);
      return send(reply, servicesDocument(await listServices(deps())), format);
    },
  );

  app.get(
    '/services/:service_code.:format',
    {
      config,
      schema: {
        tags,
        summary: 'GET Service Definition (no category asks for attributes: metadata is false)',
        params: Type.Object({ service_code: Type.String(), format: Type.String() }),
        querystring: Type.Object(Jurisdiction),
        response: { 200: Open311ServiceDefinition, ...errors },
      },
    },
    async (req, reply) => {
      const format = formatOf(req.params.format);
      const service = await findService(deps(), req.params.service_code);
      return send(reply, serviceDefinitionDocument(service.code), format);
    },
  );

  app.post(
    '/requests.:format',
    {
      config: {
        ...config,
        // Per partner key (after the form is parsed), else per address: one app's burst cannot
        // flood the squads' queues. 429 in the Open311 error format, with Retry-After.
        rateLimit: {
          hook: 'preHandler',
          max: app.config.open311PostsPerKeyPerMinute,
          timeWindow: '1 minute',
          keyGenerator: (req) => {
            const key = (req.body as { api_key?: unknown } | undefined)?.api_key;
            return typeof key === 'string' && key.trim()
              ? `open311-key:${key.trim()}`
              : `open311-ip:${req.ip}`;
          },
        },
      },
      schema: {
        tags,
        summary:
          'POST Service Request (application/x-www-form-urlencoded): api_key, service_code, lat & long or ' +
          'address_string or address_id, email, device_id, account_id, first_name, last_name, phone, ' +
          'description, media_url, attribute[code]. Creates a case with source open311.',
        consumes: ['application/x-www-form-urlencoded'],
        form: Open311RequestForm,
        params: FormatParams,
        response: { 200: Open311RequestCreated, ...errors },
      },
    },
    async (req, reply) => {
      const format = formatOf(req.params.format);
      const created = await createRequest(deps(), req.ctx, formOf(req.body));
      return send(
        reply,
        createdDocument({
          serviceRequestId: created.batch ? null : created.serviceRequestId,
          token: created.batch ? created.token : null,
          notice: created.notice,
          accountId: created.accountId,
        }),
        format,
      );
    },
  );

  app.get(
    '/requests.:format',
    {
      config,
      schema: {
        tags,
        summary:
          'GET Service Requests: service_request_id (comma list; overrides the rest), service_code and status ' +
          '(comma lists), start_date/end_date (at most 90 days; the most recent 90 by default); at most 1000, newest first',
        params: FormatParams,
        querystring: Type.Object({
          ...Jurisdiction,
          service_request_id: Q,
          service_code: Q,
          start_date: Q,
          end_date: Q,
          status: Q,
        }),
        response: { 200: Open311ServiceRequests, ...errors },
      },
    },
    async (req, reply) => {
      const format = formatOf(req.params.format);
      return send(reply, requestsDocument(await findRequests(deps(), req.query)), format);
    },
  );

  app.get(
    '/requests/:service_request_id.:format',
    {
      config,
      schema: {
        tags,
        summary: 'GET Service Request (service_request_id = the case number, e.g. 510604-20261127-0001)',
        params: Type.Object({ service_request_id: Type.String(), format: Type.String() }),
        querystring: Type.Object(Jurisdiction),
        response: { 200: Open311ServiceRequests, ...errors },
      },
    },
    async (req, reply) => {
      const format = formatOf(req.params.format);
      return send(
        reply,
        requestsDocument([await findRequest(deps(), req.params.service_request_id)]),
        format,
      );
    },
  );

  app.get(
    '/tokens/:token.:format',
    {
      config,
      schema: {
        tags,
        summary: 'GET service_request_id from a token',
        params: Type.Object({ token: Type.String(), format: Type.String() }),
        querystring: Type.Object(Jurisdiction),
        response: { 200: Open311Token, ...errors },
      },
    },
    async (req, reply) => {
      const format = formatOf(req.params.format);
      const t = await findToken(deps(), req.params.token);
      return send(reply, tokenDocument(t.serviceRequestId, t.token), format);
    },
  );

  app.get(
    '/servicerequestupdates.:format',
    {
      config,
      schema: {
        tags,
        summary:
          "mySociety's GET Service Request Updates: the public steps of the cases, oldest first, " +
          'start_date/end_date as GET requests; at most 1000',
        params: FormatParams,
        querystring: Type.Object({ ...Jurisdiction, api_key: Q, start_date: Q, end_date: Q }),
        response: { 200: Open311RequestUpdates, ...errors },
      },
    },
    async (req, reply) => {
      const format = formatOf(req.params.format);
      return send(reply, updatesDocument(await findUpdates(deps(), req.query, baseUrlOf(req))), format);
    },
  );
}

const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/** The admin side under /api/v1: partner apps' keys, and what staff see of a partner's request. */
export async function open311AdminRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): Open311Deps => ({ db: app.database.db, clock: app.clock, dataDir: app.config.dataDir });
  const adminTags = ['open311'];

  app.get(
    '/open311-keys',
    {
      config: { permission: 'open311.manage' },
      schema: {
        tags: adminTags,
        summary: "Partner apps' Open311 API keys (never the keys themselves)",
        response: { 200: Open311KeyList, ...problems },
      },
    },
    async (req) => ({ items: await listOpen311Keys(deps(), req.ctx) }),
  );

  app.post(
    '/open311-keys',
    {
      config: { permission: 'open311.manage' },
      schema: {
        tags: adminTags,
        summary: 'Issue a key to a partner app: the plain key is in this answer only',
        body: Open311KeyCreate,
        response: { 201: Open311KeyIssued, ...problems },
      },
    },
    async (req, reply) => reply.code(201).send(await issueOpen311Key(deps(), req.ctx, req.body)),
  );

  app.post(
    '/open311-keys/:id/revoke',
    {
      config: { permission: 'open311.manage' },
      schema: {
        tags: adminTags,
        summary: "Revoke a partner app's key: its next POST requests is refused with 403",
        params: IdParams,
        response: { 200: Open311Key, ...problems, 409: Problem },
      },
    },
    async (req) => revokeOpen311Key(deps(), req.ctx, req.params.id),
  );

  app.get(
    '/open311-requests/:id',
    {
      config: { permission: 'staff' },
      schema: {
        tags: adminTags,
        summary:
          "A case filed through Open311 (id = the case's id): the partner app and the submitter's contact, " +
          'masked unless pii.read',
        params: IdParams,
        response: { 200: Open311RequestInfo, ...problems },
      },
    },
    async (req) => getRequestInfo(deps(), req.ctx, req.params.id),
  );
}
