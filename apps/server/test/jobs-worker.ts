/**
 * A job runner in a process of its own, for the multi-process test (jobs-processes.test.ts):
 * `DATABASE_URL`, `WORKER_NAME` and the JOBS_* settings come from the environment. Each handler
 * writes a row into `test_job_runs` (no unique constraint, so a job run twice would show).
 */
import { sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { loadConfig } from '../src/config';
import { systemClock } from '../src/core/clock';
import { openDatabase } from '../src/core/db/client';
import { JobRunner } from '../src/core/jobs/runner';
import type { JobContext, JobDefinition } from '../src/core/jobs/types';

const worker = process.env.WORKER_NAME ?? 'worker';
const config = loadConfig();
const database = await openDatabase(config);
const log = pino({ level: 'warn' }, pino.destination(2)) as unknown as FastifyBaseLogger;

const record = (ctx: JobContext) =>
  ctx.db.execute(
    sql`INSERT INTO test_job_runs (job_id, worker, attempt) VALUES (${ctx.jobId}, ${worker}, ${ctx.attempt})`,
  );

const definitions: JobDefinition[] = [
  {
    name: 'test.record',
    async run(ctx) {
      await new Promise((r) => setTimeout(r, Math.random() * 15));
      await record(ctx);
    },
  },
  { name: 'test.tick', schedule: { every: 1000 }, run: record },
  {
    name: 'test.hold',
    timeoutMs: 120_000,
    async run(ctx) {
      await record(ctx);
      // The first attempt hangs until its process is killed; the one after the lease expiry ends.
      if (ctx.attempt === 1) await new Promise(() => {});
    },
  },
];

const runner = new JobRunner({ database, definitions, config, clock: systemClock, log });
await runner.start();
process.stdout.write(`ready ${worker} ${process.pid}\n`);
process.on('SIGTERM', () => {
  void runner
    .stop(5_000)
    .then(() => database.close())
    .then(() => process.exit(0));
});
