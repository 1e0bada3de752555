import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type Client, loginAs, residentLogin, type TestApp } from '../../test/harness';
import { POSTERS, reportCase } from '../modules/cases/fixtures';
import { enqueueJob } from './jobs';
import { registerCollector } from './metrics';

const TOKEN = 'metrics-token-for-tests-0123456789';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition (what a scraper parses). */
function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = l[2] as string;
    out.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return out;
}

/** The one sample of `name` whose labels include `labels` (0 when there is none). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

describe('/metrics without METRICS_TOKEN', () => {
  let t: TestApp;
  const webRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-metrics-web-'));
  beforeAll(async () => {
    // With the resident app served, an unknown page path gets its index.html: /metrics must not.
    fs.mkdirSync(path.join(webRoot, 'resident', 'dist'), { recursive: true });
    fs.writeFileSync(
      path.join(webRoot, 'resident', 'dist', 'index.html'),
      '<!doctype html><title>居民</title>',
    );
    t = await buildTestApp({ serveWeb: true, webRoot });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(webRoot, { recursive: true, force: true });
  });

  it('is off: 404 problem+json whatever the caller sends, and nothing is measured', async () => {
    expect((await t.app.inject('/some/client/route')).body).toContain('<title>居民</title>');
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }]) {
      const res = await t.app.inject({ url: '/metrics', headers });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status: 404, code: 'route-not-found' });
    }
    expect(t.app.metrics.enabled).toBe(false);
    expect(await t.app.metrics.render()).toBe('\n');
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  let t: TestApp;
  let base: string;
  let secretary: Client;
  let resident: Client;
  const scrape = async () => {
    const res = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode, res.body).toBe(200);
    return parse(res.body);
  };

  beforeAll(async () => {
    t = await buildTestApp({ metricsToken: TOKEN });
    // The response cache answers before the framework: reach it over real HTTP.
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    secretary = await loginAs(t.app, 'hanlin-secretary');
    resident = await residentLogin(t, '13800000001');
  });
  afterAll(() => t.close());

  it('refuses a scrape without the token or with a wrong one: 401 problem+json', async () => {
    for (const authorization of [
      undefined,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
      TOKEN,
      'Bearer ',
    ]) {
      const res = await t.app.inject({
        url: '/metrics',
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="metrics"');
      expect(res.json()).toMatchObject({ status: 401, code: 'unauthenticated' });
      expect(res.body).not.toContain('linli_');
    }
  });

  it('serves the Prometheus text format with the token', async () => {
    const res = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain('# TYPE linli_http_requests_total counter');
    expect(res.body).toContain('# TYPE linli_http_request_duration_seconds histogram');
    // The process: CPU, memory, event-loop delay.
    expect(res.body).toContain('process_cpu_seconds_total');
    expect(res.body).toContain('nodejs_eventloop_lag_seconds');
  });

  it('is not an operation of the OpenAPI document', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.includes('metrics'))).toEqual([]);
  });

  it('counts requests and their latency by route pattern, never by raw URL', async () => {
    const id = await reportCase(resident, POSTERS);
    const route = { method: 'GET', route: '/api/v1/cases/:id' };
    const before = await scrape();
    for (let i = 0; i < 3; i++) expect((await secretary.get(`/api/v1/cases/${id}`)).statusCode).toBe(200);
    const missing = await secretary.get('/api/v1/cases/0190c3a0-0000-7000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    const after = await scrape();
    const ok = { ...route, status: '200' };
    expect(
      value(after, 'linli_http_requests_total', ok) - value(before, 'linli_http_requests_total', ok),
    ).toBe(3);
    const notFound = { ...route, status: '404' };
    expect(
      value(after, 'linli_http_requests_total', notFound) -
        value(before, 'linli_http_requests_total', notFound),
    ).toBe(1);
    const count = 'linli_http_request_duration_seconds_count';
    expect(value(after, count, route) - value(before, count, route)).toBe(4);
    expect(value(after, 'linli_http_request_duration_seconds_sum', route)).toBeGreaterThan(0);
    expect(
      value(after, 'linli_http_request_duration_seconds_bucket', { ...route, le: '+Inf' }) -
        value(before, 'linli_http_request_duration_seconds_bucket', { ...route, le: '+Inf' }),
    ).toBe(4);
    // No label anywhere carries a case id.
    expect(after.some((s) => Object.values(s.labels).some((v) => v.includes(id)))).toBe(false);
    // Paths no route matched share one label.
    const unmatched = { route: 'not-found-handler', status: '404' };
    await t.app.inject('/no/such/page');
    await t.app.inject('/no/such/page/either');
    expect(
      value(await scrape(), 'linli_http_requests_total', unmatched) -
        value(after, 'linli_http_requests_total', unmatched),
    ).toBe(2);
  });

  it('reports the hits and misses of the response cache, the case answers and the session cache', async () => {
    const lookups = 'linli_cache_lookups_total';
    const before = await scrape();
    const search = () => fetch(`${base}/api/v1/service-items?q=${encodeURIComponent('低保')}&limit=3`);
    for (let i = 0; i < 3; i++) expect((await search()).status).toBe(200);
    const id = await reportCase(resident, POSTERS);
    await secretary.get(`/api/v1/cases/${id}`);
    await secretary.get(`/api/v1/cases/${id}`);
    const after = await scrape();
    const delta = (labels: Record<string, string>) =>
      value(after, lookups, labels) - value(before, lookups, labels);
    // The first search builds the answer; the next two are sent from the cache before routing.
    expect(delta({ cache: 'response', result: 'miss' })).toBe(1);
    expect(delta({ cache: 'response', result: 'hit' })).toBe(2);
    expect(delta({ cache: 'case-answers', result: 'miss' })).toBe(1);
    expect(delta({ cache: 'case-answers', result: 'hit' })).toBe(1);
    expect(delta({ cache: 'sessions', result: 'hit' })).toBeGreaterThan(0);
  });

  it('reports the database: connections by state, in use while a transaction runs', async () => {
    const kind = t.database.kind;
    const db = (s: Sample[], state: string) => value(s, 'linli_db_connections', { database: kind, state });
    const states = (s: Sample[]) => ['max', 'total', 'idle', 'in_use', 'waiting'].map((x) => db(s, x));
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    if (kind === 'pglite') {
      // The embedded database: one connection, busy while a transaction runs, calls behind it waiting.
      expect(states(await scrape())).toEqual([1, 1, 1, 0, 0]);
      const pglite = t.database.pglite!;
      const tx = pglite.transaction(async (q) => {
        await q.query('select 1');
        entered();
        await held;
      });
      await inside;
      const queued = pglite.query('select 2');
      expect(t.database.connections()).toEqual({ max: 1, total: 1, idle: 0, waiting: 1 });
      release();
      await tx;
      await queued;
      expect(t.database.connections()).toEqual({ max: 1, total: 1, idle: 1, waiting: 0 });
      return;
    }
    // A PostgreSQL server: the pool's size, and one more connection in use while a transaction holds it.
    const before = states(await scrape());
    expect(before[0]).toBeGreaterThan(1);
    const tx = t.database.db.transaction(async (q) => {
      await q.execute(sql`select 1`);
      entered();
      await held;
    });
    await inside;
    const busy = t.database.connections();
    expect(busy.total - busy.idle).toBeGreaterThanOrEqual(1);
    const during = await scrape();
    expect(db(during, 'in_use')).toBeGreaterThanOrEqual(1);
    expect(db(during, 'max')).toBe(before[0]);
    release();
    await tx;
    const after = t.database.connections();
    expect(after.total - after.idle).toBe(0);
    expect(after.waiting).toBe(0);
  });

  it('adds the families registered with registerCollector, and leaves out one whose collector fails', async () => {
    let depth = 3;
    registerCollector(t.app, {
      name: 'linli_test_queue_depth',
      help: 'jobs waiting, by queue',
      type: 'gauge',
      collect: async () => [
        { labels: { queue: 'sms' }, value: depth },
        { labels: { queue: 'exports' }, value: 1 },
      ],
    });
    registerCollector(t.app, {
      name: 'linli_test_failures_total',
      help: 'jobs failed',
      type: 'counter',
      collect: () => [{ value: 7 }],
    });
    registerCollector(t.app, {
      name: 'linli_test_broken',
      help: 'a collector that throws',
      type: 'gauge',
      collect: () => {
        throw new Error('queue table unreachable');
      },
    });
    let samples = await scrape();
    expect(value(samples, 'linli_test_queue_depth', { queue: 'sms' })).toBe(3);
    expect(value(samples, 'linli_test_queue_depth', { queue: 'exports' })).toBe(1);
    expect(value(samples, 'linli_test_failures_total')).toBe(7);
    expect(samples.some((s) => s.name === 'linli_test_broken')).toBe(false);
    expect(value(samples, 'linli_metrics_collector_failures_total', { metric: 'linli_test_broken' })).toBe(1);
    // Read afresh at every scrape.
    depth = 0;
    samples = await scrape();
    expect(value(samples, 'linli_test_queue_depth', { queue: 'sms' })).toBe(0);
    expect(value(samples, 'linli_test_failures_total')).toBe(7);
  });

  it('reports the job queue by state, the due backlog, and the runs this process finished by outcome', async () => {
    const before = await scrape();
    const queued = value(before, 'linli_jobs', { state: 'queued' });
    const due = value(before, 'linli_jobs_due');
    await enqueueJob(t.database.db, { name: 'test.metricsLater' });
    let samples = await scrape();
    expect(value(samples, 'linli_jobs', { state: 'queued' })).toBe(queued + 1);
    expect(value(samples, 'linli_jobs_due')).toBe(due + 1);
    // A job this process has a handler for (the runner's own pruning), run through the runner.
    const runs = value(samples, 'linli_job_runs_total', { outcome: 'done' });
    await enqueueJob(t.database.db, { name: 'core.pruneJobs' });
    const ran = await t.app.jobs.runDue();
    expect(ran.some((r) => r.name === 'core.pruneJobs')).toBe(true);
    samples = await scrape();
    expect(value(samples, 'linli_job_runs_total', { outcome: 'done' })).toBe(
      runs + ran.filter((r) => r.state === 'done').length,
    );
    expect(value(samples, 'linli_jobs', { state: 'done' })).toBeGreaterThanOrEqual(1);
  });
});
