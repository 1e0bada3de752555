import type { Executor } from '../../core/db/client';

/**
 * INTERIM, until the job runner (core/jobs, branch t14-jobs) is merged: the shape of its
 * `enqueueJob(tx, { name, payload, runAt?, idempotencyKey?, maxAttempts? })`. Jobs are kept in
 * memory so the tests can run them. Replaced by the runner's own function on merge.
 */
export interface EnqueueJob<P = unknown> {
  name: string;
  payload?: P;
  runAt?: Date;
  idempotencyKey?: string;
  maxAttempts?: number;
}

export const interimQueue: EnqueueJob[] = [];

export async function enqueueJob<P>(_tx: Executor, input: EnqueueJob<P>) {
  if (input.idempotencyKey && interimQueue.some((j) => j.idempotencyKey === input.idempotencyKey))
    return { id: input.idempotencyKey, enqueued: false };
  interimQueue.push(input);
  return { id: input.idempotencyKey ?? String(interimQueue.length), enqueued: true };
}
