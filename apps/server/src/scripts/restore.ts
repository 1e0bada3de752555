/**
 * `npm run restore -- <backup-dir>`: restores a backup made by `npm run backup` into the
 * configured target — an empty DATA_DIR for the embedded database, or the empty PostgreSQL
 * database in DATABASE_URL (plus DATA_DIR/uploads). Every checksum is checked before anything is
 * written; a target that is not empty is refused. `--check` only checks the backup.
 * Exit 0 when restored (or intact), 1 when refused (the reason is printed), 2 when it could not run.
 */
import { loadConfig } from '../config';
import { BackupError, PgToolError, restoreBackup, verifyBackup } from '../core/backup';

const USAGE = 'usage: npm run restore -- [--check] <backup-dir>';

async function main() {
  const args = process.argv.slice(2);
  const check = args.includes('--check');
  const dirs = args.filter((a) => a !== '--check');
  if (dirs.length !== 1 || dirs[0]!.startsWith('-')) {
    console.error(USAGE);
    return 2;
  }
  const dir = dirs[0]!;
  const config = loadConfig();
  try {
    if (check) {
      const m = await verifyBackup(dir);
      console.log(
        `backup intact: ${m.database.kind} database of ${m.createdAt} (Linli ${m.linliVersion}, migration ` +
          `${m.migrations.applied}), ${m.database.file} and ${m.files.length} files match their checksums`,
      );
      return 0;
    }
    const started = Date.now();
    const r = await restoreBackup(config, dir, { log: (l) => console.log(l) });
    const where = config.databaseUrl ? 'the database in DATABASE_URL' : `${config.dataDir}`;
    console.log(
      `restored into ${where}: ${r.tables} tables, ${r.rows} rows (each table's rows and digest match the ` +
        `manifest), ${r.files} files, audit chain intact (${r.auditRows} rows), ` +
        `${((Date.now() - started) / 1000).toFixed(1)} s. Start the server to use it (it applies newer migrations, if any).`,
    );
    return 0;
  } catch (err) {
    if (err instanceof BackupError || err instanceof PgToolError) {
      console.error(`restore refused: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('restore could not run:', err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
