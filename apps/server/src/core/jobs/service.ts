import type { Job, JobPage, JobQuery } from '@linli/contracts';
import { and, desc, eq, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import { writeAudit } from '../audit';
import type { Clock } from '../clock';
import type { RequestContext } from '../context';
import type { Db } from '../db/client';
import { AppError } from '../errors';
import { redactDeep } from '../log-redact';
import { authorize, can } from '../permissions';
import { type JobRow, jobs } from './schema';

/** What the console's job services need from the app. */
export interface JobsDeps {
  db: Db;
  clock: Clock;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The caller's district, after checking `jobs.manage` over the whole of it: jobs are the
 * deployment's machinery, so only a district-wide administrator sees them. Returns the district id.
 */
function managedDistrict(ctx: RequestContext): string {
  if (ctx.actor.kind === 'anonymous') throw AppError.unauthenticated();
  const districtId = ctx.actor.districtId;
  if (!districtId) throw AppError.forbidden('Your account belongs to no district.');
  authorize(ctx.actor, 'jobs.manage', { orgPath: `/${districtId}/` }, 'job');
  return districtId;
}

/** The jobs a district's administrators see: their district's, and the deployment's own (sweeps). */
const ofDistrict = (districtId: string): SQL => or(isNull(jobs.districtId), eq(jobs.districtId, districtId))!;

function present(row: JobRow, ctx: RequestContext): Job {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: row.id,
    name: row.name,
    state: row.state,
    // Handlers are asked to queue ids, not personal data; what slips through is masked by shape.
    payload: redactDeep(row.payload),
    runAt: iso(row.runAt),
    slot: iso(row.slot),
    idempotencyKey: row.idempotencyKey,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    lastError: row.lastError,
    progress:
      row.progressTotal === null || row.progressDone === null
        ? null
        : { done: row.progressDone, total: row.progressTotal },
    result: redactDeep(row.result),
    lockedBy: row.state === 'running' ? row.lockedBy : null,
    lockedUntil: row.state === 'running' ? iso(row.lockedUntil) : null,
    startedAt: iso(row.startedAt),
    finishedAt: iso(row.finishedAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    deploymentWide: row.districtId === null,
    abilities: {
      retry:
        row.state === 'dead' &&
        !!ctx.actor.districtId &&
        can(ctx.actor, 'jobs.manage', `/${ctx.actor.districtId}/`),
    },
  };
}

/** Jobs newest first, by state and name, with the count per state (dead letters included). */
export async function listJobs(deps: JobsDeps, ctx: RequestContext, query: JobQuery): Promise<JobPage> {
  const districtId = managedDistrict(ctx);
  const limit = query.limit ?? 20;
  if (query.cursor !== undefined && !UUID.test(query.cursor))
    throw AppError.validation(
      [{ field: 'querystring/cursor', message: 'is not a cursor this API returned', code: 'format' }],
      'Invalid fields: querystring/cursor.',
    );
  const named = query.name ? eq(jobs.name, query.name) : undefined;
  const where = and(
    ofDistrict(districtId),
    named,
    query.state ? eq(jobs.state, query.state) : undefined,
    query.cursor ? lt(jobs.id, query.cursor) : undefined,
  );
  const rows = await deps.db
    .select()
    .from(jobs)
    .where(where)
    .orderBy(desc(jobs.id))
    .limit(limit + 1);
  const counted = await deps.db
    .select({ state: jobs.state, n: sql<number>`count(*)::int` })
    .from(jobs)
    .where(and(ofDistrict(districtId), named))
    .groupBy(jobs.state);
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => present(r, ctx)),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
    counts: Object.fromEntries(counted.map((c) => [c.state, Number(c.n)])),
  };
}

async function visibleJob(deps: JobsDeps, districtId: string, id: string): Promise<JobRow> {
  const [row] = await deps.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.id, id), ofDistrict(districtId)));
  if (!row) throw AppError.notFound('job');
  return row;
}

/** One job, with its error and progress. */
export async function getJob(deps: JobsDeps, ctx: RequestContext, id: string): Promise<Job> {
  return present(await visibleJob(deps, managedDistrict(ctx), id), ctx);
}

/**
 * Sends a dead job back to the queue with a fresh round of attempts (the cause was fixed); its last
 * error stays until the next run. Only a dead job: anything else is a 409 naming its state.
 */
export async function retryJob(deps: JobsDeps, ctx: RequestContext, id: string): Promise<Job> {
  const districtId = managedDistrict(ctx);
  const before = await visibleJob(deps, districtId, id);
  if (before.state !== 'dead') throw AppError.invalidTransition(before.state, 'retry');
  const now = deps.clock.now();
  const row = await deps.db.transaction(async (tx) => {
    const [r] = await tx
      .update(jobs)
      .set({ state: 'queued', attempts: 0, runAt: null, finishedAt: null, updatedAt: now })
      .where(and(eq(jobs.id, id), eq(jobs.state, 'dead')))
      .returning();
    if (!r) {
      // Retried by someone else a moment ago: say what it is now.
      const [current] = await tx.select({ state: jobs.state }).from(jobs).where(eq(jobs.id, id));
      throw AppError.invalidTransition(current?.state ?? 'gone', 'retry');
    }
    await writeAudit(tx, ctx, {
      action: 'job.retry',
      entityType: 'job',
      entityId: id,
      orgUnitId: districtId,
      districtId,
      before: { state: before.state, attempts: before.attempts },
      after: { state: r.state, attempts: r.attempts },
      note: { name: r.name, lastError: r.lastError },
    });
    return r;
  });
  return present(row, ctx);
}
