import { casesAudit } from './audit-labels';
import { casesEvents } from './events';
import type { FastifyInstance } from 'fastify';
import type { JobDefinition } from '../../core/jobs/types';
import { seedCaseHistory } from './demo-history';
import type { ModuleManifest } from '../../core/module';
import { casesPersonalData } from './personal-data';
import { patrolRoutes } from './patrols-routes';
import { caseRoutes } from './routes';
import { foldRollupsJob } from '../../core/rollup-deltas';
import { backfillCaseStats, CASE_ROLLUPS } from './rollups';
import { seedCaseCategories, seedDemoBoundaries, seedDemoSquads } from './seed';
import { runSlaSweep } from './sla';
import { casesWorkbench } from './workbench';

/** How often the SLA job looks for breached deadlines. */
export const SLA_SWEEP_INTERVAL_MS = 60_000;

/**
 * Module `cases` (城社共治): resident reports, routing by boundary and category, squads, the
 * closed-loop workflow with working-time SLAs and the SLA job. Mounted under /api/v1.
 */
export async function casesModule(app: FastifyInstance) {
  await app.register(caseRoutes);
  await app.register(patrolRoutes);
}

/**
 * The SLA job: yellow and red cards for breached deadlines, every minute on the job runner (once
 * per minute across server processes). Tests call `runSlaSweep` with a FakeClock, or `runDue()`.
 */
export const slaSweepJob: JobDefinition = {
  name: 'cases.slaSweep',
  schedule: { every: SLA_SWEEP_INTERVAL_MS },
  async run(ctx) {
    const result = await runSlaSweep(ctx);
    if (result.yellow || result.red) ctx.log.info(result, 'case SLA sweep');
    return result;
  },
};

/** How often the statistics deltas are folded (the statistics read the unfolded ones too). */
export const FOLD_STATS_INTERVAL_MS = 60_000;

/** Folds the statistics deltas written by reports and steps into the rollups (rollups.ts). */
export const foldStatsJob: JobDefinition = foldRollupsJob('cases.foldStats', CASE_ROLLUPS, {
  everyMs: FOLD_STATS_INTERVAL_MS,
});

export const casesManifest: ModuleManifest = {
  name: 'cases',
  audit: casesAudit,
  dependsOn: ['identity', 'calendar', 'messages', 'service-guide'],
  routes: [{ plugin: casesModule, prefix: '/api/v1' }],
  permissions: [
    'cases.read',
    'cases.dispatch',
    'cases.handle',
    'cases.verify',
    'cases.supervise',
    'cases.manage',
    'squads.manage',
  ],
  workflows: ['case'],
  events: casesEvents,
  seeds: {
    reference: [
      async ({ db }) => {
        await seedCaseCategories(db);
      },
      // A database with cases but no rollups yet (migrated from before them, or bulk-loaded).
      async ({ db }) => {
        await backfillCaseStats(db);
      },
    ],
    demo: [
      async ({ db }) => {
        await seedDemoBoundaries(db);
      },
      async ({ db }) => {
        await seedDemoSquads(db);
      },
      // LINLI_DEMO_HISTORY: the year of cases (after the boundaries and squads it uses).
      seedCaseHistory,
    ],
  },
  jobs: [slaSweepJob, foldStatsJob],
  personalData: casesPersonalData,
  workbench: casesWorkbench,
};

export { runSlaSweep };
