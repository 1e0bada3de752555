import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, loginAs, residentLogin, type TestApp } from '../../../test/harness';
import { buildDistrict } from '../../modules/identity/fixtures';
import { defaultDistrict } from '../../modules/identity/lookups';
import { FakeClock } from '../clock';
import { auditLog } from '../schema';
import { buildDeadJob, testRunner } from './fixtures';
import { enqueueJob } from './queue';

/** The console's view of the job runner, through HTTP: GET /jobs, GET /jobs/:id, POST /jobs/:id/retry. */

let t: TestApp;
let admin: Client;
const clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));

beforeAll(async () => {
  t = await buildTestApp({}, { clock });
  admin = await loginAs(t.app, 'admin');
});
afterAll(async () => {
  await t.close();
});

describe('the jobs API', () => {
  it("lists the district's jobs and the deployment's own, not another district's, with counts per state", async () => {
    const luojiang = await defaultDistrict(t.database.db);
    const other = await buildDistrict(t.database.db, { code: '510681', name: '广汉市' });
    const mine = await enqueueJob(t.database.db, { name: 'test.listed', districtId: luojiang });
    const deployment = await enqueueJob(t.database.db, { name: 'test.listed' });
    const theirs = await enqueueJob(t.database.db, { name: 'test.listed', districtId: other.id });
    const res = await admin.get('/api/v1/jobs?name=test.listed');
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json();
    expect(page.items.map((j: { id: string }) => j.id)).toEqual([deployment.id, mine.id]);
    expect(page.items[0]).toMatchObject({ state: 'queued', deploymentWide: true, runAt: null, attempts: 0 });
    expect(page.items[1]).toMatchObject({ deploymentWide: false, abilities: { retry: false } });
    expect(page.counts).toEqual({ queued: 2 });
    // Another district's job reads exactly like a job that does not exist.
    const hidden = await admin.get(`/api/v1/jobs/${theirs.id}`);
    const missing = await admin.get('/api/v1/jobs/01930000-0000-7000-8000-00000000dead');
    expect(hidden.statusCode).toBe(404);
    expect({ ...hidden.json(), instance: null }).toEqual({ ...missing.json(), instance: null });
  });

  it('shows a dead letter with its error masked, and retries it once with a fresh round of attempts', async () => {
    const id = await buildDeadJob(t.database, {
      name: 'test.sms',
      payload: { to: '13812345678', messageId: 'm-1' },
      error: 'provider refused 13812345678: template not approved',
    });
    const dead = await admin.get(`/api/v1/jobs/${id}`);
    expect(dead.statusCode, dead.body).toBe(200);
    expect(dead.json()).toMatchObject({
      id,
      name: 'test.sms',
      state: 'dead',
      attempts: 1,
      maxAttempts: 1,
      payload: { to: '138****5678', messageId: 'm-1' },
      lastError: 'provider refused 138****5678: template not approved',
      abilities: { retry: true },
    });
    expect(dead.body).not.toContain('13812345678');
    const listed = await admin.get('/api/v1/jobs?state=dead&name=test.sms');
    expect(listed.json().items.map((j: { id: string }) => j.id)).toEqual([id]);

    const retried = await admin.post(`/api/v1/jobs/${id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ state: 'queued', attempts: 0, runAt: null, finishedAt: null });
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'job.retry'), eq(auditLog.entityId, id)));
    expect(audit?.changes).toMatchObject({ state: { before: 'dead', after: 'queued' } });
    // A second retry: the job is no longer dead.
    const again = await admin.post(`/api/v1/jobs/${id}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'invalid-transition', state: 'queued' });
    // The cause was fixed: the next run succeeds.
    const runs = await testRunner(
      t.database,
      [{ name: 'test.sms', run: async () => 'sent' }],
      clock,
    ).runDue();
    expect(runs).toMatchObject([{ id, state: 'done', attempt: 1 }]);
    expect((await admin.get(`/api/v1/jobs/${id}`)).json()).toMatchObject({ state: 'done', result: 'sent' });
  });

  it('shows the progress of running work', async () => {
    let release: () => void = () => {};
    const { id } = await enqueueJob(t.database.db, { name: 'test.export' });
    const running = testRunner(
      t.database,
      [
        {
          name: 'test.export',
          async run(ctx) {
            await ctx.progress(40, 120);
            await new Promise<void>((r) => (release = r));
            await ctx.progress(120, 120);
          },
        },
      ],
      clock,
    ).runDue();
    let seen: { state: string; progress: unknown; lockedBy: string | null } | null = null;
    for (let i = 0; i < 200 && !seen; i++) {
      const j = (await admin.get(`/api/v1/jobs/${id}`)).json();
      if (j.progress) seen = j;
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toMatchObject({ state: 'running', progress: { done: 40, total: 120 } });
    expect(seen?.lockedBy).toEqual(expect.any(String));
    release();
    await running;
    expect((await admin.get(`/api/v1/jobs/${id}`)).json()).toMatchObject({
      state: 'done',
      progress: { done: 120, total: 120 },
      lockedBy: null,
    });
  });

  it('is for district-wide administrators only', async () => {
    const id = await buildDeadJob(t.database, { name: 'test.guarded' });
    expect((await new Client(t.app).get('/api/v1/jobs')).statusCode).toBe(401);
    const town = await loginAs(t.app, 'wanan-admin');
    expect((await town.get('/api/v1/jobs')).statusCode).toBe(403);
    expect((await town.get(`/api/v1/jobs/${id}`)).statusCode).toBe(403);
    expect((await town.post(`/api/v1/jobs/${id}/retry`)).statusCode).toBe(403);
    const resident = await residentLogin(t, '13800000001');
    expect((await resident.get('/api/v1/jobs')).statusCode).toBe(403);
    expect((await t.database.db.select().from(auditLog).where(eq(auditLog.entityId, id))).length).toBe(0);
  });

  it('answers 400 naming the field for a bad state, name or cursor', async () => {
    for (const [q, field] of [
      ['state=sleeping', 'querystring/state'],
      ['name=a%20b', 'querystring/name'],
      ['cursor=garbage', 'querystring/cursor'],
      ['limit=0', 'querystring/limit'],
    ]) {
      const res = await admin.get(`/api/v1/jobs?${q}`);
      expect(res.statusCode, q).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });

  it('pages newest first without repeating or skipping a job', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueueJob(t.database.db, { name: 'test.paged' })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await admin.get(`/api/v1/jobs?name=test.paged&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      seen.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
  });
});
