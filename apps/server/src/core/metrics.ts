import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Database } from './db/client';
import { sessionCacheStats } from './auth/session-cache';
import { sendProblem } from './errors';

/**
 * `GET /metrics` in the Prometheus text format (prom-client), for the operator's Prometheus:
 * requests and latency by route pattern, cache hit rates, database connections in use, the
 * process (CPU, memory, event-loop delay, GC), and whatever collectors other parts register
 * (the job runner's queue depth and failures: `registerCollector`).
 *
 * Off unless `METRICS_TOKEN` is configured: then nothing is measured (no hook runs on requests) and
 * `/metrics` answers 404. With a token, the scraper sends `Authorization: Bearer <token>`; anything
 * else is a 401 problem (decision in docs/decisions.md). The route is hidden from the OpenAPI
 * document: it is an operator's endpoint outside `/api`, like `/healthz`.
 */

/** One value of a collector's metric family. */
export interface MetricSample {
  labels?: Record<string, string>;
  value: number;
}

/**
 * A metric family whose values are read when Prometheus scrapes (from the database, a queue, an
 * in-memory counter): the job runner's queue depth per state, its failures.
 */
export interface MetricCollector {
  /** `linli_…`, snake_case; counters end in `_total`. */
  name: string;
  help: string;
  /** `gauge`: a level now (jobs queued); `counter`: a total that only grows (jobs failed since…). */
  type: 'gauge' | 'counter';
  /**
   * The family's values now. A collector that throws is logged, its family sent without samples
   * and `linli_metrics_collector_failures_total{metric}` counted.
   */
  collect(): MetricSample[] | Promise<MetricSample[]>;
}

/** What a cache counts: lookups answered from it, and lookups that had to build the answer. */
export interface CacheCounts {
  hits: number;
  misses: number;
}

/** Label of requests no route matched (the single-page apps' client routes, unknown paths). */
const NO_ROUTE = 'not-found-handler';

/** Seconds: from a cached answer (sub-millisecond) to a slow export. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The app's metrics. Inert (every method a no-op) when `/metrics` is off. */
export class Metrics {
  readonly registry = new Registry();
  private readonly caches = new Map<string, () => CacheCounts>();
  private readonly requests?: Counter<'method' | 'route' | 'status'>;
  private readonly latency?: Histogram<'method' | 'route'>;
  private readonly collectorFailures?: Counter<'metric'>;
  private readonly refreshers: (() => Promise<void>)[] = [];

  constructor(
    readonly enabled: boolean,
    private readonly log: { error(obj: object, msg: string): void } = console,
  ) {
    if (!enabled) return;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'linli_http_requests_total',
      help: 'HTTP requests answered through the framework, by method, route pattern and status (answers of the response cache: linli_cache_lookups_total{cache="response"})',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.latency = new Histogram({
      name: 'linli_http_request_duration_seconds',
      help: 'Time from a request arriving to its answer being sent, by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.collectorFailures = new Counter({
      name: 'linli_metrics_collector_failures_total',
      help: 'Scrapes at which a registered collector failed (its family was left empty), by metric',
      labelNames: ['metric'],
      registers,
    });
    const caches = this.caches;
    this.registerCollector({
      name: 'linli_cache_lookups_total',
      help: 'Cache lookups by cache and result (hit: answered from the cache; miss: the answer was built)',
      type: 'counter',
      // The caches keep their own counts; they are read at scrape time.
      collect: () =>
        [...caches].flatMap(([cache, counts]) => {
          const { hits, misses } = counts();
          return [
            { labels: { cache, result: 'hit' }, value: hits },
            { labels: { cache, result: 'miss' }, value: misses },
          ];
        }),
    });
  }

  /** Counts one answered request; `route` is the route's pattern (`/api/v1/cases/:id`), never the raw URL. */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number) {
    const r = route ?? NO_ROUTE;
    this.requests?.inc({ method, route: r, status: String(status) });
    this.latency?.observe({ method, route: r }, seconds);
  }

  /** Reports a cache's hit and miss counts (read when scraped) as `linli_cache_lookups_total{cache=name}`. */
  watchCache(name: string, counts: () => CacheCounts) {
    if (this.enabled) this.caches.set(name, counts);
  }

  /** Adds a metric family read at scrape time (see MetricCollector). Names must be unique. */
  registerCollector(collector: MetricCollector) {
    if (!this.enabled || !this.collectorFailures) return;
    const { log, collectorFailures } = this;
    const { name, help, type } = collector;
    if (this.registry.getSingleMetric(name)) throw new Error(`metric ${name} is already registered`);
    let values: { labels: Record<string, string>; value: number }[] = [];
    // Read before the registry renders (render()), so a failure is counted in the same scrape.
    this.refreshers.push(async () => {
      try {
        values = (await collector.collect()).map((v) => ({ labels: v.labels ?? {}, value: v.value }));
      } catch (err) {
        values = [];
        collectorFailures.inc({ metric: name });
        log.error({ err, metric: name }, 'a metrics collector failed');
      }
    });
    // A family in prom-client's metric shape (`get()` → name, help, type, values): no
    // reset-then-set of a Gauge, and a failed read shows no samples rather than zeros.
    const family = {
      name,
      help,
      type,
      aggregator: 'sum' as const,
      get: async () => ({ name, help, type, aggregator: 'sum', values }),
      reset() {},
    };
    this.registry.registerMetric(family as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The exposition text, with every registered collector read afresh first. */
  async render(): Promise<string> {
    await Promise.all(this.refreshers.map((refresh) => refresh()));
    return this.registry.metrics();
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Prometheus metrics (core/metrics.ts); inert unless METRICS_TOKEN is set. */
    metrics: Metrics;
  }
}

/**
 * Adds a metric family read whenever Prometheus scrapes `/metrics` (a no-op while metrics are off).
 * The job runner reports its queue depth and failures this way.
 */
export function registerCollector(app: FastifyInstance, collector: MetricCollector) {
  app.metrics.registerCollector(collector);
}

/** The database's connections: PGlite has one (in use while a query or transaction runs); PostgreSQL a pool. */
function databaseCollector(database: Database): MetricCollector {
  return {
    name: 'linli_db_connections',
    help: 'Database connections by state (total, idle, in_use; waiting: queries queued for a connection) and the maximum',
    type: 'gauge',
    collect() {
      const s = database.connections();
      const at = (state: string, value: number) => ({ labels: { database: database.kind, state }, value });
      return [
        at('max', s.max),
        at('total', s.total),
        at('idle', s.idle),
        at('in_use', s.total - s.idle),
        at('waiting', s.waiting),
      ];
    },
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when the request carries `Authorization: Bearer <token>` (compared in constant time). */
function bearerMatches(req: FastifyRequest, expected: Buffer): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return false;
  const m = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header.trim());
  return !!m && timingSafeEqual(digest(m[1] as string), expected);
}

/**
 * Decorates `app.metrics`, measures every request when `token` is set, and answers `GET /metrics`.
 * Called on the root instance (buildApp), so its hook sees every route.
 */
export function registerMetrics(app: FastifyInstance, token: string | null, database: Database) {
  const metrics = new Metrics(token !== null, app.log);
  app.decorate('metrics', metrics);
  const expected = token === null ? null : digest(token);

  if (metrics.enabled) {
    metrics.registerCollector(databaseCollector(database));
    metrics.watchCache('response', () => app.responseCache.counts());
    metrics.watchCache('sessions', () => sessionCacheStats());
    // Callback-style: this runs on every request (see docs/architecture.md, request path).
    app.addHook('onResponse', (req, reply, done) => {
      metrics.observeRequest(req.method, req.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  app.get(
    '/metrics',
    // An operator's endpoint, not an API operation: hidden from the OpenAPI document like /healthz.
    { schema: { hide: true } },
    async (req: FastifyRequest, reply: FastifyReply) => {
      if (expected === null)
        return sendProblem(
          req,
          reply,
          404,
          'route-not-found',
          'Metrics are off: set METRICS_TOKEN to serve them.',
        );
      if (!bearerMatches(req, expected)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        return sendProblem(
          req,
          reply,
          401,
          'unauthenticated',
          'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>.',
        );
      }
      reply.header('cache-control', 'no-store');
      return reply.type(metrics.registry.contentType).send(await metrics.render());
    },
  );
}
