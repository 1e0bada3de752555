import { IdParams, Job, JobPage, JobQuery, Problem } from '@linli/contracts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { getJob, type JobsDeps, listJobs, retryJob } from '../../core/jobs/service';

const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

/**
 * The console's view of the job runner (core/jobs, as the audit API is identity's view of
 * core/audit): jobs, their errors and progress, and retrying a dead one. District administrators only.
 */
export async function jobRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const deps = (): JobsDeps => ({ db: app.database.db, clock: app.clock });
  const tags = ['jobs'];
  const config = { permission: 'jobs.manage' as const };

  app.get(
    '/jobs',
    {
      config,
      schema: {
        tags,
        summary:
          "Background jobs of the caller's district and of the whole deployment, newest first, with the count per state",
        querystring: JobQuery,
        response: { 200: JobPage, ...problems },
      },
    },
    async (req) => listJobs(deps(), req.ctx, req.query),
  );

  app.get(
    '/jobs/:id',
    {
      config,
      schema: {
        tags,
        summary: 'One background job: state, attempts, next run, last error, progress',
        params: IdParams,
        response: { 200: Job, ...problems },
      },
    },
    async (req) => getJob(deps(), req.ctx, req.params.id),
  );

  app.post(
    '/jobs/:id/retry',
    {
      config,
      schema: {
        tags,
        summary: 'Send a dead job (a dead letter) back to the queue with a fresh round of attempts',
        params: IdParams,
        response: { 200: Job, ...problems, 409: Problem },
      },
    },
    async (req) => retryJob(deps(), req.ctx, req.params.id),
  );
}
