/**
 * `npm run backup [-- [--out] <dir>] [--allow-missing-files]`: backs up the configured database
 * (DATABASE_URL, else the embedded one under DATA_DIR) and DATA_DIR/uploads into a new directory
 * (default `backups/linli-<time>` in the repository) with a manifest of checksums.
 * The embedded database must not be in use: stop the server first.
 * Exit 0 when written, 1 when refused (the reason is printed), 2 when it could not run.
 */
import { loadConfig } from '../config';
import { BackupError, createBackup, PgToolError } from '../core/backup';

const USAGE = 'usage: npm run backup -- [--out <dir>] [--allow-missing-files]';

async function main() {
  const args = process.argv.slice(2);
  let out: string | undefined;
  let allowMissingFiles = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--allow-missing-files') allowMissingFiles = true;
    else if (a === '--out') out = args[++i];
    else if (a.startsWith('--out=')) out = a.slice(6);
    else if (!a.startsWith('-') && out === undefined) out = a;
    else {
      console.error(`backup: unknown argument "${a}"\n${USAGE}`);
      return 2;
    }
  }
  const config = loadConfig();
  const started = Date.now();
  try {
    const { dir, manifest } = await createBackup(config, {
      out,
      allowMissingFiles,
      log: (l) => console.log(l),
    });
    const rows = Object.values(manifest.tables).reduce((n, t) => n + t.rows, 0);
    const bytes = manifest.files.reduce((n, f) => n + f.size, 0);
    console.log(
      `backup written to ${dir}\n` +
        `  database  ${manifest.database.kind}, ${Object.keys(manifest.tables).length} tables, ${rows} rows, ` +
        `migration ${manifest.migrations.applied} (${manifest.migrations.last ?? '?'}), ` +
        `${manifest.database.file} ${(manifest.database.size / 1048576).toFixed(1)} MB\n` +
        `  files     ${manifest.files.length} (${(bytes / 1048576).toFixed(1)} MB)` +
        (manifest.namedFiles.missing.length
          ? `, ${manifest.namedFiles.missing.length} named by rows MISSING`
          : '') +
        `\n  took      ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  } catch (err) {
    if (err instanceof BackupError || err instanceof PgToolError) {
      console.error(`backup refused: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('backup could not run:', err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
