/**
 * `npm run audit:verify`: walks the audit chain of the configured database (DATABASE_URL, else the
 * embedded one under DATA_DIR) and names the first row that was changed, removed or reordered.
 * Exit 0 when intact, 1 when broken, 2 when it could not run.
 */
import { loadConfig } from '../config';
import { verifyAuditChain } from '../core/audit';
import { acquireDataDirLock } from '../core/data-dir-lock';
import { openDatabase } from '../core/db/client';

async function main() {
  const config = loadConfig();
  // The embedded database is one process's: not while a server has it open.
  const lock = config.databaseUrl ? null : acquireDataDirLock(config.dataDir, 'audit:verify');
  const database = await openDatabase(config);
  try {
    const report = await verifyAuditChain(database.db);
    if (report.ok) {
      console.log(`audit chain intact: ${report.checked} rows checked`);
      return 0;
    }
    console.error(
      `audit chain BROKEN at row id ${report.firstBad!.id}: ${report.firstBad!.reason} ` +
        `(${report.checked} rows before it are intact)`,
    );
    return 1;
  } finally {
    await database.close();
    lock?.release();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('audit:verify could not run:', err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
