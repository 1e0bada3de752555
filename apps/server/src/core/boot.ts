import type { Config } from '../config';
import { type Database, openDatabase } from './db/client';
import { runMigrations } from './db/migrate';
import {
  type DemoAccount,
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
  }
  await backfillCaseStats(database.db);
  return { database, demo, secretKey };
}
