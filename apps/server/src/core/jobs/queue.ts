import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/client';
import { jobs } from './schema';
import type { EnqueueJob } from './types';

/** Attempts a queued job gets when neither the caller nor its definition says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 5;
const NAME = /^[a-z][A-Za-z0-9-]*(\.[a-z][A-Za-z0-9-]*)+$/;

/**
 * Queues a job in the caller's transaction, so it commits (or rolls back) with the change that
 * caused it: the outbox pattern. With an `idempotencyKey` a second enqueue is a no-op while the
 * first job is not cancelled (`enqueued: false`, the existing job's id). Runs when a worker is
 * free, or not before `runAt`.
 */
export async function enqueueJob<P>(
  tx: Executor,
  input: EnqueueJob<P>,
): Promise<{ id: string; enqueued: boolean }> {
  const values = jobValues(input, new Date());
  const inserted = await tx
    .insert(jobs)
    .values(values)
    .onConflictDoNothing({ target: jobs.idempotencyKey, where: sql`${jobs.state} <> 'cancelled'` })
    .returning({ id: jobs.id });
  if (inserted[0]) return { id: inserted[0].id, enqueued: true };
  const [existing] = await tx
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.idempotencyKey, input.idempotencyKey!), sql`${jobs.state} <> 'cancelled'`));
  if (!existing)
    throw new Error(`job ${input.name}: the key ${input.idempotencyKey} vanished while enqueueing`);
  return { id: existing.id, enqueued: false };
}

/**
 * Queues many jobs in one statement (work fanned out by a batch, such as the deliveries of a
 * batch of notifications), with `enqueueJob`'s rules; a job whose key is already waiting is
 * skipped. How many were queued.
 */
export async function enqueueJobs<P>(tx: Executor, inputs: readonly EnqueueJob<P>[]): Promise<number> {
  if (inputs.length === 0) return 0;
  const now = new Date();
  const inserted = await tx
    .insert(jobs)
    .values(inputs.map((input) => jobValues(input, now)))
    .onConflictDoNothing({ target: jobs.idempotencyKey, where: sql`${jobs.state} <> 'cancelled'` })
    .returning({ id: jobs.id });
  return inserted.length;
}

/** A job row from what the caller asked, refusing what the runner could never run. */
function jobValues<P>(input: EnqueueJob<P>, now: Date) {
  if (!NAME.test(input.name)) throw new Error(`job name must be <module>.<job>, got "${input.name}"`);
  const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)
    throw new Error(`maxAttempts must be a whole number from 1 to 100, got ${maxAttempts}`);
  if (input.runAt && Number.isNaN(input.runAt.getTime())) throw new Error('runAt is not a valid time');
  return {
    name: input.name,
    payload: (input.payload ?? {}) as unknown,
    runAt: input.runAt ?? null,
    idempotencyKey: input.idempotencyKey ?? null,
    districtId: input.districtId ?? null,
    maxAttempts,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * Cancels the waiting jobs (queued, or failed and waiting for their retry) holding these keys, in
 * the caller's transaction, with one statement: a reminder whose deadline moved, or all of a
 * session's. Their keys are free again afterwards. A job already running, done or dead is left
 * alone. Answers how many were cancelled.
 */
export async function cancelJob(tx: Executor, idempotencyKeys: string | readonly string[]): Promise<number> {
  const keys = typeof idempotencyKeys === 'string' ? [idempotencyKeys] : [...idempotencyKeys];
  if (keys.length === 0) return 0;
  const now = new Date();
  const rows = await tx
    .update(jobs)
    .set({ state: 'cancelled', finishedAt: now, updatedAt: now })
    .where(and(inArray(jobs.idempotencyKey, keys), inArray(jobs.state, ['queued', 'failed'])))
    .returning({ id: jobs.id });
  return rows.length;
}
