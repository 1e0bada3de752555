import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app';
import { linkAuditChain, verifyAuditChain } from '../src/core/audit';
import { FakeClock } from '../src/core/clock';
import type { Executor } from '../src/core/db/client';
import type { Seed, SeedContext } from '../src/core/module';
import { seedAdmissionHistory } from '../src/modules/admission/demo-history';
import { seedCaseHistory } from '../src/modules/cases/demo-history';
import { NIL_ID } from '../src/modules/cases/rollups';
import { DEMO_RESIDENT_PHONE_PREFIX, seedDemoPeople } from '../src/modules/identity/demo-history';
import { seedServiceHistory } from '../src/modules/service-guide/demo-history';
import { testConfig } from './config';
import { loginAs, openTestDatabase } from './harness';

/**
 * The year of demo activity (LINLI_DEMO_HISTORY), generated on private copies of the test
 * template (which is seeded without it): deterministic, once only, telling the article's story,
 * consistent with the rollups and the audit chain, and what the statistics pages then show.
 */

const SEEDS: Seed[] = [seedDemoPeople, seedCaseHistory, seedServiceHistory, seedAdmissionHistory];
/** A fixed "now": the history ends at this hour. */
const NOW = new Date('2026-11-27T02:30:00Z');

/** NOW as Beijing wall-clock time (no time-zone database needed). */
const beijingNow = sql`((${NOW.toISOString()}::timestamptz AT TIME ZONE 'UTC') + interval '8 hours')`;

const rows = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];

async function generate(db: Executor): Promise<number> {
  const ctx: SeedContext = {
    db: db as SeedContext['db'],
    config: testConfig({ demoHistory: true }),
    clock: new FakeClock(NOW),
    log: { info: () => {} },
  };
  const started = performance.now();
  for (const seed of SEEDS) await seed(ctx);
  return (performance.now() - started) / 1000;
}

/** What the statistics are made of, in numbers two databases can be compared by. */
async function aggregates(db: Executor) {
  const q = async (query: ReturnType<typeof sql>) => rows<Record<string, unknown>>(await db.execute(query));
  return {
    cases: await q(sql`
      SELECT status, source, category_code, to_char((created_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM') AS month,
             count(*)::int AS n, count(rating)::int AS rated, sum(overdue_level)::int AS overdue
      FROM cases GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`),
    history: await q(sql`SELECT step, count(*)::int AS n FROM case_history GROUP BY 1 ORDER BY 1`),
    cards: await q(
      sql`SELECT level, status, count(*)::int AS n FROM case_sla_cards GROUP BY 1, 2 ORDER BY 1, 2`,
    ),
    rollups: await q(sql`
      SELECT kind, count(*)::int AS n, sum(reported)::int AS reported, sum(complaints)::int AS complaints,
             sum(o_handle)::int AS on_time, round(sum(handling_hours)::numeric, 3)::text AS hours
      FROM case_stats_weekly GROUP BY 1 ORDER BY 1`),
    applications: await q(sql`
      SELECT status, mode, count(*)::int AS n, sum(visits)::int AS visits, count(rating)::int AS rated
      FROM applications GROUP BY 1, 2 ORDER BY 1, 2`),
    bookings: await q(sql`SELECT status, count(*)::int AS n FROM office_hour_bookings GROUP BY 1 ORDER BY 1`),
    requests: await q(
      sql`SELECT status, route, count(*)::int AS n FROM admission_requests GROUP BY 1, 2 ORDER BY 1, 2`,
    ),
    tasks: await q(
      sql`SELECT status, count(*)::int AS n, sum(estimated_hours_per_month)::float8 AS hours FROM admission_tasks GROUP BY 1 ORDER BY 1`,
    ),
    outside: await q(
      sql`SELECT kind, status, count(*)::int AS n FROM admission_outside_reports GROUP BY 1, 2 ORDER BY 1, 2`,
    ),
    audit: await q(sql`SELECT action, count(*)::int AS n FROM audit_log GROUP BY 1 ORDER BY 1`),
    residents: await q(
      sql`SELECT count(*)::int AS n FROM accounts WHERE phone LIKE ${`${DEMO_RESIDENT_PHONE_PREFIX}%`}`,
    ),
  };
}

const count = async (db: Executor, table: string) =>
  Number(rows<{ n: number }>(await db.execute(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]!.n);

describe('the demo district: a year of activity', () => {
  let a: Awaited<ReturnType<typeof openTestDatabase>>;
  let b: Awaited<ReturnType<typeof openTestDatabase>>;
  let app: App;
  let seconds = 0;

  beforeAll(async () => {
    a = await openTestDatabase();
    b = await openTestDatabase();
    seconds = await generate(a.database.db);
    // Printed, never asserted: the figure depends on the machine and what else runs on it.
    console.log(`demo history generated in ${seconds.toFixed(1)} s (PGlite in memory, test process)`);
    await generate(b.database.db);
    app = await buildApp({
      config: testConfig({ demoHistory: true }),
      database: a.database,
      logger: false,
      clock: new FakeClock(NOW),
    });
    await app.ready();
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await a?.drop();
    await b?.drop();
  });

  it('is off in the template the other tests share', async () => {
    const fresh = await openTestDatabase();
    try {
      expect(await count(fresh.database.db, 'cases')).toBeLessThan(5);
      expect(await count(fresh.database.db, 'applications')).toBe(0);
      expect(testConfig().demoHistory).toBe(false);
    } finally {
      await fresh.drop();
    }
  });

  it('fills a year: thousands of cases, hundreds of applications over the catalogue, admissions, office hours, residents', async () => {
    const db = a.database.db;
    const [span] = rows<{ first: string; last: string; days: number }>(
      await db.execute(sql`SELECT min(created_at)::text AS first, max(created_at)::text AS last,
        extract(day FROM max(created_at) - min(created_at))::int AS days FROM cases WHERE source <> 'open311'`),
    );
    expect(span!.days).toBeGreaterThanOrEqual(360);
    expect(new Date(span!.last).getTime()).toBeLessThan(NOW.getTime());
    expect(await count(db, 'cases')).toBeGreaterThan(2000);
    expect(await count(db, 'case_history')).toBeGreaterThan(8 * 2000);
    const [apps] = rows<{ n: number; items: number; proxy: number; late: number }>(
      await db.execute(sql`SELECT count(*)::int AS n, count(DISTINCT item_id)::int AS items,
        count(*) FILTER (WHERE mode = 'proxy')::int AS proxy,
        count(*) FILTER (WHERE done_at > due_at)::int AS late FROM applications`),
    );
    expect(apps!.n).toBeGreaterThan(300);
    expect(apps!.items).toBeGreaterThan(60);
    expect(apps!.proxy).toBeGreaterThan(0);
    expect(apps!.late).toBeGreaterThan(0);
    expect(await count(db, 'admission_requests')).toBeGreaterThan(50);
    expect(await count(db, 'admission_request_events')).toBeGreaterThan(
      await count(db, 'admission_requests'),
    );
    expect(await count(db, 'office_hour_bookings')).toBeGreaterThan(100);
    // Residents' phones are in the unallocated 154 segment, shown masked.
    const [res] = rows<{ n: number; other: number }>(
      await db.execute(sql`SELECT count(*)::int AS n,
        count(*) FILTER (WHERE phone !~ ${`^${DEMO_RESIDENT_PHONE_PREFIX}[0-9]{4}$`})::int AS other
        FROM accounts WHERE kind = 'resident' AND phone LIKE '154%'`),
    );
    expect(res!.n).toBeGreaterThanOrEqual(300);
    expect(res!.other).toBe(0);
    // Every status a case can stand in at the end of the year somewhere, reopened and late ones too.
    const states = rows<{ status: string }>(await db.execute(sql`SELECT DISTINCT status FROM cases`)).map(
      (r) => r.status,
    );
    expect(states).toEqual(expect.arrayContaining(['rated', 'closed', 'not_registered', 'handling']));
    expect(await count(db, `cases WHERE reopened`)).toBeGreaterThan(0);
    expect(await count(db, `case_sla_cards WHERE level = 'red'`)).toBeGreaterThan(0);
  });

  it('is deterministic: two databases given the same seed and "now" hold the same aggregates', async () => {
    expect(await aggregates(b.database.db)).toEqual(await aggregates(a.database.db));
  });

  it('happens once: a second start adds nothing', async () => {
    const before = await aggregates(a.database.db);
    await generate(a.database.db);
    expect(await aggregates(a.database.db)).toEqual(before);
  });

  it('tells the story: in every community with a squad, complaints per month fell after the squad started', async () => {
    const squads = rows<{ community: string; name: string; started_on: string }>(
      await a.database.db.execute(
        sql`SELECT org_unit_id AS community, name, started_on::text FROM squads WHERE status = 'active'`,
      ),
    );
    expect(squads.length).toBeGreaterThan(0);
    for (const s of squads) {
      expect(s.started_on, s.name).toBeTruthy();
      // Whole Beijing months only, inside the year (the first and the current are partial).
      const months = rows<{ month: string; n: number }>(
        await a.database.db.execute(sql`
          WITH m AS (
            SELECT generate_series(date_trunc('month', ${beijingNow} - interval '11 months'),
                                   date_trunc('month', ${beijingNow} - interval '1 month'),
                                   interval '1 month') AS month
          )
          SELECT to_char(m.month, 'YYYY-MM-DD') AS month, count(c.id)::int AS n
          FROM m LEFT JOIN cases c ON c.community_id = ${s.community} AND c.source <> 'patrol'
            AND date_trunc('month', (c.created_at AT TIME ZONE 'UTC') + interval '8 hours') = m.month
          GROUP BY m.month ORDER BY m.month`),
      );
      const before = months.filter((m) => m.month < s.started_on).map((m) => Number(m.n));
      const after = months.filter((m) => m.month >= s.started_on).map((m) => Number(m.n));
      const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
      expect(before.length, s.name).toBeGreaterThan(0);
      expect(after.length, s.name).toBeGreaterThan(0);
      expect(mean(after), `${s.name}: before ${before} after ${after}`).toBeLessThan(mean(before));
    }
  });

  it('keeps the statistics rollups equal to what the case rows say', async () => {
    const db = a.database.db;
    // Per community and ISO week (Beijing), recounted from `cases` without the rollup code.
    const recount = rows<Record<string, number | string>>(
      await db.execute(sql`
        SELECT community_id::text AS community, date_trunc('week', (created_at AT TIME ZONE 'UTC') + interval '8 hours')::date::text AS week,
          count(*)::int AS reported, count(*) FILTER (WHERE source <> 'patrol')::int AS complaints,
          count(*) FILTER (WHERE status IN ('closed', 'rated'))::int AS done,
          count(*) FILTER (WHERE rating = 'unsatisfied')::int AS unsatisfied,
          count(closed_at)::int AS closed
        FROM cases WHERE community_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`),
    );
    const rolled = rows<Record<string, number | string>>(
      await db.execute(sql`
        SELECT community_id::text AS community, week::text AS week, reported, complaints,
          (s_closed + s_rated) AS done, r_unsatisfied AS unsatisfied, closed
        FROM case_stats_weekly
        WHERE kind = 'community' AND category_code = '*' AND unit_id = community_id AND community_id <> ${NIL_ID}::uuid
          AND reported > 0
        ORDER BY 1, 2`),
    );
    expect(rolled.length).toBeGreaterThan(500);
    expect(rolled).toEqual(recount);
    const [cells] = rows<{ rolled: number; located: number }>(
      await db.execute(sql`SELECT (SELECT sum(cases)::int FROM case_hotspots_daily) AS rolled,
        (SELECT count(*)::int FROM cases WHERE lat IS NOT NULL) AS located`),
    );
    expect(cells!.rolled).toBe(cells!.located);
  });

  it('writes an audit row for every step it made, and the chain still verifies', async () => {
    const db = a.database.db;
    const steps = rows<{ action: string; n: number }>(
      await db.execute(sql`SELECT 'case.' || step AS action, count(*)::int AS n FROM case_history
        WHERE step NOT LIKE 'sla_%' GROUP BY 1 ORDER BY 1`),
    );
    const audited = new Map(
      rows<{ action: string; n: number }>(
        await db.execute(sql`SELECT action, count(*)::int AS n FROM audit_log
          WHERE entity_type = 'case' AND action <> 'case.follow' AND action <> 'case.overdue' GROUP BY 1`),
      ).map((r) => [r.action, Number(r.n)]),
    );
    for (const s of steps) expect(audited.get(s.action), s.action).toBe(Number(s.n));
    expect(await count(db, `audit_log WHERE action = 'case.overdue'`)).toBe(
      await count(db, 'case_sla_cards'),
    );
    expect(await count(db, `audit_log WHERE action LIKE 'application.%'`)).toBe(
      await count(db, 'application_events'),
    );
    // Written unlinked in the history's transaction, linked by the job a running server runs.
    expect(await count(db, 'audit_log WHERE hash IS NULL')).toBeGreaterThan(0);
    const { linked } = await linkAuditChain(db);
    expect(linked).toBeGreaterThan(0);
    const report = await verifyAuditChain(db);
    expect(report).toMatchObject({ ok: true, firstBad: null, unlinked: [] });
    expect(report.checked).toBe(await count(db, 'audit_log'));
  }, 300_000);

  it('gives every statistics page a year of non-empty series', async () => {
    const admin = await loginAs(app, 'admin');
    const cases = await admin.get('/api/v1/cases/stats');
    expect(cases.statusCode).toBe(200);
    const c = cases.json();
    expect(c.byWeek.length).toBeGreaterThanOrEqual(50);
    expect(c.onTime.finished).toBeGreaterThan(0);
    expect(c.onTime.rate).toBeLessThan(1);
    expect(c.satisfaction.count).toBeGreaterThan(0);
    expect(c.hotspots.length).toBeGreaterThan(0);
    const trendNames = new Set(c.complaintTrend.map((r: { name: string }) => r.name));
    expect(trendNames).toContain('翰林社区');
    expect(trendNames).toContain('家和社区');

    const apps = await admin.get('/api/v1/applications/stats');
    expect(apps.statusCode).toBe(200);
    const s = apps.json();
    expect(s.byMonth.length).toBeGreaterThanOrEqual(12);
    expect(s.handling.averageDays).not.toBeNull();
    expect(s.oneTrip.multipleTrips).toBeGreaterThan(0);
    expect(s.satisfaction.count).toBeGreaterThan(0);

    const burden = await admin.get('/api/v1/admission/burden');
    expect(burden.statusCode).toBe(200);
    const months = burden.json().byMonth as { month: string; hours: number; outsideReports: number }[];
    expect(months.length).toBe(12);
    // The burden falls over the year: the last quarter weighs less than the first.
    const sum = (xs: typeof months, k: 'hours' | 'outsideReports') => xs.reduce((t, m) => t + m[k], 0);
    expect(sum(months.slice(-3), 'hours')).toBeLessThan(sum(months.slice(0, 3), 'hours'));
    expect(sum(months.slice(-3), 'outsideReports')).toBeLessThan(sum(months.slice(0, 3), 'outsideReports'));

    const sessions = await admin.get('/api/v1/office-hours');
    expect(sessions.statusCode).toBe(200);
    expect(sessions.json().items.length).toBeGreaterThan(0);
  });
});
