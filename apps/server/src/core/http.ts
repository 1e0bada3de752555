import type { Permission } from '@linli/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { CSRF_COOKIE, resolveSession, SESSION_COOKIE, type SessionStage } from './auth/sessions';
import { ANONYMOUS, type RequestContext } from './context';
import type { Database } from './db/client';
import { AppError } from './errors';
import { requirePermission } from './permissions';
import { securityHeaderWriter } from './security-headers';

/**
 * What a route needs before its handler runs:
 * - `public`: anyone, signed in or not;
 * - `signed-in`: any signed-in account (resident or staff);
 * - `resident` / `staff`: a signed-in account of that kind;
 * - a permission code: a staff account holding it somewhere (the service then checks the scope).
 */
export type RoutePermission = 'public' | 'signed-in' | 'resident' | 'staff' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RoutePermission;
    /** Routes a half-finished staff sign-in (waiting for TOTP) may call. */
    allowStages?: SessionStage[];
    /**
     * Routes a resident may call before agreeing to the privacy notice in force (who am I, the
     * notice and the consent, and the PIPL rights: download and close). Every other signed-in
     * route answers 403 `consent-required` until they agree.
     */
    withoutConsent?: boolean;
  }
  interface FastifyInstance {
    /** Every API route as registered: the OpenAPI completeness test walks it. */
    apiRoutes: { method: string; url: string; hasResponseSchema: boolean; permission: string }[];
  }
  interface FastifyRequest {
    ctx: RequestContext;
    sessionStage: SessionStage | null;
    sessionExpired: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `scheme://host[:port]` of a URL, default ports dropped; null when it is not an http(s) URL. */
function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The origin this server answers at: PUBLIC_ORIGIN when configured, else the request's own scheme
 * and Host (Fastify reads X-Forwarded-Proto and -Host only when TRUST_PROXY is on).
 */
export function ownOrigin(req: FastifyRequest, config: Pick<Config, 'publicOrigin'>): string | null {
  if (config.publicOrigin) return config.publicOrigin;
  return req.host ? originOf(`${req.protocol}://${req.host}`) : null;
}

/**
 * Where a browser says the request came from: its `Origin`, else its `Referer`. `undefined` when
 * neither is sent (a non-browser client); null for an opaque origin (`Origin: null`) or garbage.
 */
function sourceOrigin(req: FastifyRequest): string | null | undefined {
  const origin = req.headers.origin;
  if (typeof origin === 'string') return originOf(origin);
  const referer = req.headers.referer;
  if (typeof referer === 'string') return originOf(referer);
  return undefined;
}

/**
 * True when a state-changing request names an origin that is not ours: scheme, host and port
 * are compared, so `https://` against an `http://` server, another port, or a forged forwarded
 * host all count as foreign. Refused on every API write, signed in or not (login CSRF).
 */
export function foreignOrigin(req: FastifyRequest, config: Pick<Config, 'publicOrigin'>): boolean {
  const source = sourceOrigin(req);
  return source !== undefined && source !== ownOrigin(req, config);
}

/**
 * True when a cookie-borne write proves it came from our own pages: its Origin (or Referer) is
 * ours, or it carries the CSRF double-submit header equal to the readable `linli_csrf` cookie.
 */
export function csrfOk(req: FastifyRequest, config: Pick<Config, 'publicOrigin'>): boolean {
  const source = sourceOrigin(req);
  if (source !== undefined) return source === ownOrigin(req, config);
  const header = req.headers['x-csrf-token'];
  const cookie = req.cookies[CSRF_COOKIE];
  return typeof header === 'string' && !!cookie && header === cookie;
}

/**
 * Session → actor, CSRF, and the route's declared permission, for every request under /api and
 * /open311. A route that declares no permission makes the server refuse to start.
 */
export function registerRequestPipeline(app: FastifyInstance, config: Config, database: Database) {
  app.decorateRequest('ctx', null as unknown as RequestContext);
  app.decorateRequest('sessionStage', null);
  app.decorateRequest('sessionExpired', false);

  app.decorate('apiRoutes', []);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1') && !route.url.startsWith('/open311')) return;
    if (!route.config?.permission) {
      throw new Error(`Route ${route.method} ${route.url} declares no permission (config.permission)`);
    }
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      app.apiRoutes.push({
        method,
        url: route.url,
        hasResponseSchema: !!route.schema?.response,
        permission: route.config.permission,
      });
    }
  });

  const writeSecurityHeaders = securityHeaderWriter({
    hsts: config.env === 'production',
    imgOrigins: config.mapTiles?.origins,
  });
  // Callback-style hooks: these run on every request, and an async hook costs a promise each.
  app.addHook('onRequest', (req, reply, done) => {
    writeSecurityHeaders(req.url, reply);
    reply.header('x-request-id', req.id);
    const ua = req.headers['user-agent'];
    req.ctx = {
      actor: ANONYMOUS,
      requestId: req.id,
      ip: req.ip ?? null,
      userAgent: typeof ua === 'string' ? ua.slice(0, 400) : null,
    };
    done();
  });

  app.addHook('preHandler', (req, _reply, done) => {
    const declared = req.routeOptions.config?.permission;
    // A browser write from another origin is refused before anything else, with or without a
    // session: that covers sign-in and the one-time code routes (login CSRF) too. Open311 is
    // excepted: partners call it with an API key, never a cookie, from their own origins.
    if (
      declared &&
      !SAFE_METHODS.has(req.method) &&
      !req.url.startsWith('/open311/') &&
      foreignOrigin(req, config)
    ) {
      return done(AppError.forbidden('Cross-site request refused: it comes from another origin.', 'csrf'));
    }
    // A public route without a session cookie has nothing to resolve: stay synchronous.
    if (!declared || (declared === 'public' && !req.cookies[SESSION_COOKIE])) return done();
    authenticate(req, declared).then(() => done(), done);
  });

  async function authenticate(req: FastifyRequest, declared: RoutePermission) {
    const token = req.cookies[SESSION_COOKIE];
    if (token) {
      // Only requests that ride on the session cookie can be forged cross-site.
      if (!SAFE_METHODS.has(req.method) && !csrfOk(req, config)) {
        throw AppError.forbidden('Cross-site request refused: missing or wrong CSRF token.', 'csrf');
      }
      const resolved = await resolveSession(database.db, config, token, app.clock.now());
      if (resolved && 'actor' in resolved) {
        const allowed = req.routeOptions.config?.allowStages ?? ['full'];
        if (allowed.includes(resolved.stage)) {
          req.ctx.actor = resolved.actor;
          req.sessionStage = resolved.stage;
          if (resolved.consentPending && declared !== 'public' && !req.routeOptions.config?.withoutConsent)
            throw AppError.forbidden(
              'Read and agree to the privacy notice in force first (GET /me/privacy, POST /me/privacy/consent).',
              'consent-required',
            );
        }
      } else if (resolved?.expired) {
        req.sessionExpired = true;
      }
    }
    const actor = req.ctx.actor;
    if (declared === 'public') return;
    if (actor.kind === 'anonymous') {
      throw req.sessionExpired
        ? AppError.unauthenticated('Your session has expired; sign in again.', 'session-expired')
        : AppError.unauthenticated();
    }
    if (declared === 'signed-in') return;
    if (declared === 'resident' || declared === 'staff') {
      if (actor.kind !== declared) throw AppError.forbidden(`Only ${declared} accounts may do this.`);
      return;
    }
    requirePermission(actor, declared);
  }
}
