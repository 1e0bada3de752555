import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { and, eq, isNotNull, lt, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config';
import type { Clock } from '../clock';
import { uuidv7 } from '../db/columns';
import type { Database } from '../db/client';
import { redactText } from '../log-redact';
import { checkSchedule, currentSlot } from './schedule';
import { jobs } from './schema';
import type { JobContext, JobDefinition, JobState } from './types';

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 60 * 60_000;
/** Finished jobs are kept this long for the console, then pruned (dead ones stay until retried). */
export const KEEP_FINISHED_DAYS = 14;
const NAME = /^[a-z][A-Za-z0-9-]*(\.[a-z][A-Za-z0-9-]*)+$/;
const PROGRESS_WRITE_EVERY_MS = 500;

export interface JobRunnerOptions {
  database: Pick<Database, 'db' | 'kind'>;
  definitions: readonly JobDefinition[];
  config: Config;
  clock: Clock;
  log: FastifyBaseLogger;
  /** Handlers running at once in this process (default config.jobsConcurrency). */
  concurrency?: number;
  /** How often an idle runner looks for due work (default config.jobsPollMs). */
  pollMs?: number;
  /** How long a claim holds a job without a heartbeat (default config.jobsLeaseSeconds). */
  leaseMs?: number;
}

/** One run the runner finished, as `runDue()` reports it. */
export interface JobRun {
  id: string;
  name: string;
  attempt: number;
  state: JobState;
  error: string | null;
}

interface Claimed {
  id: string;
  name: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  was: JobState;
}

class JobTimeout extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'JobTimeout';
  }
}

const rowsOf = <T>(r: unknown): T[] => (Array.isArray(r) ? r : (r as { rows: T[] }).rows) as T[];

/** Delay before attempt `attempt + 1`: exponential from `base`, capped, with "equal jitter". */
export function backoffDelay(attempt: number, base = DEFAULT_BACKOFF_MS, random = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** The runner's own housekeeping: finished jobs older than KEEP_FINISHED_DAYS go, nightly. */
export const pruneJobsDefinition: JobDefinition = {
  name: 'core.pruneJobs',
  schedule: { cron: '30 3 * * *' },
  async run(ctx) {
    const cutoff = new Date(ctx.clock.now().getTime() - KEEP_FINISHED_DAYS * 86_400_000);
    // The newest run of a scheduled job stays: it is what keeps its slot from running again.
    const deleted = await ctx.db.execute(sql`
      DELETE FROM jobs j
      WHERE j.state IN ('done', 'cancelled') AND j.finished_at < ${cutoff}
        AND (j.slot IS NULL OR j.slot < (SELECT max(s.slot) FROM jobs s WHERE s.name = j.name))
      RETURNING j.id`);
    return { deleted: rowsOf(deleted).length };
  },
};

/**
 * The durable job runner (README.md beside this file). Due jobs are claimed with one short
 * statement (`FOR UPDATE SKIP LOCKED`, so several processes never take the same job) that also
 * sets a lease; the handler runs outside any transaction; a heartbeat extends the lease while it
 * runs; its end is written with one statement guarded by the lease. A process that dies leaves
 * its jobs `running` until their lease expires, and then any runner claims them again.
 *
 * `start()` polls (the server does this); tests drive it with `runDue()` and a FakeClock instead.
 */
export class JobRunner {
  readonly workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly defs = new Map<string, JobDefinition>();
  private readonly db: Database['db'];
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly inFlight = new Map<string, { done: Promise<unknown>; abort: AbortController }>();
  private readonly ensuredSlots = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private started = false;
  private stopping = false;
  /** Runs finished by this process since it started, by outcome: for /metrics counters. */
  readonly counts = { done: 0, failed: 0, dead: 0 };

  constructor(private readonly opts: JobRunnerOptions) {
    this.db = opts.database.db;
    this.concurrency = opts.concurrency ?? opts.config.jobsConcurrency;
    this.pollMs = opts.pollMs ?? opts.config.jobsPollMs;
    this.leaseMs = opts.leaseMs ?? opts.config.jobsLeaseSeconds * 1000;
    for (const def of opts.definitions) {
      if (!NAME.test(def.name)) throw new Error(`job name must be <module>.<job>, got "${def.name}"`);
      if (this.defs.has(def.name)) throw new Error(`job ${def.name} is declared twice`);
      if (def.schedule) checkSchedule(def.name, def.schedule);
      if (def.timeoutMs !== undefined && !(def.timeoutMs > 0))
        throw new Error(`job ${def.name}: timeoutMs must be positive`);
      if (
        def.keepDone !== undefined &&
        !(def.schedule && Number.isInteger(def.keepDone) && def.keepDone >= 1)
      )
        throw new Error(`job ${def.name}: keepDone must be a whole number ≥ 1, on a scheduled job`);
      this.defs.set(def.name, def);
    }
  }

  /** The definitions this runner runs. */
  definitions(): JobDefinition[] {
    return [...this.defs.values()];
  }

  /** Starts polling. On PGlite (one process owns the data) jobs left running by a crash are taken back at once. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    if (this.opts.database.kind === 'pglite') {
      await this.db.update(jobs).set({ lockedUntil: this.opts.clock.now() }).where(eq(jobs.state, 'running'));
    }
    this.schedule(0);
  }

  /**
   * Stops polling and waits for running handlers, up to `boundMs`; those still running then are
   * aborted and recorded as failed (retried later, or by another process after their lease).
   */
  async stop(boundMs = 10_000): Promise<void> {
    this.stopping = true;
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.ticking) await this.ticking.catch(() => {});
    const running = () => Promise.allSettled([...this.inFlight.values()].map((r) => r.done));
    let bound: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      running().then(() => true),
      new Promise<false>((r) => {
        bound = setTimeout(() => r(false), boundMs);
      }),
    ]);
    clearTimeout(bound);
    if (!waited) {
      for (const r of this.inFlight.values()) r.abort.abort(new Error('interrupted: the server stopped'));
      await running();
    }
  }

  /**
   * Tests: enqueues the slots of scheduled jobs that are due by the clock, then runs every due job
   * one after another until none is left (jobs a handler queues included), and says what ran.
   */
  async runDue(opts: { max?: number } = {}): Promise<JobRun[]> {
    const max = opts.max ?? 1000;
    const runs: JobRun[] = [];
    await this.ensureScheduled();
    while (runs.length < max) {
      const [claim] = await this.claim(1);
      if (!claim) break;
      runs.push(await this.execute(claim));
    }
    return runs;
  }

  /** One poll: due slots enqueued, free handler places filled. */
  async tick(): Promise<void> {
    await this.ensureScheduled();
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0 || this.stopping) return;
    const claims = await this.claim(free);
    for (const c of claims) {
      // A place comes free and there may be more due work: look again soon, not at the next poll.
      void this.execute(c).finally(() => this.schedule(10));
    }
  }

  private schedule(ms: number) {
    if (!this.started || this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.ticking) return this.schedule(this.pollMs);
      this.ticking = this.tick()
        .catch((err) => this.opts.log.error({ err }, 'job runner: poll failed'))
        .finally(() => {
          this.ticking = null;
          this.schedule(this.pollMs);
        });
    }, ms);
    this.timer.unref();
  }

  /** Inserts the current slot of each scheduled job, once per slot across every process. */
  private async ensureScheduled(): Promise<void> {
    const now = this.opts.clock.now();
    for (const def of this.defs.values()) {
      if (!def.schedule) continue;
      const slot = currentSlot(def.schedule, now);
      if (this.ensuredSlots.get(def.name) === slot.getTime()) continue;
      const inserted = await this.db.execute(sql`
        INSERT INTO jobs (id, name, payload, state, run_at, slot, max_attempts, created_at, updated_at)
        SELECT ${uuidv7()}, ${def.name}, '{}'::jsonb, 'queued', ${slot}, ${slot},
               ${def.maxAttempts ?? 1}, ${now}, ${now}
        WHERE NOT EXISTS (SELECT 1 FROM jobs WHERE name = ${def.name} AND slot >= ${slot})
        ON CONFLICT (name, slot) DO NOTHING
        RETURNING id`);
      if (rowsOf(inserted).length > 0) {
        // An older slot still waiting (workers were busy, or its retry is pending) is superseded.
        await this.db
          .update(jobs)
          .set({
            state: 'cancelled',
            finishedAt: now,
            updatedAt: now,
            lastError: 'superseded by a later slot',
          })
          .where(
            and(
              eq(jobs.name, def.name),
              isNotNull(jobs.slot),
              lt(jobs.slot, slot),
              sql`${jobs.state} IN ('queued', 'failed')`,
            ),
          );
        if (def.keepDone !== undefined) {
          // A job that runs every few seconds keeps only its newest done runs (the slot row
          // just inserted is queued, so it is never among those taken).
          await this.db.execute(sql`
            DELETE FROM jobs WHERE name = ${def.name} AND state = 'done' AND slot IS NOT NULL
              AND slot < (SELECT k.slot FROM jobs k WHERE k.name = ${def.name} AND k.state = 'done'
                          AND k.slot IS NOT NULL ORDER BY k.slot DESC OFFSET ${def.keepDone - 1} LIMIT 1)`);
        }
      }
      this.ensuredSlots.set(def.name, slot.getTime());
    }
  }

  /**
   * Claims up to `n` due jobs this process has handlers for, in one statement: queued or failed
   * ones whose time has come, and running ones whose lease expired (their worker died). A
   * scheduled job is not claimed while another run of it holds a live lease.
   */
  private async claim(n: number): Promise<Claimed[]> {
    const names = [...this.defs.keys()];
    const now = this.opts.clock.now();
    const until = new Date(now.getTime() + this.leaseMs);
    const nameList = sql.join(
      names.map((name) => sql`${name}`),
      sql`, `,
    );
    const result = await this.db.execute(sql`
      WITH picked AS (
        SELECT c.id, c.state AS was FROM jobs c
        WHERE c.name IN (${nameList})
          AND ((c.state IN ('queued', 'failed') AND (c.run_at IS NULL OR c.run_at <= ${now}))
               OR (c.state = 'running' AND c.locked_until <= ${now}))
          AND (c.slot IS NULL OR NOT EXISTS (
                SELECT 1 FROM jobs r WHERE r.name = c.name AND r.id <> c.id
                  AND r.state = 'running' AND r.locked_until > ${now}))
        ORDER BY c.run_at ASC NULLS FIRST, c.id
        LIMIT ${n}
        FOR UPDATE OF c SKIP LOCKED
      )
      UPDATE jobs j SET
        state = 'running', attempts = j.attempts + 1, locked_by = ${this.workerId},
        locked_until = ${until}, started_at = ${now}, updated_at = ${now},
        finished_at = NULL, progress_done = NULL, progress_total = NULL,
        last_error = CASE WHEN picked.was = 'running'
          THEN 'lease expired: the worker running attempt ' || j.attempts || ' stopped'
          ELSE j.last_error END
      FROM picked WHERE j.id = picked.id
      RETURNING j.id, j.name, j.payload, j.attempts, j.max_attempts, picked.was`);
    return rowsOf<Claimed>(result);
  }

  /** Runs one claimed job to its end state. Never throws. */
  private execute(claim: Claimed): Promise<JobRun> {
    const abort = new AbortController();
    const entry = { done: Promise.resolve() as Promise<unknown>, abort };
    this.inFlight.set(claim.id, entry);
    const run = this.runClaimed(claim, abort)
      .catch((err): JobRun => {
        // Its end could not be written: the lease runs out and a runner takes the job again.
        this.opts.log.error({ err, job: claim.name, jobId: claim.id }, 'job runner: could not record a run');
        return { id: claim.id, name: claim.name, attempt: claim.attempts, state: 'running', error: null };
      })
      .finally(() => {
        if (this.inFlight.get(claim.id) === entry) this.inFlight.delete(claim.id);
      });
    entry.done = run;
    return run;
  }

  private async runClaimed(claim: Claimed, abort: AbortController): Promise<JobRun> {
    const def = this.defs.get(claim.name)!;
    const { clock, log: baseLog, config } = this.opts;
    const log = baseLog.child({ job: claim.name, jobId: claim.id, attempt: claim.attempts });
    const mine = and(eq(jobs.id, claim.id), eq(jobs.lockedBy, this.workerId), eq(jobs.state, 'running'));
    const report = (state: JobState, error: string | null): JobRun => ({
      id: claim.id,
      name: claim.name,
      attempt: claim.attempts,
      state,
      error,
    });

    // A reclaimed job whose worker died on its last attempt is not run again.
    if (claim.was === 'running' && claim.attempts > claim.max_attempts) {
      const now = clock.now();
      const error = `lease expired: the worker running attempt ${claim.attempts - 1} stopped`;
      await this.db
        .update(jobs)
        .set({
          state: 'dead',
          attempts: claim.max_attempts,
          finishedAt: now,
          updatedAt: now,
          lockedBy: null,
          lockedUntil: null,
        })
        .where(mine);
      this.counts.dead++;
      log.error({ error }, 'job dead-lettered');
      return report('dead', error);
    }

    let progress: { done: number; total: number } | null = null;
    let progressWritten = 0;
    let progressWrite: Promise<unknown> = Promise.resolve();
    const ctx: JobContext = {
      db: this.db,
      clock,
      config,
      log,
      jobId: claim.id,
      attempt: claim.attempts,
      signal: abort.signal,
      progress: async (done, total) => {
        if (!Number.isFinite(done) || !Number.isFinite(total) || done < 0 || total < 0)
          throw new Error(`progress(${done}, ${total}): both must be numbers ≥ 0`);
        progress = { done: Math.floor(done), total: Math.floor(total) };
        const t = performance.now();
        if (t - progressWritten < PROGRESS_WRITE_EVERY_MS && done < total) return;
        progressWritten = t;
        const p = progress;
        progressWrite = this.db
          .update(jobs)
          .set({ progressDone: p.done, progressTotal: p.total, updatedAt: clock.now() })
          .where(mine);
        await progressWrite;
      },
    };

    const timeoutMs = def.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const heartbeat = setInterval(
      () => {
        this.db
          .update(jobs)
          .set({ lockedUntil: new Date(clock.now().getTime() + this.leaseMs) })
          .where(mine)
          .catch((err) => log.warn({ err }, 'job runner: could not extend a lease'));
      },
      Math.max(1000, Math.floor(this.leaseMs / 3)),
    );
    heartbeat.unref();
    const ended = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new JobTimeout(timeoutMs);
        abort.abort(err);
        reject(err);
      }, timeoutMs);
      timer.unref();
      abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
    });
    let outcome: { ok: true; result: unknown } | { ok: false; err: unknown };
    try {
      const result = await Promise.race([Promise.resolve().then(() => def.run(ctx, claim.payload)), ended]);
      outcome = { ok: true, result };
    } catch (err) {
      outcome = { ok: false, err };
    } finally {
      clearTimeout(timer);
      clearInterval(heartbeat);
      await progressWrite.catch(() => {});
    }
    const now = clock.now();
    const progressed = progress as { done: number; total: number } | null;
    const progressSet = progressed ? { progressDone: progressed.done, progressTotal: progressed.total } : {};
    if (outcome.ok) {
      const written = await this.db
        .update(jobs)
        .set({
          state: 'done',
          result: jsonOrNull(outcome.result),
          finishedAt: now,
          updatedAt: now,
          lockedBy: null,
          lockedUntil: null,
          ...progressSet,
        })
        .where(mine)
        .returning({ id: jobs.id });
      if (written.length === 0) log.warn('job finished after its lease was lost; its new holder decides');
      this.counts.done++;
      return report('done', null);
    }
    const { err } = outcome;
    const message = redactText(err instanceof Error ? err.message || err.name : String(err)).slice(0, 2000);
    const dead = claim.attempts >= claim.max_attempts;
    const runAt = dead ? undefined : new Date(now.getTime() + backoffDelay(claim.attempts, def.backoffMs));
    await this.db
      .update(jobs)
      .set({
        state: dead ? 'dead' : 'failed',
        lastError: message,
        updatedAt: now,
        lockedBy: null,
        lockedUntil: null,
        ...(dead ? { finishedAt: now } : { runAt }),
        ...progressSet,
      })
      .where(mine);
    if (dead) {
      this.counts.dead++;
      log.error({ err }, 'job dead-lettered after its last attempt');
    } else {
      this.counts.failed++;
      log.warn({ err, retryAt: runAt }, 'job failed; retrying later');
    }
    return report(dead ? 'dead' : 'failed', message);
  }
}

/** The handler's answer as jsonb, or null when it is not JSON (undefined, a function, a cycle). */
function jsonOrNull(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    const text = JSON.stringify(value);
    return text === undefined || text.length > 65_536 ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

/** Jobs per state, and per name and state: queue depth for /metrics. */
export async function jobStats(db: Database['db']): Promise<{
  byState: Record<JobState, number>;
  byName: { name: string; state: JobState; count: number }[];
  /** Due (queued, or failed and past its retry time) but not yet claimed: the backlog. */
  due: number;
}> {
  const rows = rowsOf<{ name: string; state: JobState; count: string | number }>(
    await db.execute(
      sql`SELECT name, state, count(*) AS count FROM jobs GROUP BY name, state ORDER BY name, state`,
    ),
  );
  const byState: Record<JobState, number> = {
    queued: 0,
    running: 0,
    done: 0,
    failed: 0,
    dead: 0,
    cancelled: 0,
  };
  const byName = rows.map((r) => ({ name: r.name, state: r.state, count: Number(r.count) }));
  for (const r of byName) byState[r.state] += r.count;
  const [due] = rowsOf<{ count: string | number }>(
    await db.execute(
      sql`SELECT count(*) AS count FROM jobs WHERE state IN ('queued', 'failed') AND (run_at IS NULL OR run_at <= now())`,
    ),
  );
  return { byState, byName, due: Number(due?.count ?? 0) };
}
