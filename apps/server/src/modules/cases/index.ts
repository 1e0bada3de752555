import type { FastifyInstance } from 'fastify';
import type { ModuleManifest } from '../../core/module';
import { casesPersonalData } from './personal-data';
import { patrolRoutes } from './patrols-routes';
import { caseRoutes } from './routes';
import { backfillCaseStats } from './rollups';
import { seedCaseCategories, seedDemoBoundaries, seedDemoSquads } from './seed';
import { runSlaSweep } from './sla';

/** How often the SLA job looks for breached deadlines. */
export const SLA_SWEEP_INTERVAL_MS = 60_000;

/**
 * Module `cases` (城社共治): resident reports, routing by boundary and category, squads, the
 * closed-loop workflow with working-time SLAs and the SLA job. Mounted under /api/v1.
 * The SLA job runs every minute in development and production (not under tests, which call
 * `runSlaSweep` with a FakeClock); it is idempotent, so several processes may run it.
 */
export async function casesModule(app: FastifyInstance) {
  await app.register(caseRoutes);
  await app.register(patrolRoutes);
  if (app.config.env === 'test') return;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      if (running) return;
      running = true;
      runSlaSweep({ db: app.database.db, clock: app.clock })
        .then((r) => {
          if (r.yellow || r.red) app.log.info(r, 'case SLA sweep');
        })
        .catch((err) => app.log.error({ err }, 'case SLA sweep failed'))
        .finally(() => {
          running = false;
        });
    }, SLA_SWEEP_INTERVAL_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
  });
}

export const casesManifest: ModuleManifest = {
  name: 'cases',
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
    ],
  },
  personalData: casesPersonalData,
};

export { runSlaSweep };
