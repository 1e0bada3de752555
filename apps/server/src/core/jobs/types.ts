import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config';
import type { Clock } from '../clock';
import type { Db } from '../db/client';

/**
 * A job a module declares in its manifest. Owned by the job runner (core/jobs); the manifest
 * only carries the definitions. A definition is a handler for queued work (`enqueueJob(tx, {
 * name, payload })`) and, with `schedule`, also runs by itself once per slot.
 */
export interface JobDefinition<P = unknown> {
  /** `<module>.<job>`, e.g. `cases.slaSweep`. */
  readonly name: string;
  /**
   * Run on a schedule: every N ms (slots aligned to the epoch: every 60 000 ms runs at each
   * whole minute), or a five-field cron expression read in Asia/Shanghai (`0 8 * * *` is 08:00
   * Beijing time). Omit for queued work.
   */
  readonly schedule?: { readonly every: number } | { readonly cron: string };
  /** The handler. Its answer, when JSON, is kept on the job (`result`: an export's file). */
  run(ctx: JobContext, payload: P): Promise<unknown>;
  /** Attempts before the job is dead-lettered (default 5; a scheduled run: 1, the next slot is its retry). */
  readonly maxAttempts?: number;
  /** A run still going after this long counts as a failure (default 60 000 ms). */
  readonly timeoutMs?: number;
  /** First retry after about this long, doubling per attempt, with jitter (default 10 000 ms, at most 1 h). */
  readonly backoffMs?: number;
  /**
   * A scheduled job's done runs kept (the newest ones), for a job that runs every few seconds:
   * older ones go as each new slot is inserted. Default: all, until `core.pruneJobs` takes them
   * after KEEP_FINISHED_DAYS. Failed and dead runs are never taken early.
   */
  readonly keepDone?: number;
}

export interface JobContext {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Config;
  readonly log: FastifyBaseLogger;
  /** The job's row id (for messages and logs). */
  readonly jobId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Aborted when the run times out or the runner stops: pass it on to fetches and long loops. */
  readonly signal: AbortSignal;
  /** Reports progress of long work (an export's rows); stored on the job and shown by the console. */
  progress(done: number, total: number): Promise<void>;
}

export { JOB_STATES, type JobState } from '@linli/contracts';

/** What `enqueueJob` takes. */
export interface EnqueueJob<P = unknown> {
  /** The definition's name, `<module>.<job>`. */
  name: string;
  /** JSON; ids rather than personal data (the console shows it, phones and ID numbers masked). */
  payload?: P;
  /** Not before this time (a reminder three days before a deadline). Default: now. */
  runAt?: Date;
  /**
   * A second enqueue with the same key is a no-op while the first is not cancelled. Start it with
   * the job's name (`messages.sms:<messageId>`). `cancelJob(tx, key)` takes it back.
   */
  idempotencyKey?: string;
  /** Overrides the definition's attempts. */
  maxAttempts?: number;
  /** The district whose data the job touches: only that district's administrators see it. */
  districtId?: string | null;
}
