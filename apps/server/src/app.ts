import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config';
import type { Database } from './core/db/client';
import { lazySchemaController } from './core/schema-compilers';
import { answerClientError, answerFrameworkError, registerErrorHandling, sendProblem } from './core/errors';
import { registerInputGuard } from './core/input-guard';
import { registerRequestPipeline } from './core/http';
import { registerCookies } from './core/cookies';
import { uuidv7 } from './core/db/columns';
import { writesHappened } from './core/answer-cache';
import { ResponseCache } from './core/response-cache';
import { healthRoutes } from './core/health';
import { registerMetrics } from './core/metrics';
import { securityHeaderWriter } from './core/security-headers';
import { FREE_TEXT } from '@linli/contracts';
import { serializeError, serializeRequest } from './core/log-redact';
import { type OtpSender, createOtpSender } from './modules/identity/otp-sender';
import { registerUploads } from './core/files';
import { trackAllowedMethods } from './core/method-not-allowed';
import { type Clock, systemClock } from './core/clock';
import type { PersonalDataSource } from './core/personal-data';
import type { ModuleManifest } from './core/module';
import { orderModules } from './core/module-registry';
import { MODULES } from './modules';
import { SecretBox } from './core/secret-box';
import { jobCollectors } from './core/jobs/metrics';
import { JobRunner, pruneJobsDefinition } from './core/jobs/runner';
import { type WorkbenchBoard, workbenchBoard } from './core/workbench';
import { linkAuditDefinition } from './core/audit';
import {
  type AuditCatalogue,
  coreAuditDeclarations,
  enforceAuditCatalogue,
  mergeAuditCatalogue,
} from './core/audit-catalogue';

export interface AppDeps {
  config: Config;
  database: Database;
  /** Pluggable SMS sender for one-time codes; defaults from `config.smsSender`. */
  otpSender?: OtpSender;
  /** The time source for services and jobs; tests pass a FakeClock. */
  clock?: Clock;
  /** false for no logs, or pino options laid over the defaults (JSON logs at config.logLevel). */
  logger?: boolean | object;
  /** The key secrets at rest are sealed with (core/secret-box.ts `resolveSecretKey`); defaults to config.secretKey. */
  secretKey?: Buffer;
  /** The modules to mount (modules/index.ts); tests of the registry pass their own list. */
  modules?: readonly ModuleManifest[];
}

/**
 * What each module holds about a resident, for "download my data" and closing an account
 * (core/personal-data.ts): the `personalData` of each manifest, in start order.
 */
export const personalDataSources = (modules: readonly ModuleManifest[]): PersonalDataSource[] =>
  orderModules(modules).flatMap((m) => (m.personalData ? [m.personalData] : []));

/**
 * The audit catalogue (core/audit-catalogue.ts): core's declarations, then each manifest's, and
 * a field per notification event (a change of preferences names the event by its code), labelled
 * with the event's name.
 */
export function auditCatalogueOf(modules: readonly ModuleManifest[]): AuditCatalogue {
  const ordered = orderModules(modules);
  const eventFields = Object.fromEntries(
    ordered.flatMap((m) => (m.events ?? []).map((e) => [e.code, e.name] as const)),
  );
  return mergeAuditCatalogue([
    { owner: 'core', audit: coreAuditDeclarations },
    ...ordered.map((m) => ({ owner: m.name, audit: m.audit })),
    { owner: 'notification events', audit: { fields: eventFields } },
  ]);
}

export type App = FastifyInstance;

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    database: Database;
    otpSender: OtpSender;
    clock: Clock;
    /** Whole answers to anonymous GETs served before routing (core/response-cache.ts). */
    responseCache: ResponseCache;
    /** Seals secrets at rest (TOTP secrets) with LINLI_SECRET_KEY. */
    secrets: SecretBox;
    /** The modules' personal data sources (their manifests'; tests may add one). */
    personalData: PersonalDataSource[];
    /** Which module mounted each route (`METHOD /url`), and the permission the route names. */
    routeModules: Map<string, { module: string; permission: string | undefined }>;
    /** The job runner (core/jobs) with every manifest's jobs; tests drive it with `runDue()`. */
    jobs: JobRunner;
    /** The console's 工作台: every manifest's workbench cards, per caller (core/workbench.ts). */
    workbench: WorkbenchBoard;
    /** Every audit action, entity type and field with its labels (GET /audit/catalogue). */
    auditCatalogue: AuditCatalogue;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** The caller's X-Request-Id when it is a sane one (a proxy's), otherwise a new one. */
function requestId(req: http.IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : uuidv7();
}

/** The composition root: core plugins, then every module. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, database } = deps;
  // A missing dependency or a cycle stops the start with a message (ModuleGraphError).
  const modules = orderModules(deps.modules ?? MODULES);
  const responseCache = new ResponseCache(requestId);
  const writeSecurityHeaders = securityHeaderWriter({
    hsts: config.env === 'production',
    imgOrigins: config.mapTiles?.origins,
  });
  const app = Fastify({
    // Tests pass false, or options (a stream) laid over these.
    logger:
      deps.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]'],
            // Phones, ID numbers and password hashes masked in errors (SQL parameters) and URLs.
            serializers: { err: serializeError, req: serializeRequest },
            ...(typeof deps.logger === 'object' ? deps.logger : {}),
          },
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    genReqId: requestId,
    // Answers the response cache holds are sent before the framework sees the request.
    serverFactory: (handler) =>
      http.createServer((req, res) => {
        if (!responseCache.serve(req, res)) handler(req, res);
      }),
    // Validators and serializers compiled on a route's first use, shared between apps (decision 46).
    schemaController: lazySchemaController,
    ajv: {
      customOptions: {
        allErrors: true,
        coerceTypes: 'array',
        removeAdditional: false,
        keywords: [FREE_TEXT],
      },
    },
    // Every error is problem+json, including Fastify's before routing and node's HTTP parser's.
    frameworkErrors: (error, req, reply) => {
      writeSecurityHeaders(req.url, reply);
      return answerFrameworkError(error, req, reply);
    },
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  app.decorate('responseCache', responseCache);
  app.decorate('database', database);
  app.decorate('otpSender', deps.otpSender ?? createOtpSender(config, app.log));
  app.decorate('clock', deps.clock ?? systemClock);
  const secretKey = deps.secretKey ?? config.secretKey;
  if (!secretKey)
    throw new Error('buildApp needs a secret key: LINLI_SECRET_KEY, or resolveSecretKey(config)');
  app.decorate('secrets', new SecretBox(secretKey));
  app.decorate('personalData', personalDataSources(modules));
  const auditCatalogue = auditCatalogueOf(modules);
  app.decorate('auditCatalogue', auditCatalogue);
  // Under test an undeclared audit action fails the module's tests; production never refuses a write.
  if (config.env === 'test') enforceAuditCatalogue(auditCatalogue);
  app.decorate('routeModules', new Map());
  const jobs = new JobRunner({
    database,
    definitions: [pruneJobsDefinition, linkAuditDefinition, ...modules.flatMap((m) => m.jobs ?? [])],
    config,
    clock: app.clock,
    log: app.log,
  });
  app.decorate('jobs', jobs);
  app.decorate('workbench', workbenchBoard(modules, { db: () => database.db, clock: app.clock }));
  // Jobs run in every server process (JOBS_WORKER); tests drive the runner themselves.
  if (config.jobsWorker && config.env !== 'test') app.addHook('onReady', () => jobs.start());
  // Closing waits for running handlers (bounded), before main.ts closes the database.
  app.addHook('onClose', () => jobs.stop());

  registerErrorHandling(app);
  registerInputGuard(app);
  // Graceful shutdown: once close() starts, answers carry `Connection: close`, so keep-alive
  // connections with a request in flight end after it instead of holding close() open.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    responseCache.disable();
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    // A write (any method but GET and HEAD) has run its handler, and with it its transaction:
    // answers kept from before it are dropped (core/answer-cache.ts).
    if (req.method === 'GET' || req.method === 'HEAD') return done(null, payload);
    writesHappened();
    // Acknowledge a write only once its commit is on stable storage (embedded database: the WAL
    // is synced here, grouped with every other commit before it; decision 20).
    database.durable().then(
      () => done(null, payload),
      (err: Error) => {
        req.log.fatal({ err }, 'could not sync the database to disk');
        done(err);
      },
    );
  });
  registerCookies(app);
  await app.register(rateLimit, { global: false });
  // Uploads (core/files.ts): the multipart parser's outer bounds, and temp files cleaned up.
  await registerUploads(app, config);
  registerRequestPipeline(app, config, database);
  registerMetrics(app, config.metricsToken, database);
  for (const collector of jobCollectors(jobs, database.db)) app.metrics.registerCollector(collector);
  for (const m of modules)
    for (const collector of m.metrics?.(database.db) ?? []) app.metrics.registerCollector(collector);
  const allowedMethods = trackAllowedMethods(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Linli (邻里+) API',
        version: '1',
        description:
          'Urban community governance platform. Errors are RFC 9457 application/problem+json. ' +
          'Each operation names its required permission in `x-permission`.',
      },
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'linli_session' } },
      },
    },
    transform: ({ schema, url, route }) => {
      const permission = (route as { config?: { permission?: string } }).config?.permission;
      const out = { ...(schema as Record<string, unknown>) } as Record<string, unknown>;
      // A form the route reads itself (multipart, urlencoded) is its documented request body.
      if (out.form) {
        out.body = out.form;
        delete out.form;
      }
      if (permission) out['x-permission'] = permission;
      if (permission && permission !== 'public') out.security = [{ session: [] }];
      return { schema: out, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes);
  for (const m of modules) {
    // Each module's routes in a scope of their own, which records the module of every route.
    await app.register(async (scope) => {
      scope.addHook('onRoute', (route) => {
        const permission = (route.config as { permission?: string } | undefined)?.permission;
        for (const method of [route.method].flat())
          app.routeModules.set(`${method} ${route.url}`, { module: m.name, permission });
      });
      for (const r of m.routes) await scope.register(r.plugin, { prefix: r.prefix });
    });
  }

  const mounts = config.serveWeb ? registerWebApps(app, config) : [];
  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0] ?? '/';
    // Client-side routes get the app's index.html; a missing file (an asset, a favicon) is a real 404.
    const looksLikeFile = /\.[a-z0-9]{1,8}$/i.test(url);
    const page =
      req.method === 'GET' && !looksLikeFile && !url.startsWith('/api') && !url.startsWith('/open311');
    const mount = page ? mounts.find((m) => m.prefix === '/' || `${url}/`.startsWith(m.prefix)) : undefined;
    if (mount) {
      if (mount.prefix !== '/' && `${url}/` === mount.prefix) return reply.redirect(mount.prefix);
      // A client-side route of a single-page app: answer with its index.html.
      reply.header('cache-control', 'no-cache');
      return reply
        .type('text/html; charset=utf-8')
        .send(fs.createReadStream(path.join(mount.root, 'index.html')));
    }
    const allowed = allowedMethods(req.method, url);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(req, reply, 405, 'method-not-allowed', `${url} does not answer ${req.method}.`);
    }
    return sendProblem(req, reply, 404, 'route-not-found', `No route ${req.method} ${url}.`);
  });
  return app;
}

/** Serves the built apps: resident at `/`, console at `/console/`, each with SPA fallback. */
function registerWebApps(app: FastifyInstance, config: Config): { prefix: string; root: string }[] {
  const resident = path.join(config.webRoot, 'resident/dist');
  const consoleDir = path.join(config.webRoot, 'console/dist');
  const mounts: { prefix: string; root: string }[] = [];
  if (fs.existsSync(path.join(consoleDir, 'index.html')))
    mounts.push({ prefix: '/console/', root: consoleDir });
  if (fs.existsSync(path.join(resident, 'index.html'))) mounts.push({ prefix: '/', root: resident });
  mounts.forEach((m, i) => {
    app.register(fastifyStatic, {
      root: m.root,
      prefix: m.prefix,
      decorateReply: i === 0,
      // Files are looked up per request, so a rebuilt app is served without a restart.
      wildcard: true,
      index: ['index.html'],
      maxAge: '1h',
      // The build writes `.br` and `.gz` beside each text file (vite-plugin-compression2): a browser
      // that accepts them gets those bytes, nothing is compressed per request.
      preCompressed: true,
      setHeaders(res, sent) {
        // With preCompressed, `sent` is the file actually sent (`index.html.br`): judge the original.
        const file = sent.replace(/\.(br|gz)$/, '');
        // @fastify/static 10 passes the Fastify reply here (older versions passed the raw response).
        const r = res as unknown as {
          header?(name: string, value: string): void;
          setHeader?(name: string, value: string): void;
        };
        const set = (name: string, value: string) =>
          typeof r.header === 'function' ? r.header(name, value) : r.setHeader?.(name, value);
        if (file.includes(`${path.sep}assets${path.sep}`))
          set('cache-control', 'public, max-age=31536000, immutable');
        else if (file.endsWith('.html')) set('cache-control', 'no-cache');
      },
    });
  });
  return mounts;
}
