import type { Config } from '../config';
import { type Database, openDatabase } from './db/client';
import { runMigrations } from './db/migrate';
import {
  type DemoAccount,
  demoAccountsWithKnownPassword,
  seedDemo,
  seedDepartments,
  seedOrgTree,
  syncRoles,
} from '../modules/identity/seed';
import { seedDemoNotices } from '../modules/notices/seed';
import { seedCalendar } from '../modules/calendar/seed';
import { defaultDistrict } from '../modules/identity/lookups';
import { seedCatalogue, seedDemoOfferings } from '../modules/service-guide/seed';
import { backfillCaseStats } from '../modules/cases/rollups';
import { seedCaseCategories, seedDemoBoundaries, seedDemoSquads } from '../modules/cases/seed';
import { seedCaseDemoAccounts } from '../modules/identity/seed-cases-demo';
import { seedAdmissionDemo, seedAdmissionLists, seedCertificates } from '../modules/admission';
import { seedDemoOpen311 } from '../modules/open311';
import { seedPrivacyNotice } from '../modules/identity/privacy-service';
import { sealTotpSecrets } from '../modules/identity/totp-secrets';
import { resolveSecretKey, SecretBox } from './secret-box';
import { systemClock } from './clock';
import { seedDemoPeople } from '../modules/identity/demo-history';
import { seedCaseHistory } from '../modules/cases/demo-history';
import { seedServiceHistory } from '../modules/service-guide/demo-history';
import { seedAdmissionHistory } from '../modules/admission/demo-history';

/** The start is refused for a reason the operator must act on (main.ts prints it and exits). */
export class StartRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartRefused';
  }
}

/**
 * Opens the database, applies migrations, loads reference data and (when asked) demo data, and
 * checks the secret key against the secrets already stored (sealing any still in clear).
 */
export async function prepareDatabase(
  config: Config,
  options: Parameters<typeof openDatabase>[1] = {},
  log: (message: string) => void = () => {},
): Promise<{ database: Database; demo: DemoAccount[]; secretKey: Buffer }> {
  const secretKey = resolveSecretKey(config, log);
  const database = await openDatabase(config, options);
  await runMigrations(database);
  const { sealed } = await sealTotpSecrets(database.db, new SecretBox(secretKey));
  if (sealed) log(`sealed ${sealed} TOTP secret(s) that were stored in clear`);
  await syncRoles(database.db);
  await seedOrgTree(database.db);
  await seedPrivacyNotice(database.db);
  await seedDepartments(database.db);
  await seedCalendar(database.db);
  await seedCatalogue(database.db, await defaultDistrict(database.db));
  await seedCaseCategories(database.db);
  await seedAdmissionLists(database.db);
  await seedCertificates(database.db);
  const demo = config.demo ? await seedDemo(database.db, config) : [];
  if (config.demo) {
    await seedDemoNotices(database.db);
    await seedDemoOfferings(database.db);
    demo.push(...(await seedCaseDemoAccounts(database.db, config)));
    await seedDemoBoundaries(database.db);
    await seedDemoSquads(database.db);
    await seedAdmissionDemo(database.db);
    await seedDemoOpen311(database.db);
    // Until the module registry runs each manifest's `seeds.demo`: the year of demo activity.
    const seedCtx = { db: database.db, config, clock: systemClock, log: { info: log } };
    for (const seed of [seedDemoPeople, seedCaseHistory, seedServiceHistory, seedAdmissionHistory]) await seed(seedCtx);
  }
  await backfillCaseStats(database.db);
  if (!config.dev) {
    // Demo staff accounts carry the password the README publishes: never on a server that other
    // machines can reach unless the operator switched the development conveniences on.
    const open = await demoAccountsWithKnownPassword(database.db, config);
    if (open.length) {
      await database.close();
      throw new StartRefused(
        `this database holds the demo district, and its staff accounts (${open.join(', ')}) still have the published demo password. ` +
          'A server reachable from other machines does not serve them: start it with LINLI_DEV=on to show the demo on purpose, ' +
          'listen on loopback (HOST=127.0.0.1), or use an empty DATA_DIR / database for a real deployment.',
      );
    }
  }
  return { database, demo, secretKey };
}
