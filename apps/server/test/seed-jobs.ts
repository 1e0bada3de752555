/**
 * For the console's browser test (e2e/console-jobs.e2e.ts): leaves in the embedded database under
 * DATA_DIR, while no server runs, what the 后台任务 page shows — a dead letter (an SMS job whose
 * handler failed on its last attempt) and an export that a process was running, at 48 of 120
 * rows, when that process went away. Both go through the real runner.
 */
import { loadConfig } from '../src/config';
import { systemClock } from '../src/core/clock';
import { openDatabase } from '../src/core/db/client';
import { buildDeadJob, testRunner } from '../src/core/jobs/fixtures';
import { enqueueJob } from '../src/core/jobs/queue';

const database = await openDatabase(loadConfig());
await buildDeadJob(
  database,
  {
    name: 'test.sendSms',
    payload: { messageId: 'e2e-message-1', to: '13800000001' },
    error: '短信服务商拒绝发送：模板未审核（isv.SMS_TEMPLATE_ILLEGAL）',
  },
  systemClock,
);
await enqueueJob(database.db, { name: 'test.buildExport', payload: { rows: 120 } });
let stopped: () => void = () => {};
const handlerStopped = new Promise<void>((r) => (stopped = r));
void testRunner(
  database,
  [
    {
      name: 'test.buildExport',
      async run(ctx) {
        await ctx.progress(48, 120);
        stopped();
        // The process goes away here, in the middle of the work.
        await new Promise(() => {});
      },
    },
  ],
  systemClock,
).runDue();
await handlerStopped;
await database.close();
process.exit(0);
