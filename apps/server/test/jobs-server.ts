/**
 * The real server (as main.ts starts it: prepare the database, build the app, listen, close on
 * SIGTERM) with one more module, `test`, whose jobs record each run in `test_job_runs` (no unique
 * constraint, so a job run twice would show). For the multi-process test (jobs-processes.test.ts);
 * every setting comes from the environment.
 */
import { sql } from 'drizzle-orm';
import { buildApp } from '../src/app';
import { prepareDatabase } from '../src/boot';
import { loadConfig } from '../src/config';
import type { JobContext, JobDefinition } from '../src/core/jobs/types';
import type { ModuleManifest } from '../src/core/module';
import { MODULES } from '../src/modules';

const worker = process.env.WORKER_NAME ?? 'server';
const record = (ctx: JobContext) =>
  ctx.db.execute(
    sql`INSERT INTO test_job_runs (job_id, worker, attempt) VALUES (${ctx.jobId}, ${worker}, ${ctx.attempt})`,
  );

const jobs: JobDefinition[] = [
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
const testModule: ModuleManifest = { name: 'test', dependsOn: [], routes: [], permissions: [], jobs };

const config = loadConfig();
const { database, secretKey } = await prepareDatabase(config);
const app = await buildApp({ config, database, secretKey, modules: [...MODULES, testModule] });
await app.listen({ host: config.host, port: config.port });
process.stdout.write(`ready ${worker} ${process.pid}\n`);
process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => database.close())
    .then(() => process.exit(0));
});
