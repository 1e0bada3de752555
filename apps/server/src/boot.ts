import type { Config } from './config';
import { type Database, openDatabase } from './core/db/client';
import { runMigrations } from './core/db/migrate';
import type { ModuleManifest, SeedContext, SeededAccount } from './core/module';
import { orderModules } from './core/module-registry';
import { resolveSecretKey, SecretBox } from './core/secret-box';
import { systemClock } from './core/clock';
import { MODULES } from './modules';
import { demoAccountsWithKnownPassword } from './modules/identity/seed';
import { sealTotpSecrets } from './modules/identity/totp-secrets';

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
  modules: readonly ModuleManifest[] = MODULES,
): Promise<{ database: Database; demo: SeededAccount[]; secretKey: Buffer }> {
  // A missing dependency or a cycle stops the start before anything is touched.
  const ordered = orderModules(modules);
  const secretKey = resolveSecretKey(config, log);
  const database = await openDatabase(config, options);
  await runMigrations(database);
  const { sealed } = await sealTotpSecrets(database.db, new SecretBox(secretKey));
  if (sealed) log(`sealed ${sealed} TOTP secret(s) that were stored in clear`);
  // Reference data of every module, then (LINLI_DEMO) its demo data, in dependency order.
  const ctx: SeedContext = { db: database.db, config, clock: systemClock, log: { info: log } };
  for (const m of ordered) for (const seed of m.seeds?.reference ?? []) await seed(ctx);
  const demo: SeededAccount[] = [];
  if (config.demo) {
    for (const m of ordered) {
      for (const seed of m.seeds?.demo ?? []) {
        const created = await seed(ctx);
        if (created) demo.push(...created);
      }
    }
  }
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
