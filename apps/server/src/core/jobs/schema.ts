import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { idColumn, tstz } from '../db/columns';
import type { JobState } from './types';

/**
 * The job runner's one table (core/jobs): queued work, one-off jobs at a time and the runs of
 * scheduled jobs, on the same database as everything else, so a job commits in the transaction
 * of the change that caused it. Workers claim due rows with `FOR UPDATE SKIP LOCKED` and hold a
 * lease (`lockedBy`, `lockedUntil`) while they run them.
 */
export const jobs = pgTable(
  'jobs',
  {
    id: idColumn(),
    name: text().notNull(),
    payload: jsonb().notNull().default({}),
    state: text().$type<JobState>().notNull().default('queued'),
    /**
     * When it is due: the first run, or the next attempt after a failure. Null: as soon as a worker
     * is free (queued work), whatever any process's clock says.
     */
    runAt: tstz(),
    /** A scheduled job's run: the slot it stands for. One row per (name, slot) across processes. */
    slot: tstz(),
    idempotencyKey: text(),
    /** The district whose data it touches; null for the deployment's own jobs (sweeps). */
    districtId: uuid(),
    attempts: integer().notNull().default(0),
    maxAttempts: integer().notNull(),
    /** The last failure's message (phones and ID numbers masked), kept when the job is dead. */
    lastError: text(),
    progressDone: integer(),
    progressTotal: integer(),
    /** The handler's answer, when it is JSON. */
    result: jsonb(),
    /** The worker holding the lease (`<host>:<pid>:<random>`), and until when. */
    lockedBy: text(),
    lockedUntil: tstz(),
    startedAt: tstz(),
    finishedAt: tstz(),
    createdAt: tstz().notNull(),
    updatedAt: tstz().notNull(),
  },
  (t) => [
    // A cancelled job gives its key back, so a moved deadline can enqueue its reminder again.
    uniqueIndex('jobs_idempotency_key_idx').on(t.idempotencyKey).where(sql`${t.state} <> 'cancelled'`),
    uniqueIndex('jobs_slot_idx').on(t.name, t.slot),
    index('jobs_due_idx').on(t.runAt.asc().nullsFirst(), t.id).where(sql`${t.state} IN ('queued', 'failed')`),
    index('jobs_lease_idx').on(t.lockedUntil).where(sql`${t.state} = 'running'`),
    index('jobs_state_idx').on(t.state, t.id),
    index('jobs_name_idx').on(t.name, t.id),
    index('jobs_district_idx').on(t.districtId),
    index('jobs_finished_idx').on(t.finishedAt),
  ],
);

export type JobRow = typeof jobs.$inferSelect;
