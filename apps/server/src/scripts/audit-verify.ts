/**
 * `npm run audit:verify`: walks the linked part of the audit chain of the configured database
 * (DATABASE_URL, else the embedded one under DATA_DIR), names the first row that was changed,
 * removed or reordered, and reports each district's head (note it: removing the newest rows can
 * only be seen against an earlier copy) and the rows not linked yet (the linker's backlog, linked
 * within seconds by `core.linkAudit` while a server runs). Exit 0 when intact, 1 when broken, 2
 * when it could not run.
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
    const district = (id: string | null) => (id === null ? 'no district' : `district ${id}`);
    const tail = report.unlinked.reduce((n, u) => n + u.rows, 0);
    if (report.ok) {
      console.log(
        `audit chain intact: ${report.checked} rows checked` +
          (report.earlier ? ` (${report.earlier} in the chain written before linking)` : ''),
      );
      for (const h of report.heads)
        console.log(`  head of ${district(h.districtId)}: ${h.linked} rows, link ${h.linkSeq}, ${h.hash}`);
      console.log(`unlinked tail: ${tail} rows`);
      for (const u of report.unlinked)
        console.log(`  ${district(u.districtId)}: ${u.rows} rows, oldest at ${u.oldestAt.toISOString()}`);
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
