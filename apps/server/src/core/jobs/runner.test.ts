import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testConfig } from '../../../test/config';
import { openTestDatabase } from '../../../test/harness';
import { FakeClock } from '../clock';
import type { Database } from '../db/client';
import { cancelJob, enqueueJob } from './queue';
import {
  backoffDelay,
  JobRunner,
  type JobRunnerOptions,
  jobStats,
  KEEP_FINISHED_DAYS,
  pruneJobsDefinition,
} from './runner';
import { type JobRow, jobs } from './schema';
import type { JobDefinition } from './types';

const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
const config = testConfig();
let database: Database;
let drop: () => Promise<void>;
let clock: FakeClock;
const runners: JobRunner[] = [];

beforeAll(async () => {
  ({ database, drop } = await openTestDatabase());
});
afterAll(async () => {
  await Promise.all(runners.map((r) => r.stop(1000)));
  await drop();
});
beforeEach(async () => {
  clock = new FakeClock(new Date('2026-11-27T02:00:00Z'));
  await database.db.delete(jobs);
});

function runner(definitions: JobDefinition[], opts: Partial<JobRunnerOptions> = {}) {
  const r = new JobRunner({ database, definitions, config, clock, log, ...opts });
  runners.push(r);
  return r;
}

async function row(id: string): Promise<JobRow> {
  const [r] = await database.db.select().from(jobs).where(eq(jobs.id, id));
  if (!r) throw new Error(`no job ${id}`);
  return r;
}

const enqueue = (input: Parameters<typeof enqueueJob>[1]) =>
  database.db.transaction((tx) => enqueueJob(tx, input));

/** Resolves when `check` holds, polling every 20 ms; fails after `ms` of real time. */
async function until(check: () => Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('queued work', () => {
  it('goes queued → running → done, and keeps what the handler answered', async () => {
    const seen: Partial<JobRow>[] = [];
    const r = runner([
      {
        name: 'test.echo',
        async run(ctx, payload) {
          seen.push(await row(ctx.jobId));
          return { echoed: payload };
        },
      },
    ]);
    const { id, enqueued } = await enqueue({ name: 'test.echo', payload: { n: 7 } });
    expect(enqueued).toBe(true);
    expect((await row(id)).state).toBe('queued');
    const runs = await r.runDue();
    expect(runs).toEqual([{ id, name: 'test.echo', attempt: 1, state: 'done', error: null }]);
    expect(seen[0]).toMatchObject({ state: 'running', attempts: 1, lockedBy: r.workerId });
    const done = await row(id);
    expect(done).toMatchObject({ state: 'done', attempts: 1, result: { echoed: { n: 7 } }, lockedBy: null });
    expect(done.finishedAt?.toISOString()).toBe(clock.now().toISOString());
    expect(await r.runDue()).toEqual([]);
  });

  it('commits with the transaction that queued it, and not without it', async () => {
    const r = runner([{ name: 'test.outbox', run: async () => null }]);
    await expect(
      database.db.transaction(async (tx) => {
        await enqueueJob(tx, { name: 'test.outbox', idempotencyKey: 'test.outbox:rolled-back' });
        throw new Error('the change that caused it failed');
      }),
    ).rejects.toThrow('the change that caused it failed');
    expect(await database.db.select().from(jobs).where(eq(jobs.name, 'test.outbox'))).toEqual([]);
    expect(await r.runDue()).toEqual([]);
  });

  it('does not run a one-off job before its time, and runs it once when the time comes', async () => {
    let ran = 0;
    const r = runner([{ name: 'test.reminder', run: async () => ran++ }]);
    const deadline = new Date('2026-12-10T01:00:00Z');
    const { id } = await enqueue({
      name: 'test.reminder',
      runAt: new Date(deadline.getTime() - 3 * 86_400_000),
      idempotencyKey: 'test.reminder:case-1',
    });
    expect(await r.runDue()).toEqual([]);
    clock.set('2026-12-07T00:59:59Z');
    expect(await r.runDue()).toEqual([]);
    clock.set('2026-12-07T01:00:00Z');
    expect((await r.runDue()).map((x) => x.id)).toEqual([id]);
    clock.advance(86_400_000);
    expect(await r.runDue()).toEqual([]);
    expect(ran).toBe(1);
  });

  it('makes a second enqueue with the same key a no-op', async () => {
    const r = runner([{ name: 'test.sms', run: async () => null }]);
    const first = await enqueue({ name: 'test.sms', payload: { to: 'a' }, idempotencyKey: 'test.sms:m1' });
    const second = await enqueue({ name: 'test.sms', payload: { to: 'b' }, idempotencyKey: 'test.sms:m1' });
    expect(second).toEqual({ id: first.id, enqueued: false });
    expect(await r.runDue()).toHaveLength(1);
    // Still a no-op once the first has run: the key stands for the work, not the queue entry.
    expect(await enqueue({ name: 'test.sms', idempotencyKey: 'test.sms:m1' })).toEqual({
      id: first.id,
      enqueued: false,
    });
    expect(await r.runDue()).toEqual([]);
    expect((await row(first.id)).payload).toEqual({ to: 'a' });
  });

  it('cancels a waiting job by key, which frees the key for the moved deadline', async () => {
    let ran: unknown[] = [];
    const r = runner([{ name: 'test.reminder', run: async (_ctx, p) => ran.push(p) }]);
    const key = 'test.reminder:deadline-9';
    const old = await enqueue({
      name: 'test.reminder',
      runAt: new Date('2026-11-28T00:00:00Z'),
      payload: 1,
      idempotencyKey: key,
    });
    const moved = await database.db.transaction(async (tx) => {
      expect(await cancelJob(tx, key)).toBe(1);
      return enqueueJob(tx, {
        name: 'test.reminder',
        runAt: new Date('2026-11-30T00:00:00Z'),
        payload: 2,
        idempotencyKey: key,
      });
    });
    expect(moved.enqueued).toBe(true);
    expect(moved.id).not.toBe(old.id);
    expect((await row(old.id)).state).toBe('cancelled');
    clock.set('2026-11-29T00:00:00Z');
    expect(await r.runDue()).toEqual([]);
    clock.set('2026-11-30T00:00:00Z');
    expect(await r.runDue()).toHaveLength(1);
    expect(ran).toEqual([2]);
    // Done jobs are not cancelled; a key nobody holds cancels nothing.
    expect(await cancelJob(database.db, key)).toBe(0);
    expect(await cancelJob(database.db, 'test.reminder:nobody')).toBe(0);
    ran = [];
  });

  it('refuses a malformed name or attempt count at the caller', async () => {
    await expect(enqueue({ name: 'no-module' })).rejects.toThrow(/<module>\.<job>/);
    await expect(enqueue({ name: 'test.x', maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
  });

  it('leaves a job no process has a handler for queued, for the console to show', async () => {
    const r = runner([{ name: 'test.known', run: async () => null }]);
    const { id } = await enqueue({ name: 'test.unknown' });
    expect(await r.runDue()).toEqual([]);
    expect((await row(id)).state).toBe('queued');
  });
});

describe('failures', () => {
  it('retries with back-off and dead-letters after the last attempt, keeping the error', async () => {
    let calls = 0;
    const r = runner([
      {
        name: 'test.flaky',
        backoffMs: 10_000,
        async run() {
          calls++;
          throw new Error(`provider refused 13812345678 (try ${calls})`);
        },
      },
    ]);
    const { id } = await enqueue({ name: 'test.flaky', maxAttempts: 3 });
    const first = await r.runDue();
    expect(first).toMatchObject([{ id, state: 'failed', attempt: 1 }]);
    let j = await row(id);
    expect(j.state).toBe('failed');
    // Phones in errors are masked like the logs mask them.
    expect(j.lastError).toBe('provider refused 138****5678 (try 1)');
    const wait1 = j.runAt!.getTime() - clock.now().getTime();
    expect(wait1).toBeGreaterThanOrEqual(5_000);
    expect(wait1).toBeLessThanOrEqual(10_000);
    // Not due again until its retry time.
    expect(await r.runDue()).toEqual([]);
    clock.set(j.runAt!);
    expect(await r.runDue()).toMatchObject([{ state: 'failed', attempt: 2 }]);
    j = await row(id);
    const wait2 = j.runAt!.getTime() - clock.now().getTime();
    expect(wait2).toBeGreaterThanOrEqual(10_000);
    expect(wait2).toBeLessThanOrEqual(20_000);
    clock.set(j.runAt!);
    expect(await r.runDue()).toMatchObject([{ state: 'dead', attempt: 3 }]);
    j = await row(id);
    expect(j).toMatchObject({
      state: 'dead',
      attempts: 3,
      lastError: 'provider refused 138****5678 (try 3)',
    });
    expect(j.finishedAt).not.toBeNull();
    clock.advance(86_400_000);
    expect(await r.runDue()).toEqual([]);
    expect(calls).toBe(3);
  });

  it('doubles the back-off per attempt up to an hour, with jitter between half and all of it', () => {
    expect(backoffDelay(1, 10_000, () => 0)).toBe(5_000);
    expect(backoffDelay(1, 10_000, () => 1)).toBe(10_000);
    expect(backoffDelay(4, 10_000, () => 1)).toBe(80_000);
    expect(backoffDelay(30, 10_000, () => 1)).toBe(3_600_000);
    expect(backoffDelay(30, 10_000, () => 0)).toBe(1_800_000);
  });

  it('counts a handler that hangs past its timeout as a failure and aborts its signal', async () => {
    let aborted: unknown = null;
    const r = runner([
      {
        name: 'test.hang',
        timeoutMs: 50,
        run: (ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              aborted = ctx.signal.reason;
              // A well-behaved handler gives up when told; its late answer changes nothing.
              setTimeout(() => resolve('too late'), 10);
            });
          }),
      },
    ]);
    const { id } = await enqueue({ name: 'test.hang', maxAttempts: 2 });
    expect(await r.runDue()).toMatchObject([{ id, state: 'failed', error: 'timed out after 50 ms' }]);
    expect(aborted).toBeInstanceOf(Error);
    await new Promise((res) => setTimeout(res, 30));
    expect(await row(id)).toMatchObject({
      state: 'failed',
      lastError: 'timed out after 50 ms',
      result: null,
    });
  });

  it("reclaims a job whose worker died once its lease expires, and ignores the dead worker's late answer", async () => {
    let release: (v: unknown) => void = () => {};
    const calls: string[] = [];
    const def = (who: string): JobDefinition => ({
      name: 'test.long',
      run: () => {
        calls.push(who);
        return who === 'a' ? new Promise((res) => (release = res)) : Promise.resolve(`${who} finished`);
      },
    });
    const a = runner([def('a')], { leaseMs: 60_000, concurrency: 1 });
    const b = runner([def('b')], { leaseMs: 60_000 });
    const { id } = await enqueue({ name: 'test.long', maxAttempts: 3 });
    // Worker a claims it and then stops answering (its handler never ends, no heartbeat within the test).
    await a.tick();
    await until(async () => (await row(id)).state === 'running');
    expect((await row(id)).lockedBy).toBe(a.workerId);
    expect(await b.runDue()).toEqual([]);
    clock.advance(59_999);
    expect(await b.runDue()).toEqual([]);
    clock.advance(1);
    expect(await b.runDue()).toMatchObject([{ id, state: 'done', attempt: 2 }]);
    expect(await row(id)).toMatchObject({
      state: 'done',
      attempts: 2,
      result: 'b finished',
      lastError: 'lease expired: the worker running attempt 1 stopped',
    });
    // Worker a comes back to life: its write is refused by the lease guard.
    release('a finished');
    await a.stop(1000);
    expect(await row(id)).toMatchObject({ state: 'done', result: 'b finished' });
    expect(calls).toEqual(['a', 'b']);
  });

  it('dead-letters a reclaimed job whose worker died on its last attempt, without running it again', async () => {
    const calls: string[] = [];
    const a = runner(
      [
        {
          name: 'test.last',
          run: () => {
            calls.push('a');
            return new Promise(() => {});
          },
        },
      ],
      {
        leaseMs: 60_000,
      },
    );
    const b = runner([{ name: 'test.last', run: async () => calls.push('b') }], { leaseMs: 60_000 });
    const { id } = await enqueue({ name: 'test.last', maxAttempts: 1 });
    await a.tick();
    await until(async () => (await row(id)).state === 'running');
    clock.advance(60_000);
    expect(await b.runDue()).toMatchObject([{ id, state: 'dead' }]);
    expect(await row(id)).toMatchObject({
      state: 'dead',
      attempts: 1,
      lastError: 'lease expired: the worker running attempt 1 stopped',
    });
    expect(calls).toEqual(['a']);
  });
});

describe('progress', () => {
  it('stores progress while the work runs and keeps the last report', async () => {
    const during: (number | null)[][] = [];
    const r = runner([
      {
        name: 'test.export',
        async run(ctx) {
          await ctx.progress(0, 300);
          const j1 = await row(ctx.jobId);
          during.push([j1.progressDone, j1.progressTotal]);
          await ctx.progress(150, 300);
          await ctx.progress(300, 300);
          const j2 = await row(ctx.jobId);
          during.push([j2.progressDone, j2.progressTotal]);
          return { rows: 300 };
        },
      },
    ]);
    const { id } = await enqueue({ name: 'test.export' });
    await r.runDue();
    expect(during).toEqual([
      [0, 300],
      [300, 300],
    ]);
    expect(await row(id)).toMatchObject({ state: 'done', progressDone: 300, progressTotal: 300 });
  });

  it('refuses a negative progress report', async () => {
    const r = runner([{ name: 'test.bad', run: (ctx) => ctx.progress(-1, 10) }]);
    const { id } = await enqueue({ name: 'test.bad', maxAttempts: 1 });
    expect(await r.runDue()).toMatchObject([{ id, state: 'dead' }]);
    expect((await row(id)).lastError).toMatch(/progress\(-1, 10\)/);
  });
});

describe('scheduled jobs', () => {
  it('runs an every-N job once per slot, even with two runners asking', async () => {
    const slots: string[] = [];
    const def: JobDefinition = {
      name: 'test.sweep',
      schedule: { every: 60_000 },
      run: async (ctx) => slots.push(ctx.clock.now().toISOString()),
    };
    const a = runner([def]);
    const b = runner([def]);
    clock.set('2026-11-27T02:00:30Z');
    expect(await a.runDue()).toHaveLength(1);
    expect(await b.runDue()).toEqual([]);
    clock.advance(29_999);
    expect(await a.runDue()).toEqual([]);
    expect(await b.runDue()).toEqual([]);
    clock.advance(1);
    expect(await b.runDue()).toHaveLength(1);
    expect(await a.runDue()).toEqual([]);
    const rows = await database.db.select().from(jobs).where(eq(jobs.name, 'test.sweep')).orderBy(jobs.slot);
    expect(rows.map((x) => x.slot?.toISOString())).toEqual([
      '2026-11-27T02:00:00.000Z',
      '2026-11-27T02:01:00.000Z',
    ]);
    expect(rows.every((x) => x.state === 'done' && x.attempts === 1)).toBe(true);
  });

  it('runs a cron job at its time in Asia/Shanghai', async () => {
    const r = runner([{ name: 'test.morning', schedule: { cron: '0 8 * * *' }, run: async () => null }]);
    // 07:59 in Beijing on 28 November; the server's zone does not matter.
    clock.set('2026-11-27T23:59:00Z');
    // On a first start, the slot that was owed (08:00 on the 27th) runs.
    expect(await r.runDue()).toHaveLength(1);
    clock.set('2026-11-27T23:59:59Z');
    expect(await r.runDue()).toEqual([]);
    clock.set('2026-11-28T00:00:00Z');
    expect(await r.runDue()).toHaveLength(1);
    clock.set('2026-11-28T09:00:00Z');
    expect(await r.runDue()).toEqual([]);
    const rows = await database.db
      .select()
      .from(jobs)
      .where(eq(jobs.name, 'test.morning'))
      .orderBy(jobs.slot);
    expect(rows.map((x) => x.slot?.toISOString())).toEqual([
      '2026-11-27T00:00:00.000Z',
      '2026-11-28T00:00:00.000Z',
    ]);
  });

  it('keeps only the newest done runs of a job declared with keepDone, never a dead one', async () => {
    let n = 0;
    const r = runner([
      {
        name: 'test.often',
        schedule: { every: 1000 },
        keepDone: 3,
        run: async () => {
          if (++n === 2) throw new Error('second run fails');
        },
      },
    ]);
    const other = runner([{ name: 'test.sweep', schedule: { every: 1000 }, run: async () => null }]);
    for (let i = 0; i < 8; i++) {
      expect(await r.runDue()).toHaveLength(1);
      expect(await other.runDue()).toHaveLength(1);
      clock.advance(1000);
    }
    const states = async (name: string) =>
      (await database.db.select().from(jobs).where(eq(jobs.name, name)).orderBy(jobs.slot)).map(
        (x) => x.state,
      );
    // Each new slot takes the done runs older than the newest three (then the new one runs);
    // the failed run, a dead letter, stays.
    expect(await states('test.often')).toEqual(['dead', 'done', 'done', 'done', 'done']);
    expect(await states('test.sweep')).toHaveLength(8);
    expect(() => runner([{ name: 'test.bad', keepDone: 3, run: async () => null }])).toThrow(/keepDone/);
    expect(() =>
      runner([{ name: 'test.bad', schedule: { every: 1000 }, keepDone: 0, run: async () => null }]),
    ).toThrow(/keepDone/);
  });

  it('refuses a schedule that cannot run', () => {
    expect(() =>
      runner([{ name: 'test.bad', schedule: { cron: '0 25 * * *' }, run: async () => null }]),
    ).toThrow(/does not parse/);
    expect(() =>
      runner([{ name: 'test.bad', schedule: { cron: '0 0 8 * * *' }, run: async () => null }]),
    ).toThrow(/five fields/);
    expect(() => runner([{ name: 'test.bad', schedule: { every: 10 }, run: async () => null }])).toThrow(
      /every/,
    );
    expect(() =>
      runner([
        { name: 'test.twice', run: async () => null },
        { name: 'test.twice', run: async () => null },
      ]),
    ).toThrow(/declared twice/);
  });

  it('does not start a run of a scheduled job while another run of it holds a live lease', async () => {
    let release: (v: unknown) => void = () => {};
    let runs = 0;
    const def: JobDefinition = {
      name: 'test.slow',
      schedule: { every: 60_000 },
      run: () => {
        runs++;
        return runs === 1 ? new Promise((res) => (release = res)) : Promise.resolve('second');
      },
    };
    const a = runner([def], { leaseMs: 600_000 });
    await a.tick();
    await until(async () => runs === 1);
    clock.advance(60_000);
    const b = runner([def]);
    expect(await b.runDue()).toEqual([]);
    release(null);
    await a.stop(1000);
    expect(await b.runDue()).toMatchObject([{ name: 'test.slow', state: 'done' }]);
    expect(runs).toBe(2);
  });
});

describe('restarts', () => {
  it('runs, on start, the jobs that fell due while no server ran', async () => {
    let sweeps = 0;
    let reminders = 0;
    const defs: JobDefinition[] = [
      { name: 'test.sweep', schedule: { every: 60_000 }, run: async () => sweeps++ },
      { name: 'test.reminder', run: async () => reminders++ },
    ];
    const before = runner(defs);
    await before.runDue();
    expect(sweeps).toBe(1);
    await enqueue({ name: 'test.reminder', runAt: new Date(clock.now().getTime() + 3_600_000) });
    await before.stop();
    // Down for a day: 1,440 sweep slots and the reminder's time pass.
    clock.advance(86_400_000);
    const after = runner(defs, { pollMs: 50 });
    await after.start();
    await until(async () => reminders === 1 && sweeps === 2);
    await after.stop();
    // The missed slots are not replayed: the latest one runs once.
    expect(sweeps).toBe(2);
    const slots = await database.db.select().from(jobs).where(eq(jobs.name, 'test.sweep')).orderBy(jobs.slot);
    expect(slots.map((x) => x.slot?.toISOString())).toEqual([
      '2026-11-27T02:00:00.000Z',
      '2026-11-28T02:00:00.000Z',
    ]);
  });

  it('stops cleanly: waits for running handlers, and past its bound records them as interrupted', async () => {
    let release: (v: unknown) => void = () => {};
    const r = runner(
      [
        { name: 'test.quick', run: () => new Promise((res) => setTimeout(() => res('finished'), 100)) },
        { name: 'test.stuck', run: () => new Promise((res) => (release = res)) },
      ],
      { pollMs: 50 },
    );
    const quick = await enqueue({ name: 'test.quick' });
    await r.start();
    await until(async () => (await row(quick.id)).state === 'running');
    await r.stop(5_000);
    expect(await row(quick.id)).toMatchObject({ state: 'done', result: 'finished' });

    const stuck = await enqueue({ name: 'test.stuck' });
    await r.start();
    await until(async () => (await row(stuck.id)).state === 'running');
    await r.stop(100);
    expect(await row(stuck.id)).toMatchObject({
      state: 'failed',
      lastError: 'interrupted: the server stopped',
    });
    release(null);
  });

  it('takes back at start what a crashed embedded server left running (PostgreSQL: after the lease)', async () => {
    let ran = 0;
    const { id } = await enqueue({ name: 'test.orphan' });
    await database.db
      .update(jobs)
      .set({
        state: 'running',
        attempts: 1,
        lockedBy: 'crashed',
        lockedUntil: new Date(clock.now().getTime() + 60_000),
      })
      .where(eq(jobs.id, id));
    const r = runner([{ name: 'test.orphan', run: async () => ran++ }], { pollMs: 50 });
    await r.start();
    if (database.kind === 'pglite') {
      // One process owns an embedded database (the data-dir lock), so a running job is an orphan.
      await until(async () => ran === 1);
      await r.stop();
    } else {
      // Another server may be running it: it waits for the lease.
      await new Promise((res) => setTimeout(res, 200));
      await r.stop();
      expect(ran).toBe(0);
      clock.advance(60_000);
      await r.runDue();
    }
    expect(await row(id)).toMatchObject({ state: 'done', attempts: 2 });
    expect(ran).toBe(1);
  });
});

describe('housekeeping and stats', () => {
  it('prunes old finished jobs but keeps dead ones and the newest run of each schedule', async () => {
    const sweep: JobDefinition = { name: 'test.sweep', schedule: { every: 60_000 }, run: async () => null };
    await runner([sweep]).runDue();
    const old = await enqueue({ name: 'test.old' });
    const dead = await enqueue({ name: 'test.dead' });
    const long = new Date(clock.now().getTime() - (KEEP_FINISHED_DAYS + 1) * 86_400_000);
    await database.db.update(jobs).set({ state: 'done', finishedAt: long }).where(eq(jobs.id, old.id));
    await database.db.update(jobs).set({ state: 'dead', finishedAt: long }).where(eq(jobs.id, dead.id));
    await database.db.update(jobs).set({ finishedAt: long }).where(eq(jobs.name, 'test.sweep'));
    // A server without the sweep (a monthly job between its runs): its one run is what keeps its slot.
    clock.set('2026-11-27T19:30:00Z');
    const runs = await runner([pruneJobsDefinition]).runDue();
    expect(runs).toMatchObject([{ name: 'core.pruneJobs', state: 'done' }]);
    expect((await row(runs[0]!.id)).result).toEqual({ deleted: 1 });
    const left = (await database.db.select().from(jobs)).map((j) => `${j.name}:${j.state}`).sort();
    expect(left).toEqual(['core.pruneJobs:done', 'test.dead:dead', 'test.sweep:done']);
  });

  it('counts jobs per state and name for /metrics', async () => {
    const r = runner([
      { name: 'test.ok', run: async () => null },
      {
        name: 'test.fail',
        run: async () => {
          throw new Error('no');
        },
      },
    ]);
    await enqueue({ name: 'test.ok' });
    await enqueue({ name: 'test.fail', maxAttempts: 1 });
    await enqueue({ name: 'test.ok', runAt: new Date(clock.now().getTime() + 60_000) });
    await r.runDue();
    const stats = await jobStats(database.db);
    expect(stats.byName.filter((x) => x.name.startsWith('test.'))).toEqual([
      { name: 'test.fail', state: 'dead', count: 1 },
      { name: 'test.ok', state: 'done', count: 1 },
      { name: 'test.ok', state: 'queued', count: 1 },
    ]);
    expect(stats.byState.dead).toBe(1);
    expect(r.counts).toEqual({ done: 1, failed: 0, dead: 1 });
  });
});
